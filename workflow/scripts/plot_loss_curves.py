"""Rule plot_loss_curves: training loss of every variant in one plot."""

from aeflow.autoencoder.plots import loss_curves_figure
from aeflow.autoencoder.tables import LOSSES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    curves = read_tables(list(sm.input), LOSSES, list(sm.params.labels))
    fig = loss_curves_figure(curves, x="step", title="Training loss of each autoencoder")
    save_figure(fig, sm.output[0], sm.params.dpi)
