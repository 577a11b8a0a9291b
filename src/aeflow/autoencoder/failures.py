"""Which seeds of a run did not train, read from its cached tables (pandas only, so that
figure jobs can mark them). The rule is the summaries' (``core.claims.failed``): a seed
failed when its final whole-training-set MSE stays above ``1 - FAILED_MARGIN`` of the best
constant reconstruction's, or is not finite."""

from __future__ import annotations

import pandas as pd

from aeflow.core.claims import FAILED_MARGIN, failed

TRAIN = "train"


def constant_mse(samples: pd.DataFrame) -> float:
    """MSE of reading every training point as the training points' mean (per coordinate,
    population variance, averaged): what a network that learned nothing reaches at best."""
    points = samples.loc[samples["split"] == TRAIN, ["x", "y"]].to_numpy(dtype=float)
    return float(points.var(axis=0).mean())


def failed_seeds(curves: pd.DataFrame, constant: float, margin: float = FAILED_MARGIN) -> set[int]:
    """Seeds of a per-epoch curve table (epoch, train_loss, seed) that did not train."""
    ends = curves.loc[curves.groupby("seed")["epoch"].idxmax()]
    flags = failed(ends["train_loss"].to_numpy(), [constant] * len(ends), margin)
    return {int(seed) for seed, flag in zip(ends["seed"], flags, strict=True) if flag}


def failure_label(seeds: set[int]) -> str:
    """Legend text for the failed seeds of one run ('' when none failed)."""
    if not seeds:
        return ""
    listed = ", ".join(str(s) for s in sorted(seeds))
    return f"seed{'s' * (len(seeds) > 1)} {listed} did not train"
