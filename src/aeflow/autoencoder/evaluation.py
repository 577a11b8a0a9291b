"""Summary rows of trained models: loads checkpoints, so it imports torch (summary.py
does not)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pandas as pd

from aeflow.autoencoder.analysis import model_metrics
from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.data import TEST, TRAIN, load_points, replica_points
from aeflow.autoencoder.optimizer_runs import (
    batch_noise,
    compare_optimizers,
    updates_per_epoch,
)
from aeflow.autoencoder.pca import pca_optimum_mse, projection_mse
from aeflow.autoencoder.summary import (
    bound_extras,
    capacity_extras,
    init_order_extras,
    latent_order_extras,
    per_seed_table,
    retrain_row_extras,
    summary_row,
    summary_table,
)
from aeflow.autoencoder.tables import (
    BOUNDS,
    CAPACITY_LOSSES,
    CURVES,
    LATENT_CODES,
    LATENT_INIT,
    LATENT_SHIFT,
    LOSSES,
    RECORDED_CURVES,
)
from aeflow.core.tables import Table, read_table


def _per_seed(path: str | None, table: Table) -> dict[int, pd.DataFrame]:
    if path is None:
        return {}
    return {int(seed): part for seed, part in read_table(path, table).groupby("seed")}


def evaluate_models(
    samples: str | os.PathLike[str],
    models: list[dict],
    checkpoints: list[str],
    losses: list[str],
    shift: str | None = None,
    codes: Mapping[str, str] | None = None,
    bounds: Mapping[str, str] | None = None,
    retrain_bounds: str | None = None,
    initial: Mapping[str, str] | None = None,
) -> list[dict]:
    """One row per seed replica of every model.

    ``models`` holds, per checkpoint, its ``name``, ``role`` ('variant', 'optimizer run',
    'retrained' or 'capacity'), ``label``, ``training`` settings, ``curves`` (the per-epoch
    full-set losses of an optimiser run, compared in part (h); empty for other models) and,
    for a capacity run, its ``width`` and ``capacity`` (its training-set size ``n_train``:
    its MSE, constant and linear references are over the first n training points; its
    whole-set ``curves``; its schedule and stopping rule); ``shift`` is the latent shift
    table of the retrained model, per seed replica. Per variant name, ``codes`` is its
    latent codes table (part c) and ``bounds`` its nearest-point bounds (part d);
    ``retrain_bounds`` those of the retrained model's frozen decoder (part g); ``initial``
    its reference of untrained draws (part c, ``initial.initial_orders``), in which each
    replica's trained |rho| is placed (``summary.init_order_extras``). With one
    data sample per replica, replica k is measured on its own sample k (its MSE, constant
    and PCA references).
    """
    train, test = load_points(samples, TRAIN), load_points(samples, TEST)
    code_extras = {
        name: {
            seed: latent_order_extras(part) for seed, part in _per_seed(path, LATENT_CODES).items()
        }
        for name, path in (codes or {}).items()
    }
    references = {name: read_table(path, LATENT_INIT) for name, path in (initial or {}).items()}
    bound_rows = {name: _per_seed(path, BOUNDS) for name, path in (bounds or {}).items()}
    retrain_rows = _per_seed(retrain_bounds, BOUNDS)
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
    updates = {
        info["name"]: updates_per_epoch(read_table(path, LOSSES))
        for info, path in zip(models, losses, strict=True)
        if info["name"] in curves
    }
    compared = compare_optimizers(curves, updates) if len(curves) >= 2 else {}
    rows = []
    for info, checkpoint, loss_path in zip(models, checkpoints, losses, strict=True):
        capacity = info.get("capacity")
        loss_table = read_table(loss_path, CAPACITY_LOSSES if capacity else LOSSES)
        replicas = load_replicas(checkpoint)
        points = train[..., : capacity["n_train"], :] if capacity else train
        history = _per_seed(capacity["curves"], RECORDED_CURVES) if capacity else {}
        for k, (model, (seed, seed_losses)) in enumerate(
            zip(replicas, loss_table.groupby("seed"), strict=True)
        ):
            own, own_test = replica_points(points, k), replica_points(test, k)
            row = summary_row(
                info["name"],
                info["role"],
                info["label"],
                model_metrics(model, own, own_test),
                info["training"],
                seed_losses,
            )
            row["seed"] = seed
            if "width" in info:
                row["width"] = info["width"]
            if capacity:
                row.update(capacity_extras(history[int(seed)], capacity))
                # The linear references of the run's own training set (same latent size).
                fit, latent = own.double().numpy(), model.spec.latent_dim
                row["pca_optimum_mse"] = pca_optimum_mse(fit, latent)
                row["pca_fit_test_mse"] = projection_mse(fit, own_test.double().numpy(), latent)
            if (info["name"], int(seed)) in compared:
                extras = compared[(info["name"], int(seed))]
                row.update(extras)
                seed_curves = curves[info["name"]]
                row.update(batch_noise(seed_losses, seed_curves[seed_curves["seed"] == seed]))
            if info["role"] == "variant":
                row.update(code_extras.get(info["name"], {}).get(int(seed), {}))
                if info["name"] in references:
                    row.update(init_order_extras(row, references[info["name"]]))
                if int(seed) in bound_rows.get(info["name"], {}):
                    row.update(bound_extras(bound_rows[info["name"]][int(seed)], "after"))
            if info["role"] == "retrained":
                row.update(shift_extras[int(seed)])
                if int(seed) in retrain_rows:
                    row.update(bound_extras(retrain_rows[int(seed)], "retrained"))
            rows.append(row)
    return rows


def evaluate(
    samples: str | os.PathLike[str],
    models: list[dict],
    checkpoints: list[str],
    losses: list[str],
    **analyses: str | Mapping[str, str] | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary table (one row per model) and the per-seed table; ``analyses`` are
    ``evaluate_models``' keyword arguments."""
    rows = evaluate_models(samples, models, checkpoints, losses, **analyses)
    return summary_table(rows), per_seed_table(rows)
