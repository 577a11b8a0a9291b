"""Rule plot_optimizer_comparison: part (h), SGD vs GD by training examples seen, on the
loss over the whole training set (and, separately, the recorded mini-batch losses)."""

from aeflow.autoencoder.plots import optimizer_comparison_figure
from aeflow.autoencoder.tables import CURVES, LOSSES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    fig = optimizer_comparison_figure(
        read_tables(list(sm.input.curves), CURVES, list(sm.params.labels)),
        read_tables(list(sm.input.losses), LOSSES, list(sm.params.labels)),
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
