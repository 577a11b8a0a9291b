"""The summary table and the observations generated from it. pandas/NumPy only.

Every sentence here is a template filled with measured numbers; which template is used
follows from those numbers (a ranking, a threshold), never from expectations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.settings import REPORTED_TRAINING
from aeflow.core.stats import last_epoch_mean, order_swaps, roughness

COLUMNS = [
    "model",
    "role",
    "label",
    "parameters",
    "optimizer",
    "learning_rate",
    "batch_size",
    "epochs",
    "final_train_loss",
    "train_mse",
    "test_mse",
    "generalisation_gap",
    "loss_roughness",
    "pca_optimum_mse",
    "pca_ratio",
    "pca_angle_deg",
    "order_swaps",
    "order_swap_fraction",
    # Part (h), optimiser runs only: on the loss over the whole training set, interpolated
    # to one grid of training examples seen shared by the runs compared.
    "matched_examples",
    "full_train_loss",
    "full_test_loss",
    "examples_to_level",
    "full_loss_roughness",
]
PCA_TOLERANCE = 0.05  # "reaches the optimum" when within 5 % of it
MONOTONE_TOLERANCE = 0.01  # at most 1 % of pairs swapped counts as a monotone rescaling


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
    """Latent order swaps between the original and the retrained encoder."""
    swaps = order_swaps(shift["z_before"].to_numpy(), shift["z_after"].to_numpy())
    n = len(shift)
    return {"order_swaps": swaps, "order_swap_fraction": swaps / (n * (n - 1) / 2)}


SETTINGS = ["role", "label", "parameters", "optimizer", "learning_rate", "batch_size", "epochs"]
SPREAD = ["final_train_loss", "train_mse", "test_mse", "full_train_loss"]  # mean and std
LEVEL_MARGIN = 1.1  # the loss level of "examples to reach" is 1.1 x the worst final loss


def compare_optimizers(curves: dict[str, pd.DataFrame]) -> dict[tuple[str, int], dict]:
    """Part (h) on matched quantities: each run's loss over the whole training set (and the
    held-out set), read at the same grid of training examples seen for every run.

    ``curves``: run name -> per-epoch table (epoch, examples_seen, train_loss, test_loss,
    seed). The grid runs from 0 to the smallest total any run saw, in steps of the largest
    epoch size; curves are linearly interpolated onto it. Returns, per (run, seed): the
    grid's end, the losses there, the examples seen until the training-set loss first
    falls to a level every run reaches (``LEVEL_MARGIN`` x the worst final mean), and the
    roughness of the interpolated training-set curve.
    """
    end = min(float(c["examples_seen"].max()) for c in curves.values())
    step = max(float(c.loc[c["epoch"] == 1, "examples_seen"].iloc[0]) for c in curves.values())
    grid = np.arange(0.0, end + step / 2, step)
    grid = grid[grid <= end]
    on_grid = {
        (run, int(seed)): (
            np.interp(grid, part["examples_seen"], part["train_loss"]),
            np.interp(grid, part["examples_seen"], part["test_loss"]),
        )
        for run, table in curves.items()
        for seed, part in table.groupby("seed")
    }
    finals = pd.Series({key: train[-1] for key, (train, _) in on_grid.items()})
    level = LEVEL_MARGIN * finals.groupby(level=0).mean().max()
    return {
        key: {
            "matched_examples": grid[-1],
            "full_train_loss": train[-1],
            "full_test_loss": test[-1],
            "examples_to_level": float(grid[np.argmax(train <= level)]),
            "full_loss_roughness": roughness(train),
            "level": level,
        }
        for key, (train, test) in on_grid.items()
    }


def summary_table(rows: list[dict]) -> pd.DataFrame:
    """One row per trained model; with several seed replicas, means over seeds plus the
    number of seeds and the standard deviation of the main numbers."""
    per_seed = pd.DataFrame(rows)
    if "seed" not in per_seed:
        per_seed["seed"] = 0
    groups = per_seed.groupby(["model", "role"], sort=False)
    metrics = [c for c in COLUMNS if c not in SETTINGS and c != "model" and c in per_seed]
    settings = [c for c in SETTINGS if c != "role" and c in per_seed]
    table = groups.agg({**{c: "first" for c in settings}, **{c: "mean" for c in metrics}})
    table["seeds"] = groups.size()
    for column in SPREAD:
        table[f"{column}_std"] = groups[column].std(ddof=0)
    table = table.reset_index()
    return table.reindex(columns=[*COLUMNS, "seeds", *(f"{c}_std" for c in SPREAD)])


def per_seed_table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows).reindex(columns=[*COLUMNS, "seed"])


def across_seeds(per_seed: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """Which conclusions drawn from the means hold in every seed replica."""
    variants = per_seed[per_seed["role"] == "variant"]
    seeds = sorted(variants["seed"].unique())
    if len(seeds) < 2:
        return []
    found = []
    mean_order = list(table[table["role"] == "variant"].sort_values("test_mse")["model"])
    same = sum(
        list(variants[variants["seed"] == s].sort_values("test_mse")["model"]) == mean_order
        for s in seeds
    )
    found.append(
        f"Across {len(seeds)} seeds: the ranking {' < '.join(mean_order)} by held-out MSE "
        f"holds in {same} of {len(seeds)} seeds."
    )
    linear = variants.dropna(subset=["pca_ratio"])
    if len(linear):
        within = int((abs(linear["pca_ratio"] - 1) <= PCA_TOLERANCE).sum())
        found.append(
            f"Across seeds: the linear model is within {PCA_TOLERANCE:.0%} of the PCA optimum "
            f"in {within} of {len(linear)} trainings."
        )
    found += _retraining_across_seeds(per_seed)
    runs = per_seed[per_seed["role"] == "optimizer run"]
    if runs["label"].nunique() >= 2:
        smoothest = runs.loc[runs.groupby("seed")["loss_roughness"].idxmin(), "label"]
        top = smoothest.mode().iloc[0]
        found.append(
            f'Across seeds: "{top}" has the smoothest loss curve in '
            f"{int((smoothest == top).sum())} of {runs['seed'].nunique()} seeds."
        )
    return found


def _is_monotone(swap_fraction: float) -> bool:
    return swap_fraction <= MONOTONE_TOLERANCE or swap_fraction >= 1 - MONOTONE_TOLERANCE


def _retraining_across_seeds(per_seed: pd.DataFrame) -> list[str]:
    """Part (g) per replica: replica k retrained against replica k's own frozen decoder."""
    retrained = per_seed[per_seed["role"] == "retrained"]
    if retrained["seed"].nunique() < 2:
        return []
    found = []
    for model, runs in retrained.groupby("model", sort=False):
        original = per_seed[(per_seed["model"] == model) & (per_seed["role"] == "variant")]
        paired = runs.merge(original[["seed", "final_train_loss"]], on="seed", suffixes=("", "_o"))
        ratio = paired["final_train_loss"] / paired["final_train_loss_o"]
        swaps = runs["order_swap_fraction"]
        monotone = int(swaps.map(_is_monotone).sum())
        found.append(
            f"Across {len(runs)} replicas of {model}: the retrained encoder ends at "
            f"{ratio.mean():.2f}x the original loss (std {ratio.std(ddof=0):.2f}, range "
            f"{ratio.min():.2f}-{ratio.max():.2f}); {swaps.mean():.1%} of sample pairs change "
            f"latent order (std {swaps.std(ddof=0):.1%}); the new latent is a monotone "
            f"rescaling of the old in {monotone} of {len(runs)} replicas."
        )
    return found


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def observations(table: pd.DataFrame) -> list[str]:
    """Plain-language findings, each computed from the summary table."""
    found: list[str] = []
    variants = table[table["role"] == "variant"]
    if len(variants) > 1:
        ranked = variants.sort_values("test_mse")
        order = " < ".join(f"{r.model} ({_fmt(r.test_mse)})" for r in ranked.itertuples())
        found.append(f"Ranking by held-out reconstruction MSE (lower is better): {order}.")
        best_train = variants.sort_values("train_mse").iloc[0]
        if best_train["model"] != ranked.iloc[0]["model"]:
            found.append(
                f"On the training points {best_train['model']} is best "
                f"(MSE {_fmt(best_train['train_mse'])}), yet it is not best on held-out points."
            )
    for r in variants.itertuples():
        if not pd.isna(r.pca_optimum_mse):
            excess = r.pca_ratio - 1
            verdict = (
                f"reaches the PCA optimum within {abs(excess):.2%}"
                if abs(excess) <= PCA_TOLERANCE
                else f"stays {excess:.1%} above the PCA optimum"
            )
            angle = (
                f"; its decoder direction lies {r.pca_angle_deg:.1f} degrees from the leading "
                "principal direction"
                if not pd.isna(r.pca_angle_deg)
                else ""
            )
            found.append(
                f"The linear model {r.model} {verdict} (MSE {_fmt(r.train_mse)} vs best "
                f"rank-{_latent_rank(r)} linear reconstruction {_fmt(r.pca_optimum_mse)}){angle}."
            )
    if len(variants):
        gaps = variants.assign(relative=variants["generalisation_gap"] / variants["train_mse"])
        worst = gaps.sort_values("relative").iloc[-1]
        found.append(
            "Generalisation gap (held-out minus training MSE): "
            + ", ".join(
                f"{r.model} {r.generalisation_gap:+.3g} ({r.relative:+.0%})"
                for r in gaps.itertuples()
            )
            + f"; largest relative gap: {worst['model']}."
        )
    for r in table[table["role"] == "retrained"].itertuples():
        original = table[(table["model"] == r.model) & (table["role"] == "variant")]
        if original.empty:
            continue
        base = original.iloc[0]
        ratio = r.final_train_loss / base["final_train_loss"]
        monotone = r.order_swap_fraction <= MONOTONE_TOLERANCE or (
            r.order_swap_fraction >= 1 - MONOTONE_TOLERANCE
        )
        if getattr(r, "seeds", 1) > 1:
            # Means over replicas; the verdict is given per replica (across seeds).
            found.append(
                f"Retraining the encoder of {base['model']} against its frozen decoder (each "
                f"of {int(r.seeds)} replicas against its own): loss {_fmt(r.final_train_loss)} vs "
                f"{_fmt(base['final_train_loss'])} originally ({ratio:.2f}x, means over "
                f"replicas); held-out MSE {_fmt(r.test_mse)} vs {_fmt(base['test_mse'])}; "
                f"{r.order_swap_fraction:.1%} of sample pairs change their latent order on "
                "average."
            )
            continue
        found.append(
            f"Retraining the encoder of {base['model']} against its frozen decoder ends at "
            f"loss {_fmt(r.final_train_loss)} vs {_fmt(base['final_train_loss'])} originally "
            f"({ratio:.2f}x); held-out MSE {_fmt(r.test_mse)} vs {_fmt(base['test_mse'])}. "
            f"{int(r.order_swaps)} sample pairs ({r.order_swap_fraction:.1%}) change their "
            f"latent order, so the new latent is "
            f"{'a monotone rescaling' if monotone else 'not a monotone rescaling'} of the old "
            "(one seed: not checked across seeds)."
        )
    found += _optimizer_observations(table)
    return found


