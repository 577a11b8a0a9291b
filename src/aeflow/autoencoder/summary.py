"""The summary table: measured numbers per trained model and seed replica, and their
mean and spread over seeds. pandas/NumPy only; the sentences are in ``observations``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aeflow.autoencoder.settings import REPORTED_TRAINING
from aeflow.core.plateau import Plateau
from aeflow.core.stats import (
    last_epoch_mean,
    order_swaps,
    rank_correlation,
    roughness,
)

# What a model's row says about how it was trained (the same in every seed).
SETTINGS = [
    "role",
    "label",
    "width",
    "n_train",  # part (e): the capacity run's training-set size (the first n points)
    "parameters",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    # Part (e): the capacity runs' schedule, recording interval and stopping rule.
    "schedule",
    "record_every",
    "stop_window",
    "stop_tolerance",
]
COLUMNS = [
    "model",
    *SETTINGS,
    "final_train_loss",
    "train_mse",
    "test_mse",
    "generalisation_gap",
    "loss_roughness",
    "dead_network",  # 1: some hidden ReLU layer silent on every training point (set aside)
    "constant_mse",
    "pca_optimum_mse",
    "test_pca_optimum_mse",
    "pca_ratio",
    "pca_angle_deg",
    "order_swaps",
    "order_swap_fraction",
    "spearman_old_new",  # part (g): rank correlation of the retrained code with the original
    # Part (c): Spearman's rank correlation of the code with x and with y over the training
    # points, before (init) and after training.
    "spearman_zx_before",
    "spearman_zy_before",
    "spearman_zx",
    "spearman_zy",
    # Part (c): share of untrained draws with a smaller |rho| (initial.py), their mean |rho|.
    "rho_zx_init_percentile",
    "rho_zy_init_percentile",
    "init_abs_rho_zx_mean",
    "init_abs_rho_zy_mean",
    # Parts (d), (g): the nearest-point bound of the trained (for the retrained encoder: the
    # frozen) decoder's curve, what the encoder adds above it, where that comes from, and
    # the share of the training points' codes the decoder sweeps cover (autoencoder.projection,
    # tables.BOUNDS).
    "bound_train_mse",
    "bound_test_mse",
    "bound_grid_gap",
    "encoder_train_excess",
    "encoder_test_excess",
    "fold_share_test",
    "fold_excess_share_test",
    "sweep_coverage",
    "sweep_coverage_before",
    # Part (h), optimiser runs only: on the loss over the whole training set, read at the
    # same number of training examples seen by every run compared, and at the same number
    # of updates (optimiser steps); when it first reaches one level, on both axes; and the
    # number of epochs in which it rose.
    "matched_examples",
    "full_train_loss",
    "full_test_loss",
    "examples_to_2x",  # examples seen when the loss first reaches 2x the best run's final
    "updates_per_epoch",
    "matched_updates",
    "updates_train_loss",
    "updates_to_2x",
    "examples_to_1.1x",  # ... and 1.1x it (NaN: not reached within the matched examples)
    "updates_to_1.1x",
    "best_final_loss",  # the best run's mean loss at the matched examples: the levels' base
    "full_loss_rises",
    # Part (h): why the mini-batch curve is noisy (see batch_noise).
    "batch_scatter",
    "epoch_change",
    "noise_ratio",
    # Part (e), capacity runs only (capacity_extras): the held-out MSE at its lowest over
    # the records and that record's epoch, the epoch the run stopped, the first epoch the
    # seed had plateaued (NaN: never), and the held-out MSE of the PCA of its training set.
    "best_test_mse",
    "best_test_epoch",
    "stop_epoch",
    "plateau_epoch",
    "pca_fit_test_mse",
    # Part (e), capacity runs only, chosen on the validation points (data.n_validation),
    # never on the held-out set: the validation MSE at the last record, the record with the
    # lowest validation MSE (the first if tied) and the held-out MSE there (NaN: none).
    "validation_mse",
    "best_validation_epoch",
    "test_at_best_validation",
]
# Settings of the capacity runs only: integers there, empty elsewhere.
INTEGER_SETTINGS = {
    "width": "Int64",
    "n_train": "Int64",
    "record_every": "Int64",
    "stop_window": "Int64",
}
# Measured, yet the same in every seed (fixed by the data or the settings): no spread.
CONSTANT = [
    "best_final_loss",
    "constant_mse",
    "pca_optimum_mse",
    "test_pca_optimum_mse",
    "init_abs_rho_zx_mean",
    "init_abs_rho_zy_mean",
    "matched_examples",
    "updates_per_epoch",
    "matched_updates",
    "pca_fit_test_mse",
]
SPREAD = [c for c in COLUMNS if c not in ("model", *SETTINGS, *CONSTANT)]
SPREAD_STATISTICS = ("std", "min", "max")  # std: the sample SD (n - 1), as core.numbers prints it


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
    """Latent order swaps between the original and the retrained encoder, and the rank
    correlation of the new code with the old (one replica's latent shift table)."""
    before, after = shift["z_before"].to_numpy(), shift["z_after"].to_numpy()
    swaps = order_swaps(before, after)
    n = len(shift)
    return {
        "order_swaps": swaps,
        "order_swap_fraction": swaps / (n * (n - 1) / 2),
        "spearman_old_new": rank_correlation(before, after),
    }


def latent_order_extras(codes: pd.DataFrame) -> dict:
    """Part (c), one replica: Spearman's rank correlation of the code z with x and with y
    over the training points, before and after training (``tables.LATENT_CODES`` rows)."""
    extras = {}
    for stage, suffix in (("before", "_before"), ("after", "")):
        part = codes[codes["stage"] == stage]
        if len(part):
            extras[f"spearman_zx{suffix}"] = rank_correlation(part["z"], part["x"])
            extras[f"spearman_zy{suffix}"] = rank_correlation(part["z"], part["y"])
    return extras


def init_percentile(trained: float, reference: np.ndarray) -> float:
    """Where |``trained``| lies among the absolute values of ``reference``: the share
    (0..1) of them below it, ties counting half. NaN values (constant codes) are left out
    of the reference; NaN when ``trained`` is NaN or no reference value remains."""
    values = np.abs(np.asarray(reference, dtype=float).ravel())
    values = values[~np.isnan(values)]
    value = abs(float(trained))
    if np.isnan(value) or not values.size:
        return float("nan")
    return float(((values < value).sum() + 0.5 * (values == value).sum()) / values.size)


def init_order_extras(extras: Mapping[str, float], reference: pd.DataFrame) -> dict:
    """Part (c), one trained replica against the reference of untrained draws
    (``tables.LATENT_INIT`` rows): the percentile of its trained |rho| of z with x and
    with y (``extras``: its ``latent_order_extras``) among the draws', and the draws' mean
    |rho| (NaN draws left out)."""
    found = {}
    for axis in ("x", "y"):
        rho = np.abs(reference[f"rho_z{axis}"].to_numpy(dtype=float))
        trained = extras.get(f"spearman_z{axis}", float("nan"))
        found[f"rho_z{axis}_init_percentile"] = init_percentile(trained, rho)
        present = rho[~np.isnan(rho)]
        found[f"init_abs_rho_z{axis}_mean"] = (
            float(present.mean()) if present.size else float("nan")
        )
    return found


def bound_extras(bounds: pd.DataFrame, stage: str) -> dict:
    """Parts (d), (g), one replica: the summary's columns from its ``tables.BOUNDS`` rows of
    ``stage``: the nearest-point bound per split, how much a halved grid raises it (the
    larger of the two splits), the encoder's MSE above it, the held-out fold shares and the
    sweep's coverage of the training codes (and of ``before``'s, where the table has it)."""
    rows = bounds[bounds["stage"] == stage].set_index("split")
    train, test = rows.loc["train"], rows.loc["test"]
    extras = {
        "bound_train_mse": train["bound_mse"],
        "bound_test_mse": test["bound_mse"],
        "bound_grid_gap": max(
            train["bound_mse_coarse"] - train["bound_mse"],
            test["bound_mse_coarse"] - test["bound_mse"],
        ),
        "encoder_train_excess": train["mse"] - train["bound_mse"],
        "encoder_test_excess": test["mse"] - test["bound_mse"],
        "fold_share_test": test["fold_share"],
        "fold_excess_share_test": test["fold_excess_share"],
        "sweep_coverage": train["sweep_coverage"],
    }
    before = bounds[(bounds["stage"] == "before") & (bounds["split"] == "train")]
    if stage == "after" and len(before):
        extras["sweep_coverage_before"] = before["sweep_coverage"].iloc[0]
    return {key: float(value) for key, value in extras.items()}


def capacity_extras(curves: pd.DataFrame, protocol: dict) -> dict:
    """Part (e), one seed of a capacity run: from its whole-set records (epoch,
    train_loss, test_loss, validation_loss), the lowest held-out MSE over training and its
    epoch (the first such record), the epoch the run stopped (its last record), the first
    epoch at which the seed had plateaued by the run's stopping rule (NaN: never, or no
    rule), and ``validation_extras``; ``protocol``: the run's n_train, schedule,
    record_every, stop_window, stop_tolerance."""
    curves = curves.sort_values("epoch")
    epochs, test = curves["epoch"].to_numpy(), curves["test_loss"].to_numpy()
    best = int(np.argmin(test))
    plateau = float("nan")
    if protocol["stop_window"]:
        rule = Plateau(
            protocol["stop_window"], protocol["stop_tolerance"], protocol["record_every"]
        )
        first = int(rule.first_plateau(curves["train_loss"].to_numpy())[0])
        plateau = float(epochs[first]) if first >= 0 else float("nan")
    return {
        **{key: protocol[key] for key in INTEGER_SETTINGS if key in protocol},
        **{key: protocol[key] for key in ("schedule", "stop_tolerance")},
        "best_test_mse": float(test[best]),
        "best_test_epoch": int(epochs[best]),
        "stop_epoch": int(epochs[-1]),
        "plateau_epoch": plateau,
        **validation_extras(curves),
    }


def validation_extras(curves: pd.DataFrame) -> dict:
    """Part (e), one seed's records (epoch, test_loss, validation_loss): the validation
    MSE at the last record, the epoch of the record with the lowest validation MSE (the
    first such record) and the held-out MSE at that record: an epoch chosen without looking
    at the held-out set. All NaN without validation points (no or an all-NaN
    ``validation_loss``)."""
    curves = curves.sort_values("epoch")
    names = ("validation_mse", "best_validation_epoch", "test_at_best_validation")
    none = dict.fromkeys(names, float("nan"))
    if "validation_loss" not in curves:
        return none
    validation = curves["validation_loss"].to_numpy(dtype=float)
    finite = np.flatnonzero(np.isfinite(validation))
    if not finite.size:
        return none
    best = int(finite[np.argmin(validation[finite])])  # argmin: the first of equal minima
    return {
        "validation_mse": float(validation[-1]),
        "best_validation_epoch": int(curves["epoch"].iloc[best]),
        "test_at_best_validation": float(curves["test_loss"].iloc[best]),
    }


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
    spreads = {
        f"{column}_{statistic}": (
            groups[column].std(ddof=1) if statistic == "std" else groups[column].agg(statistic)
        )
        for statistic in SPREAD_STATISTICS
        for column in spread
    }
    table = pd.concat([table, pd.DataFrame(spreads, index=table.index)], axis=1)
    table = table.reset_index().reindex(columns=[*COLUMNS, "seeds", *spread_columns()])
    return table.astype(INTEGER_SETTINGS)  # capacity runs only: integers, else empty


def spread_columns(statistics: tuple[str, ...] = SPREAD_STATISTICS) -> list[str]:
    return [f"{column}_{statistic}" for statistic in statistics for column in SPREAD]


def per_seed_table(rows: list[dict]) -> pd.DataFrame:
    """The raw numbers: one row per trained model and seed replica."""
    return pd.DataFrame(rows).reindex(columns=[*COLUMNS, "seed"]).astype(INTEGER_SETTINGS)


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
            "held-out nearest-point bound (d, g)": spread("bound_test_mse"),
        }
    )
    empty = [c for c in shown if shown[c].dtype == object and (shown[c] == "").all()]
    return shown.drop(columns=empty)


def full_table(table: pd.DataFrame) -> pd.DataFrame:
    """Every column of summary.csv but the ranges (the HTML page's collapsed table)."""
    return table.drop(columns=[c for c in table if c.endswith(("_min", "_max"))])
