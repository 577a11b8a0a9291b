"""Rule evaluate: one summary row (MSEs, PCA check, loss statistics) for a trained model."""

import pandas as pd

from aeflow.analysis import model_metrics
from aeflow.atomic import write_csv
from aeflow.checkpoints import load_autoencoder
from aeflow.data import TEST, TRAIN, load_points
from aeflow.jobs import job_log
from aeflow.summary import retrain_row_extras, summary_row

sm = snakemake  # noqa: F821 (injected by Snakemake)
with job_log(sm.log[0]):
    model = load_autoencoder(sm.input.model)
    metrics = model_metrics(
        model, load_points(sm.input.samples, TRAIN), load_points(sm.input.samples, TEST)
    )
    row = summary_row(
        sm.wildcards.name,
        sm.params.role,
        sm.params.label,
        metrics,
        sm.params.training,
        pd.read_csv(sm.input.losses),
    )
    if hasattr(sm.input, "shift"):  # only the retrained model has a latent shift
        row.update(retrain_row_extras(pd.read_csv(sm.input.shift)))
    write_csv(pd.DataFrame([row]), sm.output[0])
