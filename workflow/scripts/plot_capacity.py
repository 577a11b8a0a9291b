"""Rule plot_capacity: part (e) measured, training and held-out MSE against parameters."""

from aeflow.autoencoder.failures import constant_mse, failed_seeds
from aeflow.autoencoder.plots import capacity_figure
from aeflow.autoencoder.tables import CURVES, SAMPLES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    widths = list(sm.params.widths)
    constant = constant_mse(read_table(sm.input.samples, SAMPLES))
    curves = {w: read_table(path, CURVES) for w, path in zip(widths, sm.input.curves, strict=True)}
    failed = {w: failed_seeds(table, constant) for w, table in curves.items()}
    parameters = dict(zip(widths, sm.params.parameters, strict=True))
    fig = capacity_figure(curves, parameters, sm.params.variant, failed)
    save_figure(fig, sm.output[0], sm.params.dpi)
