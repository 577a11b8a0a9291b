"""Rule summarise: summary.csv, summary.md and the report's summary page."""

import pandas as pd

from aeflow.atomic import write_csv, write_text
from aeflow.jobs import job_log
from aeflow.summary import (
    across_seeds,
    observations,
    per_seed_table,
    summary_table,
    to_html,
    to_markdown,
)

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    rows = pd.concat([pd.read_csv(p) for p in sm.input]).to_dict("records")
    table = summary_table(rows)
    notes = observations(table) + across_seeds(per_seed_table(rows), table)
    write_csv(table, sm.output.table)
    write_text(sm.output.markdown, to_markdown(table, notes))
    write_text(sm.output.html, to_html(table, notes))
