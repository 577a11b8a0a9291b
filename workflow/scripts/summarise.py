"""Rule summarise: evaluate every trained model, then summary.csv, summary_per_seed.csv,
summary.md and the report's summary page."""

import torch

from aeflow.autoencoder.evaluation import summarise
from aeflow.autoencoder.observations import header
from aeflow.autoencoder.samples import sample_count
from aeflow.autoencoder.summary import full_table, shown_table
from aeflow.autoencoder.tables import SAMPLES
from aeflow.core.atomic import write_csv, write_text
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown
from aeflow.core.tables import read_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    table, per_seed, notes = summarise(
        sm.input.samples,
        sm.params.models,
        list(sm.input.checkpoints),
        list(sm.input.losses),
        shift=sm.input.shift,
        codes=dict(zip(sm.params.variants, sm.input.codes, strict=True)),
        bounds=dict(zip(sm.params.variants, sm.input.bounds, strict=True)),
        retrain_bounds=sm.input.retrain_bounds,
    )
    write_csv(table, sm.output.table)
    write_csv(per_seed, sm.output.per_seed)
    top = header(per_seed, sample_count(read_table(sm.input.samples, SAMPLES)))
    write_text(sm.output.markdown, to_markdown(shown_table(table), notes, header=top))
    write_text(
        sm.output.html, to_html(shown_table(table), notes, header=top, full=full_table(table))
    )
