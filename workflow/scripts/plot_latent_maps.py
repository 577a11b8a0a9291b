"""Rule plot_latent_maps: input plane coloured by latent code, one panel per variant."""

from aeflow.autoencoder.plots import latent_maps_figure
from aeflow.autoencoder.tables import EMBEDDING
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    embeddings = read_tables(list(sm.input), EMBEDDING, list(sm.params.labels))
    fig = latent_maps_figure(embeddings, list(sm.params.shown))
    save_figure(fig, sm.output[0], sm.params.dpi)
