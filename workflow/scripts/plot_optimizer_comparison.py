"""Rule plot_optimizer_comparison: part (h), SGD vs GD by training examples seen, on the
loss over the whole training set (and, separately, the recorded mini-batch losses)."""

from aeflow.autoencoder.plots import optimizer_comparison_figure
from aeflow.core.figures import read_tables, save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    fig = optimizer_comparison_figure(
        read_tables(list(sm.input.curves), list(sm.params.labels)),
        read_tables(list(sm.input.losses), list(sm.params.labels)),
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
