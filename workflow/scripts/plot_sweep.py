"""Rule plot_sweep: an autoencoder sweep's trials, as a heat map (a grid over two
settings) or as the held-out MSE against each varied setting."""

from aeflow.autoencoder.tables import SWEEP_TRIALS
from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.sweep_figures import sweep_figure
from aeflow.core.tables import read_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    trials = read_table(sm.input[0], SWEEP_TRIALS)
    fig = sweep_figure(trials, sm.wildcards.sweep, sm.params.form, "test_mse")
    save_figure(fig, sm.output[0], sm.params.dpi)
