"""Rule train: one training run (all its seed replicas) through Lightning; writes the
Lightning checkpoints before and after training, the mini-batch losses and the per-epoch
losses over the whole training and held-out sets. A killed attempt's rerun resumes from the
state it saved (core.state), removed once the outputs are written."""

import torch

from aeflow.autoencoder.data import TEST, load_points
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.core.state import TrainingState

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    state = TrainingState.of_job(sm)
    torch.set_num_threads(sm.threads)
    result = train_replicas(
        ModelSpec(**sm.params.model),
        load_points(sm.input.samples),
        TrainingSpec(**sm.params.training),
        run_name=sm.wildcards.run,
        initial_checkpoint=sm.output.init,
        final_checkpoint=sm.output.trained,
        held_out=load_points(sm.input.samples, TEST),
        state=state,
    )
    write_csv(result.losses, sm.output.losses)
    write_csv(result.curves, sm.output.curves)
    state.clear()
