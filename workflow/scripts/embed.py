"""Rule embed: latent code of every training point under a trained model."""

from aeflow.autoencoder.analysis import embedding_table
from aeflow.autoencoder.checkpoints import load_autoencoder
from aeflow.autoencoder.data import load_points
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    model = load_autoencoder(sm.input.model)
    write_csv(embedding_table(model, load_points(sm.input.samples)), sm.output[0])
