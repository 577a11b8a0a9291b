"""Summary rows of trained models: loads checkpoints, so it imports torch (summary.py
does not)."""

from __future__ import annotations

import os

import pandas as pd

from aeflow.autoencoder.analysis import model_metrics
from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.data import TEST, TRAIN, load_points
from aeflow.autoencoder.observations import observations
from aeflow.autoencoder.summary import (
    batch_noise,
    compare_optimizers,
    per_seed_table,
    retrain_row_extras,
    summary_row,
    summary_table,
)
from aeflow.autoencoder.tables import CURVES, LATENT_SHIFT, LOSSES
from aeflow.core.tables import read_table


def evaluate_models(
    samples: str | os.PathLike[str],
    models: list[dict],
    checkpoints: list[str],
    losses: list[str],
    shift: str | None = None,
) -> list[dict]:
    """One row per seed replica of every model.

    ``models`` holds, per checkpoint, its ``name``, ``role`` ('variant', 'optimizer run',
    'retrained' or 'capacity'), ``label``, ``training`` settings, ``curves`` (the per-epoch
    full-set losses of an optimiser run, compared in part (h); empty for other models) and,
    for a capacity run, its ``width``; ``shift`` is the latent shift table of the retrained
    model, per seed replica.
    """
    train, test = load_points(samples, TRAIN), load_points(samples, TEST)
    shift_extras = (
        {
            int(seed): retrain_row_extras(part)
            for seed, part in read_table(shift, LATENT_SHIFT).groupby("seed")
        }
        if shift is not None
        else {}
    )
    curves = {
        info["name"]: read_table(info["curves"], CURVES) for info in models if info.get("curves")
    }
    compared = compare_optimizers(curves) if len(curves) >= 2 else {}
    rows = []
    for info, checkpoint, loss_path in zip(models, checkpoints, losses, strict=True):
        loss_table = read_table(loss_path, LOSSES)
        replicas = load_replicas(checkpoint)
        for model, (seed, seed_losses) in zip(replicas, loss_table.groupby("seed"), strict=True):
            row = summary_row(
                info["name"],
                info["role"],
                info["label"],
                model_metrics(model, train, test),
                info["training"],
                seed_losses,
            )
            row["seed"] = seed
            if "width" in info:
                row["width"] = info["width"]
            if (info["name"], int(seed)) in compared:
                extras = compared[(info["name"], int(seed))]
                row.update({k: v for k, v in extras.items() if k != "level"})
                seed_curves = curves[info["name"]]
                row.update(batch_noise(seed_losses, seed_curves[seed_curves["seed"] == seed]))
            if info["role"] == "retrained":
                row.update(shift_extras[int(seed)])
            rows.append(row)
    return rows


def summarise(
    samples: str | os.PathLike[str],
    models: list[dict],
    checkpoints: list[str],
    losses: list[str],
    shift: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The summary table (one row per model), the per-seed table and the observations."""
    rows = evaluate_models(samples, models, checkpoints, losses, shift)
    per_seed = per_seed_table(rows)
    return summary_table(rows), per_seed, observations(per_seed)
