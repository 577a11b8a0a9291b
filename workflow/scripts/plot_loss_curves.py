"""Rule plot_loss_curves: training loss of every variant in one plot, seeds that did not
train drawn apart."""

from aeflow.autoencoder.failures import constant_mse, failed_seeds
from aeflow.autoencoder.plots import loss_curves_figure
from aeflow.autoencoder.tables import CURVES, LOSSES, SAMPLES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table, read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    labels = list(sm.params.labels)
    constant = constant_mse(read_table(sm.input.samples, SAMPLES))
    curves = read_tables(list(sm.input.curves), CURVES, labels)
    failed = {label: failed_seeds(table, constant) for label, table in curves.items()}
    fig = loss_curves_figure(
        read_tables(list(sm.input.losses), LOSSES, labels),
        x="step",
        title="Training loss of each autoencoder",
        failed=failed,
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