def _optimizer_observations(table: pd.DataFrame) -> list[str]:
    """Part (h): the optimiser runs compared on the loss over the whole training set at
    equal training examples seen; the mini-batch curve only to explain its noise."""
    runs = table[table["role"] == "optimizer run"].dropna(subset=["full_train_loss"])
    if len(runs) < 2:
        return []
    seeds = int(runs["seeds"].min()) if "seeds" in runs else 1
    examples = int(runs["matched_examples"].iloc[0])
    lowest = runs.sort_values("full_train_loss").iloc[0]
    found = [
        f"Loss over the whole training set after {examples:,} training examples seen by each "
        f"run (mean of {seeds} seed{'s' * (seeds > 1)}): "
        + "; ".join(
            f"{r.label}: {_fmt(r.full_train_loss)} (held-out {_fmt(r.full_test_loss)})"
            for r in runs.itertuples()
        )
        + f". Lowest: {lowest['label']}."
    ]
    fastest = runs.sort_values("examples_to_level").iloc[0]
    found.append(
        "Examples seen until the training-set loss first reaches "
        f"{LEVEL_MARGIN:g}x the worst run's final loss: "
        + "; ".join(f"{r.label}: {int(r.examples_to_level):,}" for r in runs.itertuples())
        + f". Fastest: {fastest['label']}."
    )
    noisiest = runs.sort_values("loss_roughness").iloc[-1]
    factor = noisiest["loss_roughness"] / noisiest["full_loss_roughness"]
    why = (
        f"{factor:.0f} times the roughness of its training-set loss: it is noisy mainly "
        "because each batch is a different sample of the training points"
        if factor >= 2
        else f"{factor:.1f} times that of its training-set loss"
    )
    found.append(
        "Roughness (std of successive changes over the second half) of the training-set "
        "loss: "
        + "; ".join(f"{r.label}: {_fmt(r.full_loss_roughness)}" for r in runs.itertuples())
        + f'. The recorded mini-batch loss of "{noisiest["label"]}" has roughness '
        f"{_fmt(noisiest['loss_roughness'])}, {why}."
    )
    return found


def _latent_rank(row) -> str:
    return "k" if pd.isna(row.pca_angle_deg) else "1"
