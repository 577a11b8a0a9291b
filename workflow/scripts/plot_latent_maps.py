"""Rule plot_latent_maps: input plane coloured by latent code, one panel per variant."""

from aeflow.autoencoder.plots import latent_maps_figure
from aeflow.core.figures import read_tables, save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    embeddings = read_tables(list(sm.input), list(sm.params.labels))
    fig = latent_maps_figure(embeddings, list(sm.params.shown))
    save_figure(fig, sm.output[0], sm.params.dpi)
