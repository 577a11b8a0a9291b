"""Figures of grid and random sweeps, shared by both parts (matplotlib/pandas only)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aeflow.core.figures import plt


def sweep_axis(values: Sequence) -> tuple[np.ndarray, bool, bool]:
    """Positions of swept values, whether they are numbers, and whether they span enough
    for a log axis."""
    try:
        numbers = np.asarray([float(v) for v in values])
    except (TypeError, ValueError):
        return np.arange(len(values), dtype=float), False, False
    return numbers, True, bool(numbers.min() > 0 and numbers.max() / numbers.min() >= 20)


def search_figure(trials: pd.DataFrame, form: str, metric: str) -> plt.Figure:
    """A grid over two settings as a heat map of the mean ``metric`` over seeds; any other
    grid or random search as the metric against each varied setting (a point per trial:
    the mean, bars the min-max range over seeds)."""
    keys = [column for column in trials.columns if "." in column]  # section.name settings
    per_point = trials.groupby("point", sort=True).agg(
        **{k: (k, "first") for k in keys},
        mean=(metric, "mean"),
        low=(metric, "min"),
        high=(metric, "max"),
        seeds=("seed", "nunique"),
    )
    seeds = int(per_point["seeds"].min())
    if form == "grid" and len(keys) == 2:
        rows, columns = (list(dict.fromkeys(per_point[k])) for k in keys)
        table = per_point.pivot_table(index=keys[0], columns=keys[1], values="mean", sort=False)
        table = table.reindex(index=rows, columns=columns)
        fig, ax = plt.subplots(
            figsize=(1.1 * len(columns) + 3, 0.6 * len(rows) + 2.2), layout="constrained"
        )
        logs = np.log10(table.to_numpy(dtype=float))
        image = ax.imshow(logs, cmap="viridis_r", aspect="auto")
        low, high = np.nanmin(logs), np.nanmax(logs)
        for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
            # Dark text on the light (low-loss) end of the colour map, light on the dark.
            light = np.isfinite(value) and (logs[i, j] - low) > 0.5 * (high - low)
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize="x-small",
                    color="white" if light else "black")  # fmt: skip
        ax.set_xticks(range(len(columns)), [str(c) for c in columns])
        ax.set_yticks(range(len(rows)), [str(r) for r in rows])
        ax.set(xlabel=keys[1], ylabel=keys[0])
        fig.colorbar(image, ax=ax, label=f"log10 mean {metric.replace('_', ' ')}")
        fig.suptitle(f"mean {metric.replace('_', ' ')} over {seeds} seeds per grid point")
        return fig
    fig, axes = plt.subplots(
        1, len(keys), figsize=(4.2 * len(keys), 3.6), layout="constrained", squeeze=False
    )
    for ax, key in zip(axes[0], keys, strict=True):
        positions, numeric, log_axis = sweep_axis(list(per_point[key]))
        if not numeric:
            categories = list(dict.fromkeys(per_point[key].astype(str)))  # config order
            positions = np.array([categories.index(str(v)) for v in per_point[key]], float)
            ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
        errors = [per_point["mean"] - per_point["low"], per_point["high"] - per_point["mean"]]
        ax.errorbar(positions, per_point["mean"], yerr=errors, fmt="o", ms=3, alpha=0.7,
                    elinewidth=0.6, color="tab:red")  # fmt: skip
        if log_axis:
            ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set(xlabel=key, ylabel=f"final {metric.replace('_', ' ')} (log)")
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(
        f"{len(per_point)} trials: mean {metric.replace('_', ' ')} over {seeds} seeds "
        "(bars: min-max) against each varied setting"
    )
    return fig


def sweep_figure(trials: pd.DataFrame, sweep: str, form: str, metric: str) -> plt.Figure:
    """The figure of a grid or random sweep of either part: ``search_figure`` of its
    trials (its ``trials.csv``), titled with the sweep's name."""
    fig = search_figure(trials, form, metric)
    fig.suptitle(f"Sweep {sweep}: " + fig.get_suptitle(), fontsize="medium")
    return fig
