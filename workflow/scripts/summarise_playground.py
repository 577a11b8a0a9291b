"""Rule summarise_playground: numbers of every trial, observations, the report's page."""

import pandas as pd

from aeflow.atomic import write_csv, write_text
from aeflow.jobs import job_log
from aeflow.playground.summary import observations, run_metrics, summary_table
from aeflow.summary import to_html, to_markdown

TITLE = "Playground experiments (bonus)"

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    metrics = {
        trial: run_metrics(pd.read_csv(curves), pd.read_csv(points), pd.read_csv(weights))
        for trial, curves, points, weights in zip(
            sm.params.trials, sm.input.curves, sm.input.points, sm.input.weights, strict=True
        )
    }
    table = summary_table(list(sm.params.records), metrics)
    notes = observations(table, sm.params.baseline)
    write_csv(table, sm.output.table)
    write_text(sm.output.markdown, to_markdown(table, notes, TITLE))
    write_text(sm.output.html, to_html(table, notes, TITLE))
