"""Rule retrain_encoder: part (g), frozen trained decoder, re-initialised encoder."""

import torch

from aeflow.analysis import encode, latent_shift_table, reinitialise_encoder_freeze_decoder
from aeflow.atomic import write_csv
from aeflow.checkpoints import load_autoencoder, save_autoencoder
from aeflow.data import load_points
from aeflow.jobs import job_log
from aeflow.settings import TrainingSpec
from aeflow.training import train_autoencoder

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    points = load_points(sm.input.samples)
    model = load_autoencoder(sm.input.model).train()
    codes_before = encode(model, points)
    init = sm.params.init
    reinitialise_encoder_freeze_decoder(model, init["mean"], init["std"], init["seed"])
    result = train_autoencoder(
        model,
        points,
        TrainingSpec(**sm.params.training),
        run_name=f"{sm.wildcards.variant} (encoder retrained)",
    )
    shift = latent_shift_table(points, codes_before, encode(model, points))
    save_autoencoder(result.final_state, model.spec, sm.output.model)
    write_csv(result.losses, sm.output.losses)
    write_csv(shift, sm.output.shift)
