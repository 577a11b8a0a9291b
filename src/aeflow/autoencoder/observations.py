"""The summary's observations, each computed from the per-seed numbers. pandas/NumPy only.

Every sentence is a template filled with measured numbers; which template is used follows
from those numbers (a ranking, a threshold), never from expectations. Every claim gives its
spread over seeds and in how many seeds it holds, and names a winner only where
``core.claims`` finds the seeds unanimous and their ranges apart; else it says the run does
not resolve it. Models are paired by replica: replica k of each (training seed seed + k).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from aeflow.autoencoder.summary import LEVEL_MARGIN
from aeflow.core.claims import Spread, agreement, agreement_text, compare, comparison_text

PCA_TOLERANCE = 0.05  # "reaches the optimum" when within 5 % of it
MONOTONE_TOLERANCE = 0.01  # at most 1 % of pairs swapped counts as a monotone rescaling
NOISE_FACTOR = 2.0  # batch losses scatter at least this many times the whole-set change
FMT = ".3g"


def _over(n: int) -> str:
    """How the numbers that follow were taken over seeds."""
    return f"mean ± std over {n} seeds" if n > 1 else "1 seed, so no spread"


def paired(rows: pd.DataFrame, column: str, key: str = "model") -> pd.DataFrame:
    """replica x ``key`` table of ``column``: replica k is each model's k-th seed; only
    replicas every model has are kept, so columns pair seed by seed."""
    rows = rows.assign(replica=rows.groupby(key, sort=False)["seed"].rank(method="first"))
    table = rows.pivot(index="replica", columns=key, values=column)
    return table[list(dict.fromkeys(rows[key]))].dropna()


def observations(per_seed: pd.DataFrame) -> list[str]:
    """Plain-language findings from the per-seed table (``summary.per_seed_table``)."""
    variants = per_seed[per_seed["role"] == "variant"]
    found: list[str] = []
    if variants["model"].nunique() > 1:
        found += _rankings(variants)
    found += _pca(variants)
    if len(variants):
        found.append(_gaps(variants))
    found += _retraining(per_seed)
    found += _optimizers(per_seed[per_seed["role"] == "optimizer run"])
    found += _capacity(per_seed[per_seed["role"] == "capacity"])
    return found


def _ranking(rows: pd.DataFrame, column: str, title: str, what: str) -> tuple[str, str]:
    """A ranking sentence (lower is better; adjacent models compared) and the resolved
    leader ('' if the run does not resolve it)."""
    values = paired(rows, column)
    order = list(values.mean().sort_values().index)
    clauses = [
        comparison_text(compare(values[a], values[b]), a, b, what) for a, b in pairwise(order)
    ]
    top = compare(values[order[0]], values[order[1]])
    verdict = (
        f"Lowest: {order[0]}."
        if top.resolved
        else f"The run does not resolve which of {order[0]} and {order[1]} is lowest."
    )
    sentence = (
        f"Ranking by {title} (lower is better; {_over(len(values))}): "
        + "; ".join(clauses)
        + f". {verdict}"
    )
    return sentence, order[0] if top.resolved else ""


def _rankings(variants: pd.DataFrame) -> list[str]:
    test_sentence, test_best = _ranking(
        variants, "test_mse", "held-out reconstruction MSE", "held-out MSE"
    )
    train_sentence, train_best = _ranking(
        variants, "train_mse", "reconstruction MSE on the training points", "training MSE"
    )
    found = [test_sentence, train_sentence]
    if test_best and train_best and test_best != train_best:
        train, test = paired(variants, "train_mse"), paired(variants, "test_mse")
        found.append(
            f"{train_best} fits the training points best (training MSE "
            f"{Spread.of(train[train_best]).text()} vs {Spread.of(train[test_best]).text()}), "
            f"yet {test_best} reconstructs held-out points best (held-out MSE "
            f"{Spread.of(test[test_best]).text()} vs {Spread.of(test[train_best]).text()}); "
            f"each order holds in {len(test)} of {len(test)} seeds with separate ranges."
        )
    return found


def _pca(variants: pd.DataFrame) -> list[str]:
    found = []
    for model, rows in variants.dropna(subset=["pca_ratio"]).groupby("model", sort=False):
        ratio = rows["pca_ratio"].to_numpy()
        within = agreement(np.abs(ratio - 1) <= PCA_TOLERANCE)
        rank = "1" if rows["pca_angle_deg"].notna().all() else "k"
        angle = (
            f"; its decoder direction lies {Spread.of(rows['pca_angle_deg']).range_text('.2g')} "
            "degrees from the leading principal direction"
            if rank == "1"
            else ""
        )
        found.append(
            "The linear model "
            + agreement_text(
                within,
                f"{model} reaches the PCA optimum within {PCA_TOLERANCE:.0%}",
                f"{model} stays more than {PCA_TOLERANCE:.0%} above the PCA optimum",
            )
            + f" (MSE / optimum {Spread.of(ratio).range_text('.6g')}; training MSE "
            f"{Spread.of(rows['train_mse']).text()} vs best rank-{rank} linear reconstruction "
            f"{rows['pca_optimum_mse'].iloc[0]:{FMT}}){angle}."
        )
    return found


def _gaps(variants: pd.DataFrame) -> str:
    gap = paired(variants, "generalisation_gap")
    relative = gap / paired(variants, "train_mse")
    parts = [
        f"{model} {Spread.of(gap[model]).text('+.3g')} ({Spread.of(relative[model]).text('+.0%')}"
        f" of its training MSE; "
        + agreement_text(agreement(gap[model] > 0), "positive", "zero or negative")
        + ")"
        for model in gap
    ]
    sentence = (
        f"Generalisation gap (held-out minus training MSE; {_over(len(gap))}): "
        + "; ".join(parts)
        + "."
    )
    if gap.shape[1] > 1:
        order = list(relative.mean().sort_values(ascending=False).index)
        top = compare(relative[order[0]], relative[order[1]], lower_is_better=False)
        sentence += (
            " Largest relative gap: "
            + comparison_text(top, order[0], order[1], "relative gap", fmt="+.0%")
            + "."
        )
    return sentence


def _is_monotone(swap_fraction: float) -> bool:
    return swap_fraction <= MONOTONE_TOLERANCE or swap_fraction >= 1 - MONOTONE_TOLERANCE


def _retraining(per_seed: pd.DataFrame) -> list[str]:
    """Part (g), per replica: replica k retrained against replica k's own frozen decoder."""
    found = []
    for model, runs in per_seed[per_seed["role"] == "retrained"].groupby("model", sort=False):
        original = per_seed[(per_seed["model"] == model) & (per_seed["role"] == "variant")]
        if original.empty:
            continue
        both = pd.concat([original.assign(which="original"), runs.assign(which="retrained")])
        loss = paired(both, "final_train_loss", key="which")
        test = paired(both, "test_mse", key="which")
        ratio = loss["retrained"] / loss["original"]
        swaps = runs["order_swap_fraction"]
        unit = "replicas" if len(runs) > 1 else "seeds"
        found.append(
            f"Part (g), encoder of {model} re-initialised and retrained against its frozen "
            f"decoder ({len(runs)} replica{'s, each' * (len(runs) > 1)} against its own): "
            + comparison_text(
                compare(loss["retrained"], loss["original"]),
                "retrained",
                "original",
                "final training loss",
                unit=unit,
            )
            + f", ratio {Spread.of(ratio).range_text('.2f')}; "
            + comparison_text(
                compare(test["retrained"], test["original"]),
                "retrained",
                "original",
                "held-out MSE",
                unit=unit,
            )
            + f". {Spread.of(swaps).range_text('.1%')} of sample pairs change their latent "
            "order: "
            + agreement_text(
                agreement(swaps.map(_is_monotone)),
                "the new latent is a monotone rescaling of the old",
                "the new latent is not a monotone rescaling of the old",
                unit=unit,
            )
            + f" (monotone: at most {MONOTONE_TOLERANCE:.0%} of pairs swapped, or all but it)."
        )
    return found


