"""Rule train: one training run through Lightning; writes init/trained weights and losses."""

import torch

from aeflow.atomic import write_csv
from aeflow.checkpoints import save_autoencoder
from aeflow.data import load_points
from aeflow.jobs import job_log
from aeflow.settings import ModelSpec, TrainingSpec
from aeflow.training import train_replicas

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    model_spec = ModelSpec(**sm.params.model)
    training_spec = TrainingSpec(**sm.params.training)
    result = train_replicas(
        model_spec, load_points(sm.input.samples), training_spec, run_name=sm.wildcards.run
    )
    save_autoencoder(result.initial_states, model_spec, sm.output.init)
    save_autoencoder(result.final_states, model_spec, sm.output.trained)
    write_csv(result.losses, sm.output.losses)
