"""Rule summarise_playground: numbers of every trial, observations, the report's page."""

from aeflow.core.atomic import write_csv, write_text
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown
from aeflow.playground.summary import summarise

TITLE = "Playground experiments (bonus)"

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    table, notes = summarise(
        list(sm.params.trials),
        list(sm.input.curves),
        list(sm.input.points),
        list(sm.input.weights),
        list(sm.params.records),
        sm.params.baseline,
    )
    write_csv(table, sm.output.table)
    write_text(sm.output.markdown, to_markdown(table, notes, TITLE))
    write_text(sm.output.html, to_html(table, notes, TITLE))
