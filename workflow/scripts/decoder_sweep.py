"""Rule decoder_sweep: latent values through the saved decoder, before and after training."""

from aeflow.autoencoder.analysis import decoder_sweep
from aeflow.autoencoder.checkpoints import load_autoencoder
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    models = {
        "before": load_autoencoder(sm.input.init),
        "after": load_autoencoder(sm.input.trained),
    }
    sweep = sm.params.sweep
    write_csv(decoder_sweep(models, tuple(sweep["z_range"]), sweep["n_points"]), sm.output[0])
