"""Which seeds of a run are still stuck near the constant reconstruction at the end, read
from its cached tables (pandas only, so that figure jobs can mark them): a seed whose final
whole-training-set MSE stays above ``1 - STUCK_MARGIN`` of the best constant
reconstruction's, or is not finite (``stuck``). Descriptive only: such seeds
stay in every mean and comparison."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aeflow.autoencoder.samples import TRAIN

STUCK_MARGIN = 0.1


def stuck(
    final: Sequence[float] | np.ndarray,
    untrained: Sequence[float] | np.ndarray,
    margin: float = STUCK_MARGIN,
) -> np.ndarray:
    """Per replica: True where its final loss is non-finite or still above ``(1 - margin)``
    x its untrained reference loss. Descriptive only: such replicas stay in comparisons."""
    final = np.asarray(final, dtype=float)
    untrained = np.asarray(untrained, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(final) | (final > (1 - margin) * untrained)


def constant_mse(samples: pd.DataFrame, sample: int = 0) -> float:
    """MSE of reading every training point as the training points' mean (per coordinate,
    population variance, averaged): what a network that learned nothing reaches at best.
    Of data sample ``sample`` when the table holds several (one per replica)."""
    if "sample" in samples:
        samples = samples[samples["sample"] == sample]
    points = samples.loc[samples["split"] == TRAIN, ["x", "y"]].to_numpy(dtype=float)
    return float(points.var(axis=0).mean())


def replica_constants(samples: pd.DataFrame, n_train: int | None = None) -> list[float]:
    """``constant_mse`` of every data sample, in sample order (replica k's is the k-th; one
    value when the replicas share one sample); of the first ``n_train`` training points."""
    train = samples[samples["split"] == TRAIN]
    if "sample" not in train:
        train = train.assign(sample=0)
    return [
        constant_mse(part.head(n_train) if n_train else part, int(k))
        for k, part in train.groupby("sample", sort=True)
    ]


def failed_seeds(
    curves: pd.DataFrame, constant: float | Sequence[float], margin: float = STUCK_MARGIN
) -> set[int]:
    """Seeds of a per-epoch curve table (epoch, train_loss, seed) still stuck at the end.
    ``constant``: the constant MSE of the training set, or one per replica (its data
    sample's: replica k is the k-th seed; ``replica_constants``)."""
    ends = curves.loc[curves.groupby("seed")["epoch"].idxmax()]
    constants = [constant] * len(ends) if isinstance(constant, int | float) else list(constant)
    if len(constants) == 1:
        constants *= len(ends)
    flags = stuck(ends["train_loss"].to_numpy(), constants[: len(ends)], margin)
    return {int(seed) for seed, flag in zip(ends["seed"], flags, strict=True) if flag}


def failure_label(seeds: set[int]) -> str:
    """Legend text for the stuck seeds of one run ('' when none is)."""
    if not seeds:
        return ""
    listed = ", ".join(str(s) for s in sorted(seeds))
    return f"seed{'s' * (len(seeds) > 1)} {listed} still near the constant's loss"
