"""Rule summarise_sweeps: each autoencoder sweep's trials table, the best trials of every
sweep with their seed spread, and the observations."""

from aeflow.autoencoder.sweep_summary import summarise_sweeps
from aeflow.core.atomic import write_csv, write_text
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown

TITLE = "Autoencoder sweeps: the best trials of each"

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    points = dict(sm.params.points)
    tables, best, notes = summarise_sweeps(list(sm.input.metrics), points, dict(sm.params.variants))
    for sweep, path in zip(points, sm.output.trials, strict=True):
        write_csv(tables[sweep], path)
    write_csv(best, sm.output.table)
    write_text(sm.output.markdown, to_markdown(best, notes, TITLE))
    write_text(sm.output.html, to_html(best, notes, TITLE))
