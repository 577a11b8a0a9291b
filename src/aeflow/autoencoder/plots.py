"""Figures, drawn from the cached CSV outputs. Imports matplotlib and pandas only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # jobs run headless, on clusters too

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from aeflow.autoencoder.failures import failure_label
from aeflow.core.stats import order_swaps

LATENT_CMAP = "viridis"


def samples_figure(samples: pd.DataFrame) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    for split, style in (("test", {"s": 6, "alpha": 0.25, "color": "0.6"}), ("train", {"s": 18})):
        chosen = samples[samples["split"] == split]
        ax.scatter(chosen["x"], chosen["y"], label=f"{split} ({len(chosen)})", **style)
    ax.set(xlabel="x", ylabel="y", title="Input samples (uniform in the rectangle)")
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small", framealpha=0.9)
    return fig


def _split_failed(table: pd.DataFrame, failed: set[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of the seeds that trained, rows of those that did not); every row counts as
    trained when all seeds failed, so that a run is never drawn empty."""
    bad = table["seed"].isin(failed)
    if bad.all():
        return table, table.iloc[:0]
    return table[~bad], table[bad]


def loss_curves_figure(
    curves: Mapping[str, pd.DataFrame],
    x: str = "step",
    title: str = "Training loss",
    failed: Mapping[str, set[int]] | None = None,
) -> plt.Figure:
    """Per-batch losses (faint) with their per-epoch means (bold), log-scaled loss axis.

    With several seed replicas: the mean over seeds of the per-epoch mean, and a band from
    the lowest to the highest seed. Seeds in ``failed`` (label -> seeds that did not train)
    are left out of the mean and band and drawn dashed, as the summaries leave them out.
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
        losses, failures = _split_failed(losses, failed.get(label, set()))
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
            label=f"{label} (epoch mean over {seeds} seed{'s' * (seeds > 1)}; band: min to max)",
        )
    ax.set_yscale("log")
    ax.set(xlabel=xlabels.get(x, x), ylabel="MSE loss (log scale)", title=title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def optimizer_comparison_figure(
    full_curves: Mapping[str, pd.DataFrame],
    batch_losses: Mapping[str, pd.DataFrame],
    failed: Mapping[str, set[int]] | None = None,
) -> plt.Figure:
    """Part (h). Left: the loss over the whole training set (solid) and the held-out set
    (dashed) against training examples seen, mean over seeds with a min-max band: the
    matched quantity the optimisers are compared on. Right, separately: the loss of each
    mini-batch as recorded during training (for SGD, each batch is another sample).
    Seeds in ``failed`` (label -> seeds that did not train) are left out of mean and band
    and drawn dotted."""
    failed = failed or {}
    fig, (full, batch) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    colours = plt.cm.tab10.colors
    for (label, curves), colour in zip(full_curves.items(), colours, strict=False):
        curves, failures = _split_failed(curves, failed.get(label, set()))
        seeds = curves["seed"].nunique()
        for k, (_, one) in enumerate(failures.groupby("seed")):
            full.plot(
                one["examples_seen"],
                one["train_loss"],
                ":",
                color=colour,
                linewidth=1.0,
                label=f"{label}: {failure_label(failed[label])} (dotted)" if k == 0 else None,
            )
        for column, style in (("train_loss", "-"), ("test_loss", "--")):
            band = curves.groupby("examples_seen")[column].agg(["min", "max", "mean"])
            full.fill_between(
                band.index, band["min"], band["max"], color=colour, alpha=0.2, linewidth=0
            )
            which = "training set" if column == "train_loss" else "held-out set"
            full.plot(
                band.index,
                band["mean"],
                style,
                color=colour,
                linewidth=1.4,
                label=f"{label}: {which} (mean of {seeds} seed{'s' * (seeds > 1)})",
            )
    for (label, losses), colour in zip(batch_losses.items(), colours, strict=False):
        first = losses[losses["seed"] == losses["seed"].min()]
        batch.plot(
            first["examples_seen"],
            first["loss"],
            color=colour,
            alpha=0.6,
            linewidth=0.5,
            label=f"{label} (seed {int(first['seed'].iloc[0])})",
        )
    for ax, ylabel, title in (
        (full, "MSE (log scale)", "Loss over the whole training / held-out set"),
        (batch, "MSE of the batch (log scale)", "Mini-batch loss as recorded (first seed)"),
    ):
        ax.set(xlabel="training examples seen", ylabel=ylabel, yscale="log", title=title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    return fig


def latent_maps_figure(
    embeddings: Mapping[str, pd.DataFrame], shown: Sequence[str] | None = None
) -> plt.Figure:
    """One panel per variant: training points coloured by their (first) latent code.

    A latent map is the geometry of one network, so it shows one seed replica; ``shown``
    names it per variant (e.g. 'seed 0, first of 5 replicas') for the panel titles."""
    n = len(embeddings)
    fig, axes = plt.subplots(
        1, n, figsize=(4.6 * n, 3.4), sharex=True, sharey=True, layout="constrained", squeeze=False
    )
    shown = list(shown) if shown is not None else [""] * n
    for ax, (name, table), which in zip(axes[0], embeddings.items(), shown, strict=True):
        z_column = "z" if "z" in table else "z1"
        points = ax.scatter(table["x"], table["y"], c=table[z_column], cmap=LATENT_CMAP, s=22)
        fig.colorbar(points, ax=ax, label=f"latent code {z_column}")
        ax.set(title=f"{name} ({which})" if which else name, xlabel="x")
        ax.set_aspect("equal")
    axes[0, 0].set_ylabel("y")
    fig.suptitle("Latent code of each training point")
    return fig


def decoder_sweeps_figure(
    sweeps: Mapping[str, pd.DataFrame],
    training_points: pd.DataFrame,
    shown: Sequence[str] | None = None,
) -> plt.Figure:
    """Rows: variants. Columns: decoder before | after training, coloured by latent value.

    One network per row (``shown`` names its seed replica for the titles), as the decoded
    curve of a mean over seeds would be no network's curve."""
    stages = ("before", "after")
    n = len(sweeps)
    fig, axes = plt.subplots(
        n, 2, figsize=(9.5, 2.45 * n), sharex=True, sharey=True, layout="constrained", squeeze=False
    )
    z_all = pd.concat([s["z"] for s in sweeps.values()])
    norm = plt.Normalize(z_all.min(), z_all.max())  # one latent colour scale for all panels
    shown = list(shown) if shown is not None else [""] * n
    for row, (name, sweep), which in zip(axes, sweeps.items(), shown, strict=True):
        for ax, stage in zip(row, stages, strict=True):
            ax.scatter(
                training_points["x"], training_points["y"], s=8, color="0.8", label="training data"
            )
            chosen = sweep[sweep["stage"] == stage]
            points = ax.scatter(
                chosen["x"], chosen["y"], c=chosen["z"], cmap=LATENT_CMAP, norm=norm, s=5
            )
            ax.set_title(
                f"{name} ({which}): {stage} training" if which else f"{name}: {stage} training"
            )
            ax.set_aspect("equal", adjustable="box")
            ax.grid(True, alpha=0.3)
        row[0].set_ylabel("decoded y")
    for ax in axes[-1]:
        ax.set_xlabel("decoded x")
    fig.colorbar(points, ax=axes, label="latent value z", shrink=0.6)
    axes[0, 0].legend(loc="upper left", fontsize="small")
    return fig


