"""Rule retrain_encoder: part (g), frozen trained decoder, re-initialised encoder."""

import torch

from aeflow.atomic import write_csv
from aeflow.checkpoints import load_autoencoder, save_autoencoder
from aeflow.data import load_points
from aeflow.jobs import job_log
from aeflow.settings import TrainingSpec
from aeflow.training import retrain_encoder

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    model = load_autoencoder(sm.input.model)
    result, shift = retrain_encoder(
        model,
        load_points(sm.input.samples),
        sm.params.init,
        TrainingSpec(**sm.params.training),
        run_name=f"{sm.wildcards.variant} (encoder retrained)",
    )
    save_autoencoder(result.final_state, model.spec, sm.output.model)
    write_csv(result.losses, sm.output.losses)
    write_csv(shift, sm.output.shift)
