"""Rule summarise: the claims (claims.csv) and the summary pages, from the per-seed
numbers (pandas only)."""

from pathlib import Path

import pandas as pd

from aeflow.autoencoder.findings import header, observations
from aeflow.autoencoder.samples import read_samples, sample_count
from aeflow.autoencoder.summary import full_table, shown_table
from aeflow.core.atomic import write_csv, write_text
from aeflow.core.claims import frame
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown
from aeflow.core.twostage import Design

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    table, per_seed = pd.read_csv(sm.input.table), pd.read_csv(sm.input.per_seed)
    design = Design.from_config(dict(sm.params.design))
    sections, claims = observations(per_seed, dict(sm.params.margins), design)
    write_csv(frame(claims), sm.output.claims)
    top = header(per_seed, sample_count(read_samples(sm.input.samples)))
    figures = {Path(path).stem: path for path in sm.input.figures}
    shown = shown_table(table)
    write_text(sm.output.markdown, to_markdown(shown, sections, header=top))
    write_text(
        sm.output.html,
        to_html(shown, sections, header=top, full=full_table(table), figures=figures),
    )
