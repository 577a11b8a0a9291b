"""Rule summarise: evaluate every trained model, then summary.csv, summary.md and the
report's summary page."""

import torch

from aeflow.atomic import write_csv, write_text
from aeflow.evaluation import evaluate_models
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
    torch.set_num_threads(sm.threads)
    rows = evaluate_models(
        sm.input.samples,
        sm.params.models,
        list(sm.input.checkpoints),
        list(sm.input.losses),
        shift=sm.input.shift,
    )
    table = summary_table(rows)
    notes = observations(table) + across_seeds(per_seed_table(rows), table)
    write_csv(table, sm.output.table)
    write_csv(per_seed_table(rows), sm.output.per_seed)
    write_text(sm.output.markdown, to_markdown(table, notes))
    write_text(sm.output.html, to_html(table, notes))
