"""Rule plot_playground_weights: weight matrices per layer under each regularisation
(the first seed of each trial)."""

from aeflow.core.figures import save_figure
from aeflow.core.jobs import job_log
from aeflow.playground.plots import first_seed, trial_rows, weights_figure
from aeflow.playground.summary import read_chunks
from aeflow.playground.tables import WEIGHTS

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    weights = read_chunks(list(sm.input), WEIGHTS)
    tables = {
        label: first_seed(trial_rows(weights, trial))
        for label, trial in zip(sm.params.labels, sm.params.trials, strict=True)
    }
    save_figure(weights_figure(tables, sm.params.features), sm.output[0], sm.params.dpi)