def _optimizers(runs: pd.DataFrame) -> list[str]:
    """Part (h): the optimiser runs compared on the loss over the whole training set at
    equal training examples seen; the mini-batch curve only to explain its noise."""
    runs = runs.dropna(subset=["full_train_loss"])
    if runs["label"].nunique() < 2:
        return []
    runs = runs.assign(label='"' + runs["label"] + '"')  # labels may hold commas
    full = paired(runs, "full_train_loss", key="label")
    held_out = paired(runs, "full_test_loss", key="label")
    n, examples = len(full), int(runs["matched_examples"].iloc[0])
    best, runner = list(full.mean().sort_values().index[:2])
    found = [
        f"Part (h), loss over the whole training set after {examples:,} training examples "
        f"seen by each run ({_over(n)}): "
        + comparison_text(compare(full[best], full[runner]), best, runner, "training-set loss")
        + "; on the held-out set: "
        + comparison_text(compare(held_out[best], held_out[runner]), best, runner, "held-out loss")
        + "."
    ]
    reach = paired(runs, "examples_to_level", key="label")
    fast, slow = list(reach.mean().sort_values().index[:2])
    found.append(
        f"Examples seen until the training-set loss first reaches {LEVEL_MARGIN:g}x the "
        "worst run's final loss: "
        + comparison_text(
            compare(reach[fast], reach[slow]), fast, slow, "examples needed", fmt=",.0f"
        )
        + "."
    )
    rough = paired(runs, "full_loss_roughness", key="label")
    smooth, other = list(rough.mean().sort_values().index[:2])
    batch = paired(runs, "loss_roughness", key="label")
    found.append(
        "Roughness of the loss over the whole training set on that grid of examples seen "
        "(std of its second differences over the second half; 0 for a curve that falls "
        "smoothly, however fast): "
        + comparison_text(compare(rough[smooth], rough[other]), smooth, other, "roughness")
        + ". The recorded mini-batch curves, a different quantity (each point one batch), "
        "have roughness "
        + "; ".join(f"{label} {Spread.of(batch[label]).text()}" for label in batch.columns)
        + "."
    )
    found += _batch_noise(runs)
    return found


