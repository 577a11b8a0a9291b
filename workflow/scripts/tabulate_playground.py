"""Rule tabulate_playground: every trial's numbers over its seeds (summary.csv), the raw
per-seed numbers, and each sweep's tidy trials table."""

from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log
from aeflow.playground.summary import tabulate

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    sweeps = dict(sm.params.sweeps)
    table, per_seed, tables = tabulate(
        list(sm.input.metrics),
        list(sm.params.trials),
        list(sm.params.records),
        sweeps,
        list(sm.params.searches),
        dict(sm.params.settings),
        seeds=int(sm.params.seeds),
    )
    write_csv(table, sm.output.table)
    write_csv(per_seed, sm.output.per_seed)
    for sweep, path in zip(sweeps, sm.output.trials, strict=True):
        write_csv(tables[sweep], path)
