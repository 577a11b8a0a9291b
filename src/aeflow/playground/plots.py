"""Figures of the Playground experiments, from the cached CSVs (matplotlib/pandas only)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from aeflow.core.figures import plt
from aeflow.core.sweep_figures import sweep_axis
from aeflow.playground.metrics import NEAR_ZERO
from aeflow.playground.runs import BASELINE

# The Playground's own colours: orange for label -1, blue for label +1.
NEGATIVE, POSITIVE = "#f59322", "#0877bd"
OUTPUT_CMAP = LinearSegmentedColormap.from_list("playground", [NEGATIVE, "#ffffff", POSITIVE])


def draw_boundary(
    ax: plt.Axes,
    boundary: pd.DataFrame,
    points: pd.DataFrame | None = None,
    splits: Sequence[str] = ("train", "test"),
    size: float = 10,
):
    """The network output over the input plane (colour), the 0 level (decision boundary)
    and the points: training points filled, test points with a black rim."""
    grid = int(np.sqrt(len(boundary)))
    x1 = boundary["x1"].to_numpy().reshape(grid, grid)
    x2 = boundary["x2"].to_numpy().reshape(grid, grid)
    output = boundary["output"].to_numpy().reshape(grid, grid)
    image = ax.pcolormesh(x1, x2, output, cmap=OUTPUT_CMAP, vmin=-1, vmax=1, shading="auto")
    if output.min() < 0 < output.max():
        ax.contour(x1, x2, output, levels=[0], colors="0.2", linewidths=0.8)
    if points is not None:
        for split in splits:
            chosen = points[points["split"] == split]
            classes = chosen["label"].isin([-1.0, 1.0]).all()
            # Classes in the Playground's two colours; regression targets on its scale.
            colours = (
                np.where(chosen["label"] > 0, POSITIVE, NEGATIVE)
                if classes
                else OUTPUT_CMAP((chosen["label"].clip(-1, 1) + 1) / 2)
            )
            rim = (
                {"edgecolors": "black", "linewidths": 0.5}
                if split == "test"
                else {"edgecolors": "white", "linewidths": 0.4}
            )
            ax.scatter(chosen["x1"], chosen["x2"], c=colours, s=size, **rim)
    ax.set_aspect("equal")
    ax.set_xlim(x1.min(), x1.max())
    ax.set_ylim(x2.min(), x2.max())
    return image


def mean_band(
    ax: plt.Axes, curves: pd.DataFrame, column: str, colour, label: str | None, **style
) -> None:
    """Mean over seeds of ``column`` per epoch, with the min-max band over seeds."""
    grouped = curves.groupby("epoch")[column]
    mean = grouped.mean()
    ax.plot(mean.index, mean.to_numpy(), color=colour, label=label, **style)
    if curves["seed"].nunique() > 1:
        ax.fill_between(
            mean.index, grouped.min().to_numpy(), grouped.max().to_numpy(), color=colour, alpha=0.2
        )


def baseline_figure(
    boundary: pd.DataFrame, points: pd.DataFrame, curves: pd.DataFrame, title: str
) -> plt.Figure:
    """Output map (mean over seeds) with train/test points | train and test loss per
    epoch, mean and min-max band over seeds."""
    fig, (ax_map, ax_loss) = plt.subplots(
        1, 2, figsize=(11, 4.6), layout="constrained", width_ratios=(1, 1.2)
    )
    seeds = curves["seed"].nunique()
    # The map pools whole blocks of replicas (summary.read_maps): its own count.
    mapped = int(boundary["seeds"].max()) if "seeds" in boundary else seeds
    image = draw_boundary(ax_map, boundary, points, size=14)
    fig.colorbar(image, ax=ax_map, label=f"network output, mean of {mapped} seeds", shrink=0.8)
    ax_map.scatter([], [], c="0.5", s=14, edgecolors="white", label="train (filled)")
    ax_map.scatter([], [], c="0.5", s=14, edgecolors="black", label="test (black rim)")
    ax_map.legend(loc="lower left", fontsize="x-small", framealpha=0.9)
    ax_map.set(xlabel="x1", ylabel="x2", title="Output map: blue = +1, orange = -1")
    mean_band(ax_loss, curves, "train_loss", "tab:blue", "train")
    mean_band(ax_loss, curves, "test_loss", "tab:red", "test")
    ax_loss.set_yscale("log")
    ax_loss.set(
        xlabel="epoch (pass over the training points)",
        ylabel="loss: mean 1/2 (output - label)^2 (log)",
        title=f"Loss per epoch (epoch 0: untrained); mean, band: {seeds} seeds",
    )
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend()
    fig.suptitle(title)
    return fig


def boundaries_figure(
    sweeps: Mapping[str, list[tuple[str, pd.DataFrame, pd.DataFrame, float]]],
) -> plt.Figure:
    """Rows: sweeps; columns: their points. Each panel: decision map with the test points.
    ``sweeps``: name -> [(value label, boundary, points, test loss)]."""
    columns = max(len(points) for points in sweeps.values())
    fig, axes = plt.subplots(
        len(sweeps),
        columns,
        figsize=(2.3 * columns, 2.5 * len(sweeps)),
        layout="constrained",
        squeeze=False,
    )
    image = None
    for row, (sweep, points) in zip(axes, sweeps.items(), strict=True):
        for ax, (label, boundary, data, test_loss) in zip(row, points, strict=False):
            image = draw_boundary(ax, boundary, data, splits=("test",), size=3)
            ax.set_title(f"{label}\nmean test loss {test_loss:.3g}", fontsize="small")
            ax.set_xticks([])
            ax.set_yticks([])
        for ax in row[len(points) :]:
            ax.set_axis_off()
        row[0].set_ylabel(sweep, fontsize="medium", fontweight="bold")
    fig.colorbar(image, ax=axes, label="network output", shrink=0.5)
    fig.suptitle("Output maps of every sweep point (mean over seeds), with the test points")
    return fig


def trial_rows(table: pd.DataFrame, trial: str) -> pd.DataFrame:
    return table[table["trial"] == trial]


def first_seed(points: pd.DataFrame) -> pd.DataFrame:
    """The rows of the lowest seed: the data set's points once."""
    return points[points["seed"] == points["seed"].min()]


