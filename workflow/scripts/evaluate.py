"""Rule evaluate: summary rows (MSEs, PCA check, loss statistics) of a trained model, one
per seed replica."""

import pandas as pd

from aeflow.analysis import model_metrics
from aeflow.atomic import write_csv
from aeflow.checkpoints import load_replicas
from aeflow.data import TEST, TRAIN, load_points
from aeflow.jobs import job_log
from aeflow.summary import retrain_row_extras, summary_row

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    train, test = load_points(sm.input.samples, TRAIN), load_points(sm.input.samples, TEST)
    losses = pd.read_csv(sm.input.losses)
    rows = []
    for model, (seed, seed_losses) in zip(
        load_replicas(sm.input.model), losses.groupby("seed"), strict=True
    ):
        row = summary_row(
            sm.wildcards.name,
            sm.params.role,
            sm.params.label,
            model_metrics(model, train, test),
            sm.params.training,
            seed_losses,
        )
        row["seed"] = seed
        if hasattr(sm.input, "shift"):  # only the retrained model has a latent shift
            row.update(retrain_row_extras(pd.read_csv(sm.input.shift)))
        rows.append(row)
    write_csv(pd.DataFrame(rows), sm.output[0])
