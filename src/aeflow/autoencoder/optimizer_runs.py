"""Part (h), measured on cached tables: the optimiser runs' losses on one grid of training
examples seen and at equal updates, the examples and updates each takes to reach 2x and
1.1x the best run's final loss, the epochs its loss rose, and why a mini-batch curve is
noisy. pandas/NumPy only (figure jobs use ``updates_per_epoch``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aeflow.core.stats import rises

# Part (h)'s levels: multiples of the best run's mean loss at the matched examples: 2x
# (well under way) and 1.1x (converged to within 10% of the best any run got).
LEVELS = {"2x": 2.0, "1.1x": 1.1}


def updates_per_epoch(losses: pd.DataFrame) -> int:
    """Updates (optimiser steps) per epoch of a run: the mini-batch losses it recorded in
    one epoch (``tables.LOSSES``: one row per step and seed), the most of any epoch."""
    return int(losses.groupby(["seed", "epoch"]).size().max())


def compare_optimizers(
    curves: Mapping[str, pd.DataFrame], updates: Mapping[str, int]
) -> dict[tuple[str, int], dict]:
    """Part (h) on matched quantities: each run's loss over the whole training set (and the
    held-out set) at the same number of training examples seen for every run, and at the
    same number of updates taken.

    ``curves``: run name -> per-epoch table (epoch, examples_seen, train_loss, test_loss
    (NaN between held-out evaluations), seed); ``updates``: run name -> updates per epoch
    (``updates_per_epoch``). The examples grid runs from 0 to the smallest total any run
    saw, in steps of the largest epoch size; curves are linearly interpolated onto it (the
    held-out loss between its evaluations). The updates point is the smallest total
    number of updates of any run, each curve interpolated there (epoch e is after e x
    updates-per-epoch updates). Returns, per (run, seed): both matched points and the
    losses there; the examples seen and updates taken when the training-set loss first
    falls to each level of ``LEVELS`` (multiples of the best run's mean loss at the examples
    point), read at the run's own epochs up to that point (NaN where a seed does not get
    there by then: not reached); and the
    number of its epochs in which the training-set loss rose (``core.stats.rises``).
    """
    end = min(float(c["examples_seen"].max()) for c in curves.values())
    step = max(float(c.loc[c["epoch"] == 1, "examples_seen"].iloc[0]) for c in curves.values())
    grid = np.arange(0.0, end + step / 2, step)
    grid = grid[grid <= end]
    last_update = min(float(c["epoch"].max()) * updates[run] for run, c in curves.items())
    seeds = {
        (run, int(seed)): part.sort_values("epoch")
        for run, table in curves.items()
        for seed, part in table.groupby("seed")
    }
    on_grid = {
        key: (
            np.interp(grid, part["examples_seen"], part["train_loss"]),
            # The held-out loss where it was evaluated (training.held_out_every).
            np.interp(grid, held["examples_seen"], held["test_loss"]),
        )
        for key, part in seeds.items()
        for held in [part.dropna(subset=["test_loss"])]
    }
    finals = pd.Series({key: train[-1] for key, (train, _) in on_grid.items()})
    best = finals.groupby(level=0).mean().min()
    found = {}
    for key, part in seeds.items():
        train, test = on_grid[key]
        loss = part["train_loss"].to_numpy(dtype=float)
        seen = part["examples_seen"].to_numpy(dtype=float)
        taken = part["epoch"].to_numpy(dtype=float) * updates[key[0]]
        compared = seen <= grid[-1]  # the level counts as reached within the matched examples
        found[key] = {
            "matched_examples": grid[-1],
            "full_train_loss": train[-1],
            "full_test_loss": test[-1],
            "updates_per_epoch": updates[key[0]],
            "matched_updates": last_update,
            "updates_train_loss": float(np.interp(last_update, taken, loss)),
            "full_loss_rises": rises(loss),
            "best_final_loss": best,
        }
        for name, factor in LEVELS.items():
            found[key][f"examples_to_{name}"] = _first_reached(
                seen[compared], loss[compared], factor * best
            )
            found[key][f"updates_to_{name}"] = _first_reached(
                taken[compared], loss[compared], factor * best
            )
    return found


def _first_reached(seen: np.ndarray, loss: np.ndarray, level: float) -> float:
    """``seen`` (examples or updates) when ``loss`` first falls to ``level``; NaN if it
    never does."""
    below = np.flatnonzero(loss <= level)
    return float(seen[below[0]]) if below.size else float("nan")


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
