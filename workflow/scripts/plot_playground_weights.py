"""Rule plot_playground_weights: weight matrices per layer under each regularisation."""

from aeflow.core.figures import read_tables, save_figure
from aeflow.core.jobs import job_log
from aeflow.playground.plots import weights_figure

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    tables = read_tables(list(sm.input), list(sm.params.labels))
    save_figure(weights_figure(tables, sm.params.features), sm.output[0], sm.params.dpi)
