"""What is measured of one trained Playground network (pandas/NumPy only): the chunk job
computes it per trial and seed, the summary aggregates it over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.core.stats import RISE_TOLERANCE, rises

NEAR_ZERO = 1e-3  # |w| below this counts as a weight switched off
LOSS_LEVEL = 0.05  # playground.claims.loss_level's default: test loss counted as reached
UNIT_GRID = 51  # points per axis of the grid over the data's extent the units are read on
REDUNDANT = 0.95  # |correlation| above which two hidden units of a layer count as one
SILENT_SPAN = 1e-9  # a unit whose output varies by no more than this over the grid is silent
METRICS = (
    "train_loss",
    "test_loss",
    "gap",
    "train_accuracy",
    "test_accuracy",
    "near_zero_weights",
    "dead_weights",
    "mean_abs_weight",
    "epochs_to_level",
    "loss_rises",
    "largest_rise",
    "redundant_pairs",
    "silent_units",
    "dead_network",
)


def parameter_count(weights: pd.DataFrame) -> int:
    """Weights plus one bias per unit of every layer, from one network's weights table."""
    units = weights.groupby("layer")["target"].max() + 1
    return int(len(weights) + units.sum())


def accuracy(labels: np.ndarray, outputs: np.ndarray) -> float:
    """Share of points whose output has the sign of their label (NaN for regression,
    whose labels are not classes)."""
    if not np.isin(labels, (-1.0, 1.0)).all():
        return float("nan")
    return float((np.sign(outputs) == labels).mean())


def network_metrics(
    curves: pd.DataFrame,
    points: pd.DataFrame,
    weights: pd.DataFrame,
    loss_level: float = LOSS_LEVEL,
) -> dict:
    """The numbers of one trained network: its per-epoch ``curves`` (epoch, train_loss,
    test_loss), its data set with the trained ``output`` per point, its weights table;
    ``loss_level`` is the test loss whose first reach is recorded (``epochs_to_level``)."""
    final = curves.iloc[-1]
    magnitudes = weights["weight"].abs()
    finite = bool(np.isfinite(curves[["train_loss", "test_loss"]].to_numpy()).all())
    train, test = points[points["split"] == "train"], points[points["split"] == "test"]
    return {
        "parameters": parameter_count(weights),
        "epochs": int(final["epoch"]),
        "diverged": not finite,
        "train_loss": float(final["train_loss"]),
        "test_loss": float(final["test_loss"]),
        "gap": float(final["test_loss"] - final["train_loss"]),
        "train_accuracy": accuracy(train["label"].to_numpy(), train["output"].to_numpy()),
        "test_accuracy": accuracy(test["label"].to_numpy(), test["output"].to_numpy()),
        "near_zero_weights": float((magnitudes < NEAR_ZERO).mean()),
        "dead_weights": float(weights["dead"].mean()),
        "mean_abs_weight": float(magnitudes.mean()),
        "epochs_to_level": epochs_to_level(curves, loss_level),
        "loss_rises": rises(curves["train_loss"].to_numpy()),
        "largest_rise": largest_rise(curves["train_loss"].to_numpy()),
    }


def epochs_to_level(curves: pd.DataFrame, level: float) -> float:
    """The first epoch of ``curves`` (epoch, test_loss) whose test loss is at or below
    ``level`` (0: the untrained network already is); NaN where it never is (censored)."""
    reached = curves["test_loss"].to_numpy(dtype=float) <= level  # NaN never reaches it
    return float(curves["epoch"].to_numpy()[reached.argmax()]) if reached.any() else np.nan


def largest_rise(losses: np.ndarray, tolerance: float = RISE_TOLERANCE) -> float:
    """The largest rise loss[t] - loss[t-1] of a loss curve, in the loss's own units (a
    jump as the Playground's linear loss plot shows it), over the steps ``stats.rises``
    counts (a rise above ``tolerance`` of the loss); 0 when there is none. A rise from a
    finite loss to an infinite one is infinite; steps from or to NaN count as no rise."""
    losses = np.asarray(losses, dtype=float).ravel()
    before, after = losses[:-1], losses[1:]
    rising = np.diff(losses) > tolerance * np.abs(before)  # as stats.rises
    if not rising.any():
        return 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.max(after[rising] - before[rising]))


def plane_grid(xy: np.ndarray, size: int = UNIT_GRID) -> np.ndarray:
    """(size^2, 2) points of a regular size x size grid over the bounding box of the
    points ``xy`` (n, 2): where a network's hidden units are compared."""
    xy = np.asarray(xy, dtype=float)
    axes = [np.linspace(xy[:, k].min(), xy[:, k].max(), size) for k in (0, 1)]
    x1, x2 = np.meshgrid(*axes, indexing="xy")
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def silent(outputs: np.ndarray, span: float = SILENT_SPAN) -> np.ndarray:
    """Per unit (column) of one layer's ``outputs`` (points, units): whether it is
    constant (varies by no more than ``span``) over the points."""
    outputs = np.asarray(outputs, dtype=float)
    return np.ptp(outputs, axis=0) <= span if len(outputs) else np.ones(outputs.shape[1], bool)


def silent_units(layers: list[np.ndarray], span: float = SILENT_SPAN) -> float:
    """Share of the hidden units (columns of every hidden layer's (points, units)
    outputs over the grid) that are ``silent``; NaN for a network without hidden units."""
    flags = [silent(outputs, span) for outputs in layers]
    units = sum(len(f) for f in flags)
    return float(sum(f.sum() for f in flags) / units) if units else np.nan


def redundant_pairs(
    layers: list[np.ndarray], threshold: float = REDUNDANT, span: float = SILENT_SPAN
) -> float:
    """Share of the pairs of active (not ``silent``) hidden units of one layer, over all
    hidden layers, whose outputs over the grid (each layer: points, units) correlate above
    ``threshold`` in absolute value: units that compute the same feature, up to scale and
    sign. NaN when no layer has two active units."""
    pairs = redundant = 0
    for outputs in layers:
        active = np.asarray(outputs, dtype=float)[:, ~silent(outputs, span)]
        count = active.shape[1]
        if count < 2:
            continue
        upper = np.triu_indices(count, k=1)
        correlation = np.corrcoef(active, rowvar=False)[upper]
        pairs += len(correlation)
        redundant += int((np.abs(correlation) > threshold).sum())
    return float(redundant / pairs) if pairs else np.nan


def dead_network(layers: list[np.ndarray], activation: str) -> float:
    """1.0 where some hidden ReLU layer (its (training points, units) outputs in
    ``layers``) has no unit with an output > 0 on any training point: nothing reaches the
    output but constants, whatever the outcome says. 0.0 otherwise, and always for the
    other activations, which pass a signal everywhere."""
    if activation != "relu":
        return 0.0
    return float(any(not (np.asarray(outputs) > 0).any() for outputs in layers))


def unit_metrics(
    grid_layers: list[np.ndarray], train_layers: list[np.ndarray], activation: str
) -> dict:
    """The hidden units' numbers of one network: ``grid_layers``, every hidden layer's
    outputs (points, units) over ``plane_grid`` of its data; ``train_layers``, the same on
    its training points; ``activation``, its hidden activation."""
    return {
        "redundant_pairs": redundant_pairs(grid_layers),
        "silent_units": silent_units(grid_layers),
        "dead_network": dead_network(train_layers, activation),
    }
