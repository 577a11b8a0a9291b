"""Figures of the data and of each variant's training and codes: the samples, loss
curves, latent maps (part c), decoder sweeps and reconstructions (part d). Drawn from the
cached CSV outputs; imports matplotlib and pandas only. The optimiser comparison, the
retrained encoder's codes and the capacity runs are drawn by ``plots_training``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.ticker import FuncFormatter

from aeflow.autoencoder.failures import failure_label
from aeflow.autoencoder.samples import TEST, TRAIN, VALIDATION
from aeflow.core.figures import plt
from aeflow.core.stats import rank_correlation

LATENT_CMAP = "viridis"
THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")  # 12,000, not 12000


def samples_figure(samples: pd.DataFrame) -> plt.Figure:
    """The points of one sample by split: held-out (faint), validation (their own marker,
    where there are any: never drawn as training points) and training."""
    fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    styles = (
        (TEST, {"s": 6, "alpha": 0.25, "color": "0.6"}),
        (VALIDATION, {"s": 14, "marker": "x", "linewidths": 0.8, "color": "tab:orange"}),
        (TRAIN, {"s": 18, "color": "tab:blue"}),
    )
    for split, style in styles:
        chosen = samples[samples["split"] == split]
        if chosen.empty and split == VALIDATION:
            continue
        ax.scatter(chosen["x"], chosen["y"], label=f"{split} ({len(chosen)})", **style)
    ax.set(xlabel="x", ylabel="y", title="Input samples (uniform in the rectangle)")
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return fig


def split_failed(table: pd.DataFrame, failed: set[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every seed's rows, the rows of the stuck seeds): stuck seeds stay in the mean and
    band, as they stay in the summaries' comparisons, and are also drawn apart."""
    return table, table[table["seed"].isin(failed)]


def loss_curves_figure(
    curves: Mapping[str, pd.DataFrame],
    x: str = "step",
    title: str = "Training loss",
    failed: Mapping[str, set[int]] | None = None,
    levels: Mapping[str, float] | None = None,
) -> plt.Figure:
    """Per-batch losses (faint) with their per-epoch means (bold), log-scaled loss axis;
    ``levels`` (label -> loss) are drawn as dashed horizontal lines.

    With several seed replicas: the mean over seeds of the per-epoch mean, and a band from
    the lowest to the highest seed. Seeds in ``failed`` (label -> seeds still stuck near the
    constant reconstruction) stay in the mean and band and are also drawn dashed.
    """
    failed = failed or {}
    xlabels = {"step": "training step (batch)", "examples_seen": "training examples seen"}
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    for (label, losses), colour in zip(curves.items(), plt.cm.tab10.colors, strict=False):
        seeds = losses["seed"].nunique() if "seed" in losses else 1
        if seeds == 1:
            ax.plot(losses[x], losses["loss"], color=colour, alpha=0.2, linewidth=0.6)
            per_epoch = losses.groupby("epoch").agg({x: "max", "loss": "mean"})
            ax.plot(
                per_epoch[x],
                per_epoch["loss"],
                color=colour,
                linewidth=1.6,
                label=f"{label} (epoch mean)",
            )
            continue
        losses, failures = split_failed(losses, failed.get(label, set()))
        seeds = losses["seed"].nunique()
        for k, (_, one) in enumerate(failures.groupby("seed")):
            per_epoch = one.groupby("epoch").agg({x: "max", "loss": "mean"})
            ax.plot(
                per_epoch[x],
                per_epoch["loss"],
                "--",
                color=colour,
                linewidth=1.0,
                label=f"{label}: {failure_label(failed[label])} (dashed)" if k == 0 else None,
            )
        per_seed = losses.groupby(["epoch", "seed"]).agg({x: "max", "loss": "mean"})
        band = per_seed.groupby("epoch").agg(
            x=(x, "max"), low=("loss", "min"), high=("loss", "max"), mean=("loss", "mean")
        )
        ax.fill_between(band["x"], band["low"], band["high"], color=colour, alpha=0.25, linewidth=0)
        ax.plot(
            band["x"],
            band["mean"],
            color=colour,
            linewidth=1.6,
            label=(
                f"{label} (epoch mean over {seeds} seed{'s' * (seeds > 1)}; "
                "band: lowest to highest seed)"
            ),
        )
    for (label, level), colour in zip((levels or {}).items(), ("k", "0.45", "0.7"), strict=False):
        # Beneath the curves, so that a run lying on the line stays visible.
        ax.axhline(level, linestyle="--", color=colour, linewidth=1.2, label=label, zorder=1.5)
    ax.set_yscale("log")
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.set(xlabel=xlabels.get(x, x), ylabel="MSE loss (log scale)", title=title)
    ax.grid(True, which="both", alpha=0.3)
    # Losses fall: the upper right stays clear of the curves and of a low level line.
    ax.legend(fontsize="small", loc="upper right" if levels else "best")
    return fig


