"""Rule evaluate: every trained model measured per seed replica: summary.csv and
summary_per_seed.csv (the numbers every claim is computed from)."""

import torch

from aeflow.autoencoder.evaluation import evaluate
from aeflow.core.atomic import write_csv
from aeflow.core.jobs import job_log

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    torch.set_num_threads(sm.threads)
    table, per_seed = evaluate(
        sm.input.samples,
        sm.params.models,
        list(sm.input.checkpoints),
        list(sm.input.losses),
        shift=sm.input.shift,
        codes=dict(zip(sm.params.variants, sm.input.codes, strict=True)),
        bounds=dict(zip(sm.params.variants, sm.input.bounds, strict=True)),
        retrain_bounds=sm.input.retrain_bounds,
        initial=dict(zip(sm.params.variants, sm.input.initial, strict=True)),
    )
    write_csv(table, sm.output.table)
    write_csv(per_seed, sm.output.per_seed)
