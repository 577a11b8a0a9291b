"""Rule plot_playground_baseline: output map and loss curves of the baseline trial."""

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.playground.plots import baseline_figure, first_seed, trial_rows
from aeflow.playground.runs import describe
from aeflow.playground.summary import read_chunks, read_maps
from aeflow.playground.tables import CURVES, POINTS

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    trial = sm.params.trial
    fig = baseline_figure(
        trial_rows(read_maps(list(sm.input.boundary)), trial),
        first_seed(trial_rows(read_chunks(list(sm.input.points), POINTS), trial)),
        trial_rows(read_chunks(list(sm.input.curves), CURVES, sm.params.seeds), trial),
        title=f"Baseline: {describe(sm.params.settings)}",
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
