"""What is measured of one trained Playground network (pandas/NumPy only): the batch job
computes it per trial and seed, the summary aggregates it over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

NEAR_ZERO = 1e-3  # |w| below this counts as a weight switched off
METRICS = (
    "train_loss",
    "test_loss",
    "gap",
    "train_accuracy",
    "test_accuracy",
    "near_zero_weights",
    "dead_weights",
    "mean_abs_weight",
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


def network_metrics(curves: pd.DataFrame, points: pd.DataFrame, weights: pd.DataFrame) -> dict:
    """The numbers of one trained network: its per-epoch ``curves`` (epoch, train_loss,
    test_loss), its data set with the trained ``output`` per point, its weights table."""
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
    }
