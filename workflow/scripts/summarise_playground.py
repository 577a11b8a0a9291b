"""Rule summarise_playground: the claims (claims.csv) and the Playground's summary pages,
from the per-seed numbers (pandas only)."""

from pathlib import Path

import pandas as pd

from aeflow.core.atomic import write_csv, write_text
from aeflow.core.claims import frame
from aeflow.core.jobs import job_log
from aeflow.core.report import to_html, to_markdown
from aeflow.core.twostage import Design
from aeflow.playground.summary import display_table, header, summarise

TITLE = "Playground experiments (bonus)"

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    table, per_seed = pd.read_csv(sm.input.table), pd.read_csv(sm.input.per_seed)
    trials = dict(zip(sm.params.sweeps, sm.input.trials, strict=True))
    searches = {sweep: pd.read_csv(trials[sweep]) for sweep in sm.params.searches}
    sections, claims = summarise(
        table,
        per_seed,
        searches,
        int(sm.params.epochs),
        dict(sm.params.margins),
        Design.from_config(dict(sm.params.design)),
    )
    write_csv(frame(claims), sm.output.claims)
    figures = {Path(path).stem: path for path in sm.input.figures}
    shown, top = display_table(table), header(per_seed)
    write_text(sm.output.markdown, to_markdown(shown, sections, TITLE, top))
    write_text(sm.output.html, to_html(shown, sections, TITLE, top, full=table, figures=figures))
