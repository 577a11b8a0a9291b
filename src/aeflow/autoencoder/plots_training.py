"""Figures of the training comparisons: the optimisers of part (h), the retrained
encoder's codes of part (g) and the capacity runs of part (e). Drawn from the cached CSV
outputs; imports matplotlib and pandas only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aeflow.autoencoder.failures import failure_label
from aeflow.autoencoder.optimizer_runs import updates_per_epoch
from aeflow.autoencoder.plots import THOUSANDS, split_failed
from aeflow.core.figures import plt
from aeflow.core.stats import order_swaps, rank_correlation

RUN_STYLES = ("-", "--", (0, (6, 2, 1, 2)), (0, (1, 1)))  # solid, dashed, dash-dot, dotted


def _seed_band(
    ax: plt.Axes, x: pd.Series, curves: pd.DataFrame, column: str, colour, style
) -> None:
    """Mean over seeds of ``column`` against ``x`` (one value per row), with the band from
    the lowest to the highest seed; rows where ``column`` was not evaluated (NaN) left
    out."""
    band = curves.assign(x=x).dropna(subset=[column]).groupby("x")[column]
    band = band.agg(["min", "max", "mean"])
    ax.fill_between(band.index, band["min"], band["max"], color=colour, alpha=0.15, linewidth=0)
    ax.plot(band.index, band["mean"], linestyle=style, color=colour, linewidth=1.6)


def optimizer_comparison_figure(
    full_curves: Mapping[str, pd.DataFrame],
    batch_losses: Mapping[str, pd.DataFrame],
    failed: Mapping[str, set[int]] | None = None,
) -> plt.Figure:
    """Part (h), four panels. The loss over the whole training set against training
    examples seen (top left) and against updates taken (top right, log axis), and the
    held-out loss against examples seen (bottom left): each the mean over seeds with a
    band from the lowest to the highest seed, the matched quantities the optimisers are
    compared on. Bottom right, separately: the loss of each mini-batch as recorded during
    training, first seed (a full-batch run's batch is the whole training set). Seeds in
    ``failed`` (label -> seeds still stuck near the constant reconstruction) stay in mean
    and band, as in the summary, and are also drawn dotted."""
    failed = failed or {}
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.4), layout="constrained")
    (by_examples, by_updates), (held_out, batch) = axes
    colours = plt.cm.tab10.colors
    runs = list(zip(full_curves.items(), colours, RUN_STYLES * len(full_curves), strict=False))
    for (label, curves), colour, style in runs:
        per_epoch = updates_per_epoch(batch_losses[label])
        trained, failures = split_failed(curves, failed.get(label, set()))
        seeds = trained["seed"].nunique()
        counted = f"mean of {seeds} seed{'s' * (seeds > 1)}"
        if len(failures):
            counted += f"; {failure_label(failed[label])}: dotted"
        for ax, x, column in (
            (by_examples, "examples_seen", "train_loss"),
            (by_updates, "updates", "train_loss"),
            (held_out, "examples_seen", "test_loss"),
        ):
            shown = trained.assign(updates=trained["epoch"] * per_epoch)
            if x == "updates":  # a log axis: from the first update on
                shown = shown[shown["epoch"] > 0]
            _seed_band(ax, shown[x], shown, column, colour, style)
            drawn = failures.assign(updates=failures["epoch"] * per_epoch)
            for _, one in drawn.dropna(subset=[column]).groupby("seed"):
                one = one[one["epoch"] > 0] if x == "updates" else one
                ax.plot(one[x], one[column], ":", color=colour, linewidth=1.0)
        by_examples.plot(
            [], [], linestyle=style, color=colour, linewidth=1.6, label=f"{label} ({counted})"
        )
    by_examples.fill_between(
        [], [], [], color="0.5", alpha=0.3, label="band: lowest to highest seed"
    )
    for (label, losses), colour, _ in zip(
        batch_losses.items(), colours, RUN_STYLES * len(batch_losses), strict=False
    ):
        first = losses[losses["seed"] == losses["seed"].min()]
        steps = updates_per_epoch(losses)
        noisy = steps > 1  # several batches per epoch: each loss is another sample's
        batch.plot(
            first["examples_seen"],
            first["loss"],
            color=colour,
            alpha=0.45 if noisy else 1.0,
            linewidth=0.5 if noisy else 1.8,
            zorder=1 if noisy else 3,
            label=f"{label}: {steps} batch{'es' * (steps > 1)} per epoch",
        )
    seed = int(next(iter(batch_losses.values()))["seed"].min())
    for ax, xlabel, ylabel, title in (
        (
            by_examples,
            "training examples seen",
            "MSE over the training set (log)",
            "Training set, by examples seen",
        ),
        (
            by_updates,
            "updates taken (optimiser steps, log)",
            "MSE over the training set (log)",
            "Training set, by updates taken",
        ),
        (
            held_out,
            "training examples seen",
            "MSE over the held-out set (log)",
            "Held-out set, by examples seen",
        ),
        (
            batch,
            "training examples seen",
            "MSE of the batch (log)",
            f"Mini-batch loss as recorded (seed {seed})",
        ),
    ):
        ax.set(xlabel=xlabel, ylabel=ylabel, yscale="log", title=title)
        ax.grid(True, which="both", alpha=0.3)
    for ax in (by_examples, held_out, batch):
        ax.xaxis.set_major_formatter(THOUSANDS)
    by_updates.set_xscale("log")
    handles, labels = by_examples.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncols=2, fontsize="small")
    batch.legend(fontsize="small", loc="lower left")
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
    ax_scatter.scatter(before, after, s=12, zorder=3)
    ends = [min(before.min(), after.min()), max(before.max(), after.max())]
    ax_scatter.plot(ends, ends, "--", color="0.4", linewidth=1, label="z_after = z_before")
    ax_scatter.set(
        xlabel="z, original encoder",
        ylabel="z, retrained encoder",
        title=rf"Spearman $\rho$ {rank_correlation(before, after):+.2f}; "
        f"order swaps: {swaps} of {pairs} pairs",
    )
    ax_scatter.legend(loc="upper left", fontsize="small")
    ax_scatter.grid(True, alpha=0.3)
    return fig


def capacity_figure(
    curves: Mapping[tuple[int, int], pd.DataFrame],
    parameters: Mapping[int, int],
    variant: str,
    failed: Mapping[tuple[int, int], set[int]] | None = None,
    references: Mapping[int, Mapping[str, float]] | None = None,
    cap: int | None = None,
) -> plt.Figure:
    """Part (e) measured, one row per training-set size n. Left: training and held-out MSE
    at the end of training against the parameter count (log x), mean over seeds with a
    min-max band, each point labelled with its width, and the lowest held-out MSE each
    seed reached during training (mean). Middle: the training MSE per record of each width
    (mean over seeds), so that a reader sees whether it converged; a dot where a run
    stopped before the cap. Right: the held-out MSE per record.

    ``curves``: (n, width) -> records (epoch, train_loss, test_loss, seed); ``parameters``:
    width -> parameter count; ``failed``: (n, width) -> seeds still stuck near the
    constant, kept in means and bands (as in the summary) and also drawn apart (crosses,
    dotted curves);
    ``references``: n -> ``memorised`` (the training MSE that counts as memorised) and
    ``pca`` (the held-out MSE of the PCA of the n points), drawn as dashed lines; ``cap``:
    the epochs a run stops at the latest."""
    failed = failed or {}
    references = references or {}
    sizes = list(dict.fromkeys(n for n, _ in curves))
    fig, axes = plt.subplots(
        len(sizes), 3, figsize=(16, 4.4 * len(sizes)), layout="constrained", squeeze=False
    )
    for row, n in zip(axes, sizes, strict=True):
        runs = {w: table for (size, w), table in curves.items() if size == n}
        bad = {w: failed.get((n, w), set()) for w in runs}
        _capacity_finals(row[0], runs, parameters, bad, references.get(n, {}))
        _capacity_histories(row[1], row[2], runs, bad, references.get(n, {}), cap)
        seeds = min(table["seed"].nunique() for table in runs.values())
        row[0].set_title(
            f"{variant} at [w, w], n = {n}: MSE at the end ({seeds} seed{'s' * (seeds > 1)})",
            fontsize="medium",
        )
        row[1].set_title(f"n = {n}: training MSE during training", fontsize="medium")
        row[2].set_title(f"n = {n}: held-out MSE during training", fontsize="medium")
    return fig


def _last_records(records: pd.DataFrame) -> pd.DataFrame:
    """Each seed's last record: the seeds of a run stop at the plateau of their own job's
    block of replicas, not all at one epoch."""
    return records[records["epoch"] == records.groupby("seed")["epoch"].transform("max")]


def _capacity_finals(ax, runs, parameters, bad, reference) -> None:
    widths = sorted(runs)
    x = np.array([parameters[w] for w in widths], dtype=float)
    ends = {w: _last_records(t) for w, t in runs.items()}
    kept = {w: split_failed(ends[w], bad[w]) for w in widths}
    marked = False
    for w, position in zip(widths, x, strict=True):
        dropped = kept[w][1]
        for column, colour in (("train_loss", "tab:blue"), ("test_loss", "tab:red")):
            if len(dropped):
                ax.scatter(
                    [position] * len(dropped),
                    dropped[column],
                    marker="x",
                    color=colour,
                    zorder=3,
                    label=None
                    if marked
                    else "a seed still near the constant's loss (cross; in mean, band)",
                )
                marked = True
    for column, colour, what in (
        ("train_loss", "tab:blue", "training set"),
        ("test_loss", "tab:red", "held-out set"),
    ):
        values = [kept[w][0][column] for w in widths]
        ax.fill_between(
            x,
            [v.min() for v in values],
            [v.max() for v in values],
            color=colour,
            alpha=0.2,
            linewidth=0,
        )
        ax.plot(
            x, [v.mean() for v in values], "o-", color=colour, label=f"{what} (mean; band: min-max)"
        )
    best = [
        split_failed(runs[w], bad[w])[0].groupby("seed")["test_loss"].min().mean() for w in widths
    ]
    ax.plot(
        x,
        best,
        "v--",
        color="tab:red",
        alpha=0.6,
        markerfacecolor="none",
        label="held-out, lowest during training (mean)",
    )
    for w, position in zip(widths, x, strict=True):
        ax.annotate(
            f"w={w}",
            (position, kept[w][0]["test_loss"].mean()),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize="x-small",
        )
    _reference_lines(ax, reference, ("memorised", "pca"))
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="parameters (log scale)",
        ylabel="MSE (log scale)",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16))


def _capacity_histories(train_ax, test_ax, runs, bad, reference, cap) -> None:
    widths = sorted(runs)
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(widths)))
    finals, stopped = [], False
    for w, colour in zip(widths, colours, strict=True):
        kept, dropped = split_failed(runs[w], bad[w])
        # Log epochs: the untrained record (epoch 0) is left out.
        kept, dropped = kept[kept["epoch"] > 0], dropped[dropped["epoch"] > 0]
        finals.append(_last_records(kept)["test_loss"].mean())
        for ax, column in ((train_ax, "train_loss"), (test_ax, "test_loss")):
            mean = kept.groupby("epoch")[column].mean()
            ax.plot(mean.index, mean.to_numpy(), color=colour, linewidth=1.2, label=f"w={w}")
            for seed, part in dropped.groupby("seed"):
                ax.plot(
                    part["epoch"],
                    part[column],
                    ":",
                    color=colour,
                    linewidth=1,
                    label=f"w={w}: seed {seed} still near the constant's loss (dotted)",
                )
            last = mean.index[-1]
            if cap is not None and last < cap:
                ax.plot([last], [mean.iloc[-1]], "o", color=colour, markersize=4)
                stopped = True
    _reference_lines(train_ax, reference, ("memorised",))
    _reference_lines(test_ax, reference, ("pca",))
    if stopped:
        train_ax.plot([], [], "o", color="0.3", markersize=4, label="stopped on the plateau rule")
    if cap is not None:
        train_ax.plot([], [], ":", color="0.5", linewidth=0.8, label=f"the cap ({cap} epochs)")
    train_ax.set(
        xscale="log",
        yscale="log",
        xlabel="epoch (log scale)",
        ylabel="training MSE (log; seeds' mean)",
    )
    test_ax.set(
        xscale="log",
        yscale="log",
        xlabel="epoch (log scale)",
        ylabel="held-out MSE (log; seeds' mean)",
    )
    # The untrained networks' first records would squash the range that matters.
    levels = [v for v in [*finals, reference.get("pca", np.nan)] if np.isfinite(v)]
    if levels:
        test_ax.set_ylim(top=min(test_ax.get_ylim()[1], 2.5 * max(levels)))
    for ax in (train_ax, test_ax):
        if cap is not None:
            ax.axvline(cap, color="0.5", linewidth=0.8, linestyle=":")
        ax.grid(True, which="both", alpha=0.3)
    # One legend of the widths (both panels' colours), below the training panel.
    train_ax.legend(fontsize="x-small", ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    handles = [h for h in test_ax.get_lines() if h.get_label().startswith("PCA")]
    if handles:
        test_ax.legend(handles=handles, fontsize="x-small", loc="upper right")


REFERENCE_STYLES = {
    "memorised": ("k", "memorised below this (training MSE)"),
    "pca": ("0.4", "PCA of the same points (held-out MSE)"),
}


def _reference_lines(ax, reference: Mapping[str, float], keys: Sequence[str]) -> None:
    for key in keys:
        if key in reference and np.isfinite(reference[key]):
            colour, label = REFERENCE_STYLES[key]
            ax.axhline(reference[key], color=colour, linestyle="--", linewidth=0.9, label=label)
