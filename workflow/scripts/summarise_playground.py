"""Rule summarise_playground: numbers of every trial over its seeds, observations, the
report's page, the raw per-seed numbers, and each sweep's tidy trials table."""

from aeflow.core.atomic import write_csv, write_text
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown
from aeflow.playground.summary import display_table, header, summarise

TITLE = "Playground experiments (bonus)"

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    sweeps = dict(sm.params.sweeps)
    table, per_seed, tables, notes = summarise(
        list(sm.input.metrics),
        list(sm.params.trials),
        list(sm.params.records),
        sweeps,
        list(sm.params.searches),
        dict(sm.params.settings),
    )
    write_csv(table, sm.output.table)
    write_csv(per_seed, sm.output.per_seed)
    for sweep, path in zip(sweeps, sm.output.trials, strict=True):
        write_csv(tables[sweep], path)
    shown, top = display_table(table), header(per_seed)
    write_text(sm.output.markdown, to_markdown(shown, notes, TITLE, top))
    write_text(sm.output.html, to_html(shown, notes, TITLE, top, full=table))
