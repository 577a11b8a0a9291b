"""Rule plot_latent_maps: input plane coloured by latent code, one panel per variant."""

from aeflow.jobs import job_log
from aeflow.plots import latent_maps_figure, read_tables, save_figure

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    embeddings = read_tables(list(sm.input), list(sm.params.labels))
    save_figure(latent_maps_figure(embeddings), sm.output[0], sm.params.dpi)
