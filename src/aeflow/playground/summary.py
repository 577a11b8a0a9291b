"""Numbers and generated observations of the Playground experiments (pandas/NumPy only).

Every sentence is a template filled with measured numbers; which run is "best" follows
from those numbers, never from expectations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.playground.runs import BASELINE, describe

NEAR_ZERO = 1e-3  # |w| below this counts as a weight switched off


def parameter_count(weights: pd.DataFrame) -> int:
    """Weights plus one bias per unit of every layer, from a weights table."""
    units = weights.groupby("layer")["target"].max() + 1
    return int(len(weights) + units.sum())


def accuracy(points: pd.DataFrame, split: str) -> float:
    """Share of points of ``split`` whose output has the sign of their label."""
    chosen = points[points["split"] == split]
    return float((np.sign(chosen["output"]) == chosen["label"]).mean())


def run_metrics(curves: pd.DataFrame, points: pd.DataFrame, weights: pd.DataFrame) -> dict:
    """What the summary reports for one trained classifier."""
    final = curves.iloc[-1]
    magnitudes = weights["weight"].abs()
    return {
        "parameters": parameter_count(weights),
        "epochs": int(final["epoch"]),
        "train_loss": float(final["train_loss"]),
        "test_loss": float(final["test_loss"]),
        "gap": float(final["test_loss"] - final["train_loss"]),
        "train_accuracy": accuracy(points, "train"),
        "test_accuracy": accuracy(points, "test"),
        "near_zero_weights": float((magnitudes < NEAR_ZERO).mean()),
        "mean_abs_weight": float(magnitudes.mean()),
    }


def summary_table(records: list[dict], metrics: dict[str, dict]) -> pd.DataFrame:
    """One row for the baseline, then one per sweep point (shared runs repeat their
    numbers). ``records``: ``runs.sweep_table``; ``metrics``: run -> ``run_metrics``."""
    points = [(BASELINE, "", "", BASELINE)] + [
        (r["sweep"], r["key"], r["label"], r["run"]) for r in records
    ]
    return pd.DataFrame(
        [
            {"sweep": sweep, "key": key, "value": value, "run": run, **metrics[run]}
            for sweep, key, value, run in points
        ]
    )


def summarise(
    trials: list[str],
    curve_paths: list[str],
    point_paths: list[str],
    weight_paths: list[str],
    records: list[dict],
    baseline: dict,
) -> tuple[pd.DataFrame, list[str]]:
    """The summary table and its observations from the CSVs of every trial (in ``trials``
    order)."""
    metrics = {
        trial: run_metrics(pd.read_csv(curves), pd.read_csv(points), pd.read_csv(weights))
        for trial, curves, points, weights in zip(
            trials, curve_paths, point_paths, weight_paths, strict=True
        )
    }
    table = summary_table(records, metrics)
    return table, observations(table, baseline)


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def observations(table: pd.DataFrame, baseline: dict) -> list[str]:
    """Findings computed from the summary table; ``baseline``: its resolved settings."""
    found = []
    base = table[table["sweep"] == BASELINE].iloc[0]
    found.append(
        f"Baseline ({describe(baseline)}): test loss {_fmt(base['test_loss'])} (train "
        f"{_fmt(base['train_loss'])}), test accuracy {_pct(base['test_accuracy'])} with "
        f"{int(base['parameters'])} parameters."
    )
    for sweep, rows in table[table["sweep"] != BASELINE].groupby("sweep", sort=False):
        if len(rows) < 2:
            continue
        best = rows.loc[rows["test_loss"].idxmin()]
        worst = rows.loc[rows["test_loss"].idxmax()]
        widest = rows.loc[rows["gap"].idxmax()]
        found.append(
            f"Sweep {sweep} ({best['key']}): test loss is lowest at {best['value']} "
            f"({_fmt(best['test_loss'])}, accuracy {_pct(best['test_accuracy'])}) and highest "
            f"at {worst['value']} ({_fmt(worst['test_loss'])}, accuracy "
            f"{_pct(worst['test_accuracy'])}); the widest train-test gap is at "
            f"{widest['value']} ({widest['gap']:+.3g})."
        )
        if best["key"] == "training.regularization":
            found.append(
                f"Weights with |w| < {NEAR_ZERO:g} after training: "
                + ", ".join(f"{r.value} {_pct(r.near_zero_weights)}" for r in rows.itertuples())
                + "; mean |w|: "
                + ", ".join(f"{r.value} {_fmt(r.mean_abs_weight)}" for r in rows.itertuples())
                + "."
            )
    return found
