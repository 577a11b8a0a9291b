"""Rule plot_optimizer_comparison: part (h), SGD vs GD by training examples seen, on the
loss over the whole training set (and, separately, the recorded mini-batch losses)."""

from aeflow.autoencoder.failures import failed_seeds, replica_constants
from aeflow.autoencoder.plots_training import optimizer_comparison_figure
from aeflow.autoencoder.samples import read_samples
from aeflow.autoencoder.tables import CURVES, LOSSES
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.tables import read_tables

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    labels = list(sm.params.labels)
    constant = replica_constants(read_samples(sm.input.samples))  # one per replica
    curves = read_tables(list(sm.input.curves), CURVES, labels)
    fig = optimizer_comparison_figure(
        curves,
        read_tables(list(sm.input.losses), LOSSES, labels),
        {label: failed_seeds(table, constant) for label, table in curves.items()},
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
