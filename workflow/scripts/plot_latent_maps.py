"""Rule plot_latent_maps (part c): the input rectangle coloured by each encoder's code,
before | after training, one row per variant."""

from aeflow.autoencoder.plots import latent_maps_figure
from aeflow.autoencoder.tables import LATENT_CODES, LATENT_GRID
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    labels = list(sm.params.labels)
    grids = read_tables(list(sm.input.grids), LATENT_GRID, labels)
    codes = read_tables(list(sm.input.codes), LATENT_CODES, labels)
    save_figure(
        latent_maps_figure(grids, codes, list(sm.params.shown)), sm.output[0], sm.params.dpi
    )