def _replicas_note(names: Sequence[str], shown: Sequence[str] | None) -> str:
    """Which replica each row shows: 'each row: seed 0, first of 5 replicas' when all
    rows show the same, else per variant."""
    shown = [w for w in (shown or []) if w]
    if not shown:
        return ""
    if len(set(shown)) == 1:
        return f"each row one network: {shown[0]}"
    return "; ".join(f"{name}: {which}" for name, which in zip(names, shown, strict=True))


def _title_rows(
    fig: plt.Figure, title: str, names: Sequence[str], shown: Sequence[str] | None
) -> None:
    """The figure's title, with a second line naming the replica of each row (one per
    variant of ``names``) where ``shown`` says which."""
    note = _replicas_note(names, shown)
    fig.suptitle(title + (f"\n{note}" if note else ""), fontsize="medium")


def _plane_panel(ax: plt.Axes, title: str, xlabel: str, ylabel: str) -> None:
    """A panel of curves and points in the plane: title, axis labels, equal scales (the
    data limits widened to fit) and a light grid."""
    ax.set_title(title, fontsize="medium")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)


def _grid_image(grid: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A long (x, y, z) grid table as axes and a 2-D array of z (rows: y)."""
    xs, ys = np.unique(grid["x"]), np.unique(grid["y"])
    ordered = grid.sort_values(["y", "x"])
    return xs, ys, ordered["z"].to_numpy().reshape(len(ys), len(xs))


def latent_maps_figure(
    grids: Mapping[str, pd.DataFrame],
    codes: Mapping[str, pd.DataFrame],
    shown: Sequence[str] | None = None,
) -> plt.Figure:
    """Part (c). Rows: variants; columns: before | after training. Each panel colours the
    input rectangle by the encoder's (first) code over a dense grid, with thin level lines
    (where they bend back, the code folds the plane) and the training points on top; its
    title gives Spearman's rho of the code with x and y over the training points.

    ``grids``: variant -> latent grid (stage, x, y, z) of one network; ``codes``: variant ->
    latent codes of the training points (stage, seed, x, y, z), of which the first seed's
    are drawn; ``shown`` names each row's replica. Each panel has its own colour scale: a
    code's scale and sign are arbitrary."""
    stages = ("before", "after")
    n = len(grids)
    fig, axes = plt.subplots(n, 2, figsize=(10, 2.7 * n + 0.6), layout="constrained", squeeze=False)
    for row, (name, grid) in zip(axes, grids.items(), strict=True):
        points = codes[name]
        points = points[points["seed"] == points["seed"].min()]
        for ax, stage in zip(row, stages, strict=True):
            xs, ys, z = _grid_image(grid[grid["stage"] == stage])
            image = ax.pcolormesh(xs, ys, z, cmap=LATENT_CMAP, shading="nearest")
            if np.ptp(z) > 0:
                ax.contour(
                    xs, ys, z, levels=14, colors="k", linewidths=0.4, alpha=0.45, linestyles="solid"
                )
            fig.colorbar(image, ax=ax, label="latent code z", fraction=0.05, pad=0.02)
            own = points[points["stage"] == stage]
            ax.scatter(own["x"], own["y"], s=7, color="white", edgecolors="k", linewidths=0.5)
            rho_x = rank_correlation(own["z"], own["x"])
            rho_y = rank_correlation(own["z"], own["y"])
            ax.set_title(
                f"{name}: {stage} training\n"
                rf"$\rho$(z, x) = {rho_x:+.2f}, $\rho$(z, y) = {rho_y:+.2f}",
                fontsize="medium",
            )
            ax.set(xlabel="x", ylabel="y")
            ax.set_aspect("equal")
    _title_rows(
        fig,
        "Latent code z over the input rectangle (white dots: training points; lines: levels of z)",
        list(grids),
        shown,
    )
    return fig


def decoder_sweeps_figure(
    sweeps: Mapping[str, pd.DataFrame],
    training_points: pd.DataFrame,
    shown: Sequence[str] | None = None,
) -> plt.Figure:
    """Part (d). Rows: variants. Columns: decoder before | after training, its curve
    coloured by the latent value z over the stage's own sweep range (each panel its own
    colour scale: the ranges differ), the training data in grey.

    One network per row (``shown`` names its seed replica), as the decoded curve of a mean
    over seeds would be no network's curve."""
    stages = ("before", "after")
    n = len(sweeps)
    fig, axes = plt.subplots(n, 2, figsize=(10, 2.6 * n + 0.6), layout="constrained", squeeze=False)
    for row, (name, sweep) in zip(axes, sweeps.items(), strict=True):
        for ax, stage in zip(row, stages, strict=True):
            ax.scatter(
                training_points["x"], training_points["y"], s=8, color="0.8", label="training data"
            )
            chosen = sweep[sweep["stage"] == stage]
            points = ax.scatter(chosen["x"], chosen["y"], c=chosen["z"], cmap=LATENT_CMAP, s=4)
            fig.colorbar(points, ax=ax, label="latent value z", fraction=0.05, pad=0.02)
            _plane_panel(
                ax,
                f"{name}: {stage} training\n"
                f"z from {chosen['z'].min():.3g} to {chosen['z'].max():.3g}",
                "decoded x",
                "decoded y",
            )
    axes[0, 0].legend(loc="upper left", fontsize="x-small")
    _title_rows(fig, "Decoded latent sweeps: the curve each decoder draws", list(sweeps), shown)
    return fig


def reconstructions_figure(
    reconstructions: Mapping[str, pd.DataFrame],
    sweeps: Mapping[str, pd.DataFrame],
    shown: Sequence[str] | None = None,
) -> plt.Figure:
    """Part (d). Rows: variants; columns: training | held-out points. Each point is joined
    to its reconstruction, on the trained decoder's curve (black); red where the
    reconstruction lies on another fold of the curve than the point's nearest curve point
    (``projection.FOLD_TOLERANCE``). Titles: the MSE and the nearest-point bound of those points.

    ``reconstructions``: variant -> one network's ``tables.RECONSTRUCTIONS`` rows (after
    training); ``sweeps``: variant -> its decoder sweep (the 'after' stage is drawn)."""
    splits = (("train", "training points"), ("test", "held-out points"))
    n = len(reconstructions)
    fig, axes = plt.subplots(n, 2, figsize=(10, 2.6 * n + 0.8), layout="constrained", squeeze=False)
    for row, (name, table) in zip(axes, reconstructions.items(), strict=True):
        curve = sweeps[name][sweeps[name]["stage"] == "after"].sort_values("z")
        for ax, (split, what) in zip(row, splits, strict=True):
            chosen = table[table["split"] == split]
            fold = chosen["fold"].to_numpy(dtype=bool)
            dense = len(chosen) > 300  # many points: lighter lines, smaller dots
            starts, ends = chosen[["x", "y"]].to_numpy(), chosen[["x_hat", "y_hat"]].to_numpy()
            for mask, colour, width, label in (
                (~fold, "0.6", 0.35 if dense else 0.6, "point to its reconstruction"),
                (fold, "tab:red", 0.6 if dense else 0.9, "... on another fold of the curve"),
            ):
                ax.add_collection(
                    LineCollection(
                        np.stack([starts[mask], ends[mask]], axis=1),
                        colors=colour,
                        linewidths=width,
                        alpha=0.6 if dense else 0.8,
                        label=label,
                        zorder=2 if colour == "tab:red" else 1,
                    )
                )
            ax.scatter(
                chosen["x"],
                chosen["y"],
                s=2 if dense else 6,
                color="tab:blue",
                zorder=3,
                label="point",
            )
            ax.plot(
                curve["x"], curve["y"], color="k", linewidth=1.3, zorder=4, label="decoder's curve"
            )
            mse, bound = chosen["d2"].mean() / 2, chosen["d2_near"].mean() / 2
            _plane_panel(
                ax,
                f"{name}: {len(chosen)} {what}, {fold.mean():.0%} on another fold\n"
                f"MSE {mse:.3g}, nearest-point bound {bound:.3g}",
                "x",
                "y",
            )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize="small")
    _title_rows(
        fig,
        "Each point and its reconstruction on the trained decoder's curve",
        list(reconstructions),
        shown,
    )
    return fig


def note_first_sample(fig: plt.Figure, samples: int) -> plt.Figure:
    """With one data sample per replica (``samples`` > 1), say under the figure that the
    training points (and levels of them) drawn are sample 0's, replica 0's."""
    if samples > 1:
        fig.text(
            0.5,
            0.0,
            f"Points drawn: data sample 0 of {samples} (replica 0's); replica k trains on "
            "its own sample k (data seed + k).",
            ha="center",
            va="top",  # below the axes: the saved figure's tight box takes it in
            fontsize="small",
            color="0.35",
        )
    return fig