def latent_shift_figure(shift: pd.DataFrame, variant: str) -> plt.Figure:
    """Latent codes before vs after encoder retraining: arrows, and after-vs-before (of
    the first seed replica when there are several)."""
    if "seed" in shift:
        seed, replicas = shift["seed"].min(), shift["seed"].nunique()
        shift = shift[shift["seed"] == seed]
        variant = f"{variant}, seed {seed}" + (
            f" (first of {replicas} replicas)" if replicas > 1 else ""
        )
    before, after = shift["z_before"].to_numpy(), shift["z_after"].to_numpy()
    swaps = order_swaps(before, after)
    pairs = len(before) * (len(before) - 1) // 2
    fig, (ax_arrows, ax_scatter) = plt.subplots(
        1, 2, figsize=(11, 4.2), layout="constrained", width_ratios=(1.6, 1)
    )
    ax_arrows.scatter(
        before, np.zeros_like(before), color="tab:blue", s=14, label="original encoder", zorder=3
    )
    ax_arrows.scatter(
        after, np.ones_like(after), color="tab:red", s=14, label="retrained encoder", zorder=3
    )
    for start, end in zip(before, after, strict=True):
        ax_arrows.annotate(
            "",
            xy=(end, 1),
            xytext=(start, 0),
            arrowprops={"arrowstyle": "->", "color": "0.35", "lw": 0.6},
        )
    ax_arrows.set(
        yticks=[0, 1],
        yticklabels=["before", "after"],
        ylim=(-0.3, 1.3),
        xlabel="latent code z",
        title=f"{variant}: each sample's code, old -> new",
    )
    ax_arrows.legend(loc="center right", fontsize="small")
    ax_scatter.scatter(before, after, s=12)
    ax_scatter.set(
        xlabel="z, original encoder",
        ylabel="z, retrained encoder",
        title=f"order swaps: {swaps} of {pairs} pairs",
    )
    ax_scatter.grid(True, alpha=0.3)
    return fig