def read_sweep_points(
    records: list[dict],
    boundaries: pd.DataFrame,
    points: pd.DataFrame,
    curves: pd.DataFrame,
) -> tuple[dict[str, list], dict[str, list]]:
    """Per sweep, the inputs of ``boundaries_figure`` and ``sweep_curves_figure``, taken
    from the chunks' tables for each sweep point of ``records``."""
    maps: dict[str, list] = {}
    lines: dict[str, list] = {}
    for record in records:
        trial = record["trial"]
        losses = trial_rows(curves, trial)
        final = losses[losses["epoch"] == losses["epoch"].max()]["test_loss"].mean()
        maps.setdefault(record["sweep"], []).append(
            (
                record["label"],
                trial_rows(boundaries, trial),
                first_seed(trial_rows(points, trial)),
                final,
            )
        )
        lines.setdefault(record["sweep"], []).append((record["label"], losses))
    return maps, lines


def sweeps_figure(table: pd.DataFrame) -> plt.Figure:
    """One panel per sweep: final train and test loss against the swept value."""
    sweeps = [s for s in table["sweep"].unique() if s != BASELINE]
    columns = min(3, len(sweeps))
    rows = -(-len(sweeps) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(4.4 * columns, 3.3 * rows), layout="constrained", squeeze=False
    )
    for ax, sweep in zip(axes.flat, sweeps, strict=False):
        chosen = table[table["sweep"] == sweep]
        positions, numeric, log_axis = sweep_axis(list(chosen["value"]))
        # A value that diverged in any seed is not drawn as a loss (its mean would hide or
        # fake one): a cross at the top of the panel marks it, with its count.
        bad = (
            (chosen["diverged"] > 0).to_numpy()
            if "diverged" in chosen
            else np.zeros(len(chosen), bool)
        )
        kept = chosen[~bad]
        for column, colour in (("train_loss", "tab:blue"), ("test_loss", "tab:red")):
            ax.plot(positions[~bad], kept[column], "o-", color=colour, label=column.split("_")[0])
            ax.fill_between(
                positions[~bad],
                kept[f"{column}_min"],
                kept[f"{column}_max"],
                color=colour,
                alpha=0.2,
            )
        for position, row in zip(positions[bad], chosen[bad].itertuples(), strict=True):
            ax.plot(
                position, 0.93, "x", color="black", ms=9, mew=2, transform=ax.get_xaxis_transform()
            )
            ax.annotate(
                f"diverged\n{int(row.diverged)}/{int(row.seeds)}",
                (position, 0.9),
                xycoords=ax.get_xaxis_transform(),
                ha="center",
                va="top",
                fontsize="x-small",
            )
        if bad.any():
            ax.plot([], [], "x", color="black", mew=2, label="diverged (not drawn)")
        if log_axis:
            ax.set_xscale("log")
        if not numeric:
            labels = [textwrap.fill(str(v), 16) for v in chosen["value"]]
            ax.set_xticks(positions, labels, rotation=30, ha="right", fontsize="x-small")
        losses = kept[["train_loss", "test_loss"]].to_numpy(dtype=float)
        if (np.isfinite(losses) & (losses > 0)).any():
            ax.set_yscale("log")
            ax.set_ylabel("final loss (log)")
        else:  # nothing finite to draw: no log axis to scale
            ax.set_yticks([])
            ax.set_ylabel("final loss")
        ax.set(title=f"{sweep} ({chosen['key'].iloc[0]})", xlabel=chosen["key"].iloc[0])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    for ax in list(axes.flat)[len(sweeps) :]:
        ax.set_axis_off()
    seeds = int(table["seeds"].min())
    fig.suptitle(
        "Final loss against each swept setting (other settings: the baseline); mean and "
        f"min-max band over {seeds} seeds"
    )
    return fig


