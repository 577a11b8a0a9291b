"""Rule plot_playground_baseline: decision map and loss curves of the baseline trial."""

import pandas as pd

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.playground.plots import baseline_figure
from aeflow.playground.runs import describe

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    fig = baseline_figure(
        pd.read_csv(sm.input.boundary),
        pd.read_csv(sm.input.points),
        pd.read_csv(sm.input.curves),
        title=f"Baseline: {describe(sm.params.settings)}",
    )
    save_figure(fig, sm.output[0], sm.params.dpi)
