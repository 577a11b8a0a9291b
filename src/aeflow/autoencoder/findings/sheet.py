"""The sheet's own claims about the autoencoders, each judged on named claim rows."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aeflow.autoencoder.findings import capacity, latent, optimizers, retrain, variants
from aeflow.core.claims import Claim
from aeflow.core.sheet import ABOVE, BELOW, Expect, judge, not_measured


def _rows(claims: Sequence[Claim], family: str, metric: str | None = None) -> list[Claim]:
    return [
        c
        for c in claims
        if c.family.startswith(family) and (metric is None or c.metric.startswith(metric))
    ]


def _involving(rows: Sequence[Claim], name: str) -> list[Claim]:
    return [c for c in rows if name in (c.subject, c.reference)]


def sheet_claims(claims: Sequence[Claim], per_seed: pd.DataFrame) -> list[Claim]:
    """One row per claim the sheet makes about parts (b) to (h)."""
    found = []
    training = _rows(claims, variants.TRAINING)
    for name in ("ae2",):
        rows = _involving(training, name)
        found.append(
            judge(
                f"{name} reaches the lowest loss on the training data",
                "(b)",
                [Expect(c, name) for c in rows],
                missing=f"no variant {name}",
            )
        )
    rows = _involving(training, "pca")
    found.append(
        judge(
            "PCA has the highest training loss",
            "(b)",
            [Expect(c, c.reference if c.subject == "pca" else c.subject) for c in rows],
            missing="no variant pca",
        )
    )
    order = _rows(claims, latent.ORDER, "|")
    found.append(
        judge(
            "after training, each code orders the plane (|rho(z, x)| above untrained codes)",
            "(c)",
            [Expect(c, ABOVE) for c in order if "(z, x)" in c.metric],
            missing="no untrained reference draws",
        )
    )
    axes = {c.subject.split(":")[0]: c for c in _rows(claims, latent.AXES)}
    for model, words in (("pca", "PCA's code"), ("ae1", "ae1's code")):
        found.append(
            judge(
                f"{words} follows x; y has only a minor influence",
                "(d)",
                [Expect(axes[model], axes[model].subject)] if model in axes else [],
                missing=f"no variant {model}",
            )
        )
    memorise = _rows(claims, capacity.MEMORISES)
    found.append(
        judge(
            "a network wide enough memorises its training points",
            "(e)",
            [Expect(c, BELOW) for c in memorise],
            mode="any",
            missing="capacity widths off",
        )
    )
    cost = [c for c in _rows(claims, capacity.COST) if "linear model" not in c.reference]
    found.append(
        judge(
            "memorising loses generalisation (worse on held-out points)",
            "(e)",
            [Expect(c, c.reference) for c in cost],
            missing="no width memorises, or capacity widths off",
        )
    )
    retrained = _rows(claims, retrain.TITLE)
    held_out = [c for c in retrained if c.metric == "held-out MSE"]
    found.append(
        judge(
            "a retrained encoder against a frozen decoder reconstructs worse",
            "(f)",
            [Expect(c, "original") for c in held_out],
            missing="no retraining",
        )
    )
    found.append(
        judge(
            "the new latent is not a scaled version of the old",
            "(g)",
            [Expect(c, ABOVE) for c in retrained if c.metric == "share of pairs"],
            missing="no retraining",
        )
    )
    found.append(
        judge(
            "the retrained network's loss is higher",
            "(g)",
            [Expect(c, "original") for c in retrained if c.metric == "training MSE"],
            missing="no retraining",
        )
    )
    found += _optimiser_claims(claims, per_seed)
    return found


def _label(per_seed: pd.DataFrame, suffix: str) -> str | None:
    runs = per_seed[per_seed["role"] == "optimizer run"]
    match = runs[runs["model"].str.endswith(f"-{suffix}")]
    return f'"{match["label"].iloc[0]}"' if len(match) else None


def _optimiser_claims(claims: Sequence[Claim], per_seed: pd.DataFrame) -> list[Claim]:
    sgd, gd = _label(per_seed, "sgd"), _label(per_seed, "gd")
    if not (sgd and gd):
        return [
            not_measured("GD decreases slower", "(h)", "no runs named sgd and gd"),
            not_measured("GD's loss varies less", "(h)", "no runs named sgd and gd"),
        ]
    pair = {sgd, gd}
    losses = [
        c
        for c in _rows(claims, optimizers.LOSSES)
        if {c.subject, c.reference} == pair and "examples" in c.metric
    ]
    rises = [c for c in _rows(claims, optimizers.RISES) if {c.subject, c.reference} == pair]
    return [
        judge(
            "gradient descent (full batch) decreases slower, by examples seen",
            "(h)",
            [Expect(c, sgd) for c in losses],
        ),
        judge(
            "gradient descent has less variation of the loss (fewer rises)",
            "(h)",
            [Expect(c, gd) for c in rises],
        ),
    ]