def capacity_figure(
    curves: Mapping[int, pd.DataFrame],
    parameters: Mapping[int, int],
    variant: str,
    failed: Mapping[int, set[int]] | None = None,
) -> plt.Figure:
    """Part (e) measured. Left: training and held-out MSE at the end of training against
    the parameter count (log x), mean over seeds with a min-max band, each point labelled
    with its width. Right: held-out MSE per epoch of each width (mean over seeds).

    ``curves``: width -> per-epoch table (epoch, train_loss, test_loss, seed);
    ``parameters``: width -> parameter count; ``failed``: width -> seeds that did not
    train, left out of means and bands (as in the summary) and marked with crosses."""
    failed = failed or {}
    fig, (final, history) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    widths = sorted(curves)
    x = np.array([parameters[w] for w in widths], dtype=float)
    seeds = min(table["seed"].nunique() for table in curves.values())
    ends = {w: t[t["epoch"] == t["epoch"].max()] for w, t in curves.items()}
    failed_ends = {w: _split_failed(ends[w], failed.get(w, set()))[1] for w in widths}
    ends = {w: _split_failed(ends[w], failed.get(w, set()))[0] for w in widths}
    curves = {w: _split_failed(curves[w], failed.get(w, set()))[0] for w in widths}
    marked = False
    for w, position in zip(widths, x, strict=True):
        for column, colour in (("train_loss", "tab:blue"), ("test_loss", "tab:red")):
            if len(failed_ends[w]):
                final.scatter(
                    [position] * len(failed_ends[w]),
                    failed_ends[w][column],
                    marker="x",
                    color=colour,
                    zorder=3,
                    label=None
                    if marked
                    else "a seed that did not train (cross; out of mean, band)",
                )
                marked = True
    for column, colour, what in (
        ("train_loss", "tab:blue", "training set"),
        ("test_loss", "tab:red", "held-out set"),
    ):
        values = [ends[w][column] for w in widths]
        final.fill_between(
            x,
            [v.min() for v in values],
            [v.max() for v in values],
            color=colour,
            alpha=0.2,
            linewidth=0,
        )
        final.plot(
            x, [v.mean() for v in values], "o-", color=colour, label=f"{what} (mean; band: min-max)"
        )
    for w, position in zip(widths, x, strict=True):
        final.annotate(
            f"w={w}",
            (position, ends[w]["test_loss"].mean()),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize="x-small",
        )
    final.set(
        xscale="log",
        yscale="log",
        xlabel="parameters (log scale)",
        ylabel="MSE at the end of training (log scale)",
        title=f"{variant} at hidden [w, w]: final MSE ({seeds} seed{'s' * (seeds > 1)})",
    )
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(widths)))
    for w, colour in zip(widths, colours, strict=True):
        mean = curves[w].groupby("epoch")["test_loss"].mean()
        history.plot(mean.index, mean.to_numpy(), color=colour, linewidth=1.2, label=f"w={w}")
    history.set(
        yscale="log",
        xlabel="epoch",
        ylabel="held-out MSE (log scale)",
        title="Held-out MSE during training (mean over seeds that trained)",
    )
    for ax in (final, history):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    return fig
