"""Rule plot_playground_search: a grid or random sweep's trials, as a heat map (a grid over
two settings) or as the test loss against each varied setting."""

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.sweep_figures import sweep_figure
from aeflow.core.tables import read_table
from aeflow.playground.tables import SWEEP_TRIALS

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    trials = read_table(sm.input[0], SWEEP_TRIALS)
    fig = sweep_figure(trials, sm.wildcards.sweep, sm.params.form, "test_loss")
    save_figure(fig, sm.output[0], sm.params.dpi)
