"""The summary table: measured numbers per trained model and seed replica, and their
mean and spread over seeds. pandas/NumPy only; the sentences are in ``observations``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.settings import REPORTED_TRAINING
from aeflow.core.stats import last_epoch_mean, order_swaps, roughness

COLUMNS = [
    "model",
    "role",
    "label",
    "width",
    "parameters",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "final_train_loss",
    "train_mse",
    "test_mse",
    "generalisation_gap",
    "loss_roughness",
    "constant_mse",
    "pca_optimum_mse",
    "test_pca_optimum_mse",
    "pca_ratio",
    "pca_angle_deg",
    "order_swaps",
    "order_swap_fraction",
    # Part (h), optimiser runs only: on the loss over the whole training set, interpolated
    # to one grid of training examples seen shared by the runs compared.
    "matched_examples",
    "full_train_loss",
    "full_test_loss",
    "examples_to_level",
    "full_loss_roughness",
    # Part (h): why the mini-batch curve is noisy (see batch_noise).
    "batch_scatter",
    "epoch_change",
    "noise_ratio",
]
SETTINGS = [
    "role",
    "label",
    "width",
    "parameters",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
]
# Measured, yet the same in every seed (fixed by the data or the settings): no spread.
CONSTANT = ["constant_mse", "pca_optimum_mse", "test_pca_optimum_mse", "matched_examples"]
SPREAD = [c for c in COLUMNS if c not in ("model", *SETTINGS, *CONSTANT)]
SPREAD_STATISTICS = ("std", "min", "max")  # std with ddof=0, like core.claims.Spread


def summary_row(
    model: str,
    role: str,
    label: str,
    metrics: dict,
    training: dict,
    losses: pd.DataFrame,
) -> dict:
    """One row of summary.csv for a trained model."""
    row = {
        "model": model,
        "role": role,
        "label": label,
        **{key: training.get(key) for key in REPORTED_TRAINING},
        **metrics,
        "final_train_loss": last_epoch_mean(losses),
        "loss_roughness": roughness(losses["loss"].to_numpy()),
    }
    row["generalisation_gap"] = row["test_mse"] - row["train_mse"]
    return row


def retrain_row_extras(shift: pd.DataFrame) -> dict:
    """Latent order swaps between the original and the retrained encoder."""
    swaps = order_swaps(shift["z_before"].to_numpy(), shift["z_after"].to_numpy())
    n = len(shift)
    return {"order_swaps": swaps, "order_swap_fraction": swaps / (n * (n - 1) / 2)}


LEVEL_MARGIN = 1.1  # the loss level of "examples to reach" is 1.1 x the worst final loss


def compare_optimizers(curves: dict[str, pd.DataFrame]) -> dict[tuple[str, int], dict]:
    """Part (h) on matched quantities: each run's loss over the whole training set (and the
    held-out set), read at the same grid of training examples seen for every run.

    ``curves``: run name -> per-epoch table (epoch, examples_seen, train_loss, test_loss,
    seed). The grid runs from 0 to the smallest total any run saw, in steps of the largest
    epoch size; curves are linearly interpolated onto it. Returns, per (run, seed): the
    grid's end, the losses there, the examples seen until the training-set loss first
    falls to the level ``LEVEL_MARGIN`` x the worst run's mean final loss (NaN where a
    seed never gets there: not reached), and the roughness of the interpolated
    training-set curve.
    """
    end = min(float(c["examples_seen"].max()) for c in curves.values())
    step = max(float(c.loc[c["epoch"] == 1, "examples_seen"].iloc[0]) for c in curves.values())
    grid = np.arange(0.0, end + step / 2, step)
    grid = grid[grid <= end]
    on_grid = {
        (run, int(seed)): (
            np.interp(grid, part["examples_seen"], part["train_loss"]),
            np.interp(grid, part["examples_seen"], part["test_loss"]),
        )
        for run, table in curves.items()
        for seed, part in table.groupby("seed")
    }
    finals = pd.Series({key: train[-1] for key, (train, _) in on_grid.items()})
    level = LEVEL_MARGIN * finals.groupby(level=0).mean().max()
    return {
        key: {
            "matched_examples": grid[-1],
            "full_train_loss": train[-1],
            "full_test_loss": test[-1],
            "examples_to_level": _first_reached(grid, train, level),
            "full_loss_roughness": roughness(train),
            "level": level,
        }
        for key, (train, test) in on_grid.items()
    }


def _first_reached(grid: np.ndarray, loss: np.ndarray, level: float) -> float:
    """Examples seen when ``loss`` first falls to ``level``; NaN if it never does."""
    below = np.flatnonzero(loss <= level)
    return float(grid[below[0]]) if below.size else float("nan")


def batch_noise(losses: pd.DataFrame, curves: pd.DataFrame, settled_fraction: float = 0.5) -> dict:
    """Why a mini-batch loss curve is noisy, for one seed: over the last
    ``settled_fraction`` of the epochs, the mean spread (std) of the batch losses within an
    epoch, the mean absolute change of the loss over the whole training set during an
    epoch, and their ratio. A ratio far above 1 says the batch losses scatter because each
    batch holds other points, not because the model changes (within an epoch the model
    moves its whole-set loss by about ``epoch_change`` only). NaN with one batch per epoch.

    ``losses``: step, epoch (0-based), loss; ``curves``: epoch (0 = untrained; epoch e + 1
    is after the batches of loss-epoch e), train_loss.
    """
    per_epoch = losses.groupby("epoch")["loss"]
    if per_epoch.size().max() < 2:
        nan = float("nan")
        return {"batch_scatter": nan, "epoch_change": nan, "noise_ratio": nan}
    epochs = np.sort(losses["epoch"].unique())
    settled = epochs[int(len(epochs) * (1 - settled_fraction)) :]
    scatter = per_epoch.std(ddof=0).loc[settled].mean()
    full = curves.set_index("epoch")["train_loss"]
    change = float(np.mean(np.abs(full.loc[settled + 1].to_numpy() - full.loc[settled].to_numpy())))
    ratio = scatter / change if change > 0 else float("inf")
    return {"batch_scatter": float(scatter), "epoch_change": change, "noise_ratio": float(ratio)}


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """One row per trained model: the mean over seed replicas of every measured number,
    the number of seeds, and each number's spread over seeds (``{column}_std``, ``_min``,
    ``_max``; the raw values are in ``per_seed_table``)."""
    per_seed = pd.DataFrame(rows)
    if "seed" not in per_seed:
        per_seed["seed"] = 0
    groups = per_seed.groupby(["model", "role"], sort=False)
    metrics = [c for c in COLUMNS if c not in SETTINGS and c != "model" and c in per_seed]
    settings = [c for c in SETTINGS if c != "role" and c in per_seed]
    table = groups.agg({**{c: "first" for c in settings}, **{c: "mean" for c in metrics}})
    table["seeds"] = groups.size()
    spread = [c for c in SPREAD if c in per_seed]
    for statistic in SPREAD_STATISTICS:
        for column in spread:
            values = groups[column]
            table[f"{column}_{statistic}"] = (
                values.std(ddof=0) if statistic == "std" else values.agg(statistic)
            )
    table = table.reset_index().reindex(columns=[*COLUMNS, "seeds", *spread_columns()])
    return table.astype({"width": "Int64"})  # capacity runs only: integers, else empty


def spread_columns(statistics: tuple[str, ...] = SPREAD_STATISTICS) -> list[str]:
    return [f"{column}_{statistic}" for statistic in statistics for column in SPREAD]


def per_seed_table(rows: list[dict]) -> pd.DataFrame:
    """The raw numbers: one row per trained model and seed replica."""
    return pd.DataFrame(rows).reindex(columns=[*COLUMNS, "seed"]).astype({"width": "Int64"})


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The summary pages' compact table (at most ``report.COMPACT_COLUMNS`` columns): per
    model the headline numbers as mean ± std over seeds. Every column is in summary.csv
    and, collapsed, on the HTML page (``full_table``)."""

    def spread(column: str) -> pd.Series:
        if column not in table or table[column].isna().all():
            return pd.Series([""] * len(table), index=table.index)
        return table.apply(
            lambda row: (
                ""
                if pd.isna(row[column])
                else f"{row[column]:.3g} ± {row[f'{column}_std']:.2g}"
                if row["seeds"] > 1
                else f"{row[column]:.3g}"
            ),
            axis=1,
        )

    shown = pd.DataFrame(
        {
            "model": table["model"],
            "role": table["role"],
            "seeds": table["seeds"],
            "parameters": table["parameters"],
            "training MSE": spread("train_mse"),
            "held-out MSE": spread("test_mse"),
            "gap": spread("generalisation_gap"),
            "final training loss": spread("final_train_loss"),
            "MSE / PCA optimum": spread("pca_ratio"),
            "whole-set loss (h)": spread("full_train_loss"),
            "order swaps (g)": spread("order_swap_fraction"),
        }
    )
    empty = [c for c in shown if shown[c].dtype == object and (shown[c] == "").all()]
    return shown.drop(columns=empty)


def full_table(table: pd.DataFrame) -> pd.DataFrame:
    """Every column of summary.csv but the ranges (the HTML page's collapsed table)."""
    return table.drop(columns=[c for c in table if c.endswith(("_min", "_max"))])