def _batch_noise(runs: pd.DataFrame) -> list[str]:
    """Why the noisiest mini-batch curve is noisy: sampling, or the model moving."""
    noisy = runs.dropna(subset=["noise_ratio"])
    if noisy.empty:
        return []
    label = noisy.groupby("label", sort=False)["noise_ratio"].mean().idxmax()
    rows = noisy[noisy["label"] == label]
    ratio = rows["noise_ratio"]
    sampling = agreement_text(
        agreement(ratio >= NOISE_FACTOR),
        f"at least {NOISE_FACTOR:g}x",
        f"less than {NOISE_FACTOR:g}x",
    )
    verdict = agreement(ratio >= NOISE_FACTOR).verdict
    why = {
        True: f"so the mini-batch curve of {label} is noisy mainly because each batch is a "
        "different sample of the training points, not because the model changes",
        False: f"so the noise of the mini-batch curve of {label} is not mainly the sampling "
        "of batches",
        None: "so the run does not resolve whether the noise is mainly the sampling of batches",
    }[verdict]
    return [
        f"Within one epoch (second half of training), the mini-batch losses of {label} "
        f"scatter by {Spread.of(rows['batch_scatter']).text()} (std within the epoch) while "
        f"its loss over the whole training set changes by "
        f"{Spread.of(rows['epoch_change']).text()} over that epoch: "
        f"{Spread.of(ratio).range_text(',.0f' if ratio.mean() >= 100 else '.3g')} times as "
        f"much ({sampling}); {why}."
    ]


def _capacity(rows: pd.DataFrame) -> list[str]:
    """Part (e) measured: training and held-out MSE against width, [w, w]."""
    if rows.empty:
        return []
    rows = rows.assign(name=rows["width"].map(lambda w: f"w={int(w)}"))
    train, test = paired(rows, "train_mse", "name"), paired(rows, "test_mse", "name")
    gap = test - train
    widths = rows.drop_duplicates("name").sort_values("width")
    small, large = widths["name"].iloc[0], widths["name"].iloc[-1]
    parameters = dict(zip(widths["name"], widths["parameters"], strict=True))
    base = rows["label"].iloc[0].split(",")[0]
    listing = "; ".join(
        f"{name} ({int(parameters[name]):,} parameters) training {Spread.of(train[name]).text()}, "
        f"held-out {Spread.of(test[name]).text()}"
        for name in widths["name"]
    )
    found = [
        f"Part (e), capacity: {base}'s architecture with hidden [w, w], trained as {base} "
        f"({_over(len(train))}): {listing}."
    ]
    if small == large:
        return found
    best = test.mean().idxmin()
    other = large if best != large else test.mean().drop(best).idxmin()
    lowest = compare(test[best], test[other])
    held_out = comparison_text(lowest, best, other, "held-out MSE")
    if best != large:
        trend = (
            f"held-out MSE is lowest (by the mean) at {best}; against the largest width: "
            f"{held_out}, so "
            + (
                f"held-out MSE rises from {best} to {large} in this run"
                if lowest.verdict == "A"
                else f"the run does not resolve whether held-out MSE rises beyond {best}"
            )
        )
    else:
        trend = (
            f"held-out MSE is lowest (by the mean) at the largest width, {large}; against "
            f"the runner-up: {held_out}"
        )
    found.append(
        "Capacity: "
        + comparison_text(compare(train[large], train[small]), large, small, "training MSE")
        + f"; {trend}; the generalisation gap at {large} is "
        + f"{Spread.of(gap[large]).text('+.3g')} ("
        + agreement_text(agreement(gap[large] > 0), "positive", "zero or negative")
        + "), "
        + comparison_text(
            compare(gap[large], gap[small], lower_is_better=False),
            large,
            small,
            "generalisation gap",
        )
        + "."
    )
    return found
