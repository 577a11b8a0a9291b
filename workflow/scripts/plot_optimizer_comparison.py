"""Rule plot_optimizer_comparison: loss against training examples seen (SGD vs GD)."""

from aeflow.autoencoder.plots import loss_curves_figure
from aeflow.core.figures import read_tables, save_figure
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    curves = read_tables(list(sm.input), list(sm.params.labels))
    fig = loss_curves_figure(curves, x="examples_seen", title="Loss by training examples seen")
    save_figure(fig, sm.output[0], sm.params.dpi)
