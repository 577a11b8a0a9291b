"""Checkpoint plan_playground_seeds: the Playground pilot's claims
(results/pilot/playground/claims.csv) and the seeds every trial trains in the end
(results/playground/seeds.csv), from the pilot's per-seed numbers (pandas only;
aeflow.stages)."""

import pandas as pd

from aeflow.core.atomic import write_csv
from aeflow.core.claims import frame
from aeflow.core.jobs import job_log
from aeflow.core.twostage import Design
from aeflow.playground.summary import summarise
from aeflow.stages import COLUMNS, seeds_table

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]) as log:
    design = Design.from_config(dict(sm.params.design))
    trials = dict(zip(sm.params.sweeps, sm.input.trials, strict=True))
    _, claims = summarise(
        pd.read_csv(sm.input.table),
        pd.read_csv(sm.input.per_seed),
        {sweep: pd.read_csv(trials[sweep]) for sweep in sm.params.searches},
        int(sm.params.epochs),
        dict(sm.params.margins),
        design,
    )
    claims = frame(claims)
    write_csv(claims, sm.output.claims)
    plan = pd.DataFrame(seeds_table(dict(sm.params.runs), design.pilot, claims), columns=COLUMNS)
    write_csv(plan, sm.output.seeds)
    log.info("seeds per run: %s", dict(zip(plan["run"], plan["seeds"], strict=True)))
