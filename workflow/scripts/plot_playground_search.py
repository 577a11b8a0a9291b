"""Rule plot_playground_search: a grid or random sweep's trials, as a heat map (a grid over
two settings) or as the test loss against each varied setting."""

import pandas as pd

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.core.sweep_figures import search_figure

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    fig = search_figure(pd.read_csv(sm.input[0]), sm.params.form, "test_loss")
    fig.suptitle(f"Sweep {sm.wildcards.sweep}: " + fig.get_suptitle(), fontsize="medium")
    save_figure(fig, sm.output[0], sm.params.dpi)