def _value_colours(labels: Sequence[str]) -> list:
    """One colour per swept value: an ordered scale for numbers (dark to light green,
    stopping short of viridis' pale yellow), distinct colours for anything else."""
    try:
        [float(label) for label in labels]
    except ValueError:
        if len(labels) <= 10:
            return list(plt.cm.tab10.colors[: len(labels)])
    return list(plt.cm.viridis(np.linspace(0, 0.82, len(labels))))


def sweep_curves_figure(
    sweeps: Mapping[str, list[tuple[str, pd.DataFrame]]],
) -> plt.Figure:
    """One panel per sweep: test loss per epoch of each point (mean over seeds, solid),
    training loss dotted; the spread over seeds as one bar per point at the last epoch
    (lowest to highest seed's final test loss), side by side, so that no band hides
    another."""
    columns = min(3, len(sweeps))
    rows = -(-len(sweeps) // columns)
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(4.8 * columns, 3.6 * rows),
        layout="constrained",
        squeeze=False,
        sharey=True,
    )
    for ax, (sweep, curves) in zip(axes.flat, sweeps.items(), strict=False):
        colours = _value_colours([label for label, _ in curves])
        last = max(int(table["epoch"].max()) for _, table in curves)
        step = 0.025 * last  # the bars stand side by side right of the last epoch
        for k, ((label, table), colour) in enumerate(zip(curves, colours, strict=True)):
            test = table.groupby("epoch")["test_loss"]
            train = table.groupby("epoch")["train_loss"].mean()
            ax.plot(test.mean().index, test.mean().to_numpy(), color=colour, lw=1.5, label=label)
            ax.plot(train.index, train.to_numpy(), color=colour, linestyle=":", lw=1.0)
            final = table[table["epoch"] == table["epoch"].max()]["test_loss"]
            if final.size > 1:
                x = last + step * (k + 1)
                ax.vlines(x, final.min(), final.max(), color=colour, lw=2.2)
                ax.plot(x, final.mean(), "o", color=colour, ms=3.5)
        ax.set_yscale("log")
        ax.set(title=sweep, xlabel="epoch")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(
            fontsize="x-small",
            title="test (solid), train (dotted)",
            title_fontsize="x-small",
            ncols=2 if len(curves) > 4 else 1,
        )
    for ax in axes[:, 0]:
        ax.set_ylabel("loss (log)")
    for ax in list(axes.flat)[len(sweeps) :]:
        ax.set_axis_off()
    seeds = max(int(table["seed"].nunique()) for curves in sweeps.values() for _, table in curves)
    spread = (
        f"; bars right of the last epoch: lowest to highest final test loss of the {seeds} "
        "seeds (dot: mean)"
        if seeds > 1
        else ""
    )
    fig.suptitle(f"Loss curves of every sweep point: mean over seeds{spread}")
    return fig


def weights_figure(
    runs: Mapping[str, pd.DataFrame], features: Sequence[str] | None = None
) -> plt.Figure:
    """Rows: runs (e.g. no, L1, L2 regularisation); columns: layers. Heat maps of the weight
    matrices (target unit x source unit) on one colour scale; ``features`` name the first
    layer's inputs."""
    layers = sorted(next(iter(runs.values()))["layer"].unique())
    limit = max(table["weight"].abs().max() for table in runs.values())
    fig, axes = plt.subplots(
        len(runs),
        len(layers),
        figsize=(2.6 * len(layers) + 1.2, 2.5 * len(runs)),
        layout="constrained",
        squeeze=False,
    )
    image = None
    for row, (label, table) in zip(axes, runs.items(), strict=True):
        off = (table["weight"].abs() < NEAR_ZERO).mean()
        for ax, layer in zip(row, layers, strict=True):
            chosen = table[table["layer"] == layer]
            matrix = np.zeros((chosen["target"].max() + 1, chosen["source"].max() + 1))
            matrix[chosen["target"], chosen["source"]] = chosen["weight"]
            image = ax.imshow(matrix, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
            layer_off = (chosen["weight"].abs() < NEAR_ZERO).mean()
            ax.set_title(f"layer {layer}: {layer_off:.0%} off", fontsize="small")
            ax.set_yticks(range(matrix.shape[0]))
            if layer == 1 and features:
                ax.set_xticks(range(len(features)), features, rotation=60, ha="right")
                ax.set_xlabel("input feature", fontsize="x-small")
            else:
                ax.set_xticks(range(matrix.shape[1]))
                ax.set_xlabel("source unit", fontsize="x-small")
            ax.tick_params(labelsize="x-small")
        row[0].set_ylabel(f"{label}\n({off:.0%} of weights |w| < {NEAR_ZERO:g})\ntarget unit")
    fig.colorbar(image, ax=axes, label="weight", shrink=0.6)
    fig.suptitle("Weight matrices after training, per layer (the first seed of each trial)")
    return fig
