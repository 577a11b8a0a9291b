"""Numbers that judge the exercise's claims. NumPy only (no torch): cheap to import."""

from __future__ import annotations

import numpy as np


def order_swaps(before: np.ndarray, after: np.ndarray) -> int:
    """Pairs (i, j) whose latent order differs between ``before`` and ``after``.

    0 means ``after`` is an increasing function of ``before``; n(n-1)/2 a decreasing one
    (also a monotone rescaling, mirrored). Ties (in either) count as no swap. O(n log^2 n)
    time and O(n) memory, so held-out sets of 10^5 points are fine.
    """
    before = np.asarray(before, dtype=float).ravel()
    after = np.asarray(after, dtype=float).ravel()
    if before.shape != after.shape:
        raise ValueError(f"shapes differ: {before.shape} and {after.shape}")
    # Sorted by before (ties broken by after, so tied pairs show no inversion), the
    # discordant pairs are exactly the strict inversions of the after-sequence.
    order = np.lexsort((after, before))
    ranks = np.unique(after[order], return_inverse=True)[1].astype(np.int64)
    return _strict_inversions(ranks)


def _strict_inversions(ranks: np.ndarray) -> int:
    """Pairs i < j with ranks[i] > ranks[j], by a bottom-up merge sort vectorised per level.

    At each level, blocks of ``width`` sorted keys are merged in pairs; the keys are offset
    by their pair's index so one global sort and one ``searchsorted`` serve every pair.
    """
    n = len(ranks)
    span = int(ranks.max()) + 1 if n else 1
    position = np.arange(n)
    keys, count, width = ranks, 0, 1
    while width < n:
        pair = position // (2 * width)
        in_right = (position // width) % 2 == 1
        offset = keys + pair * span
        left, right = offset[~in_right], offset[in_right]
        left_end = np.searchsorted(left, (pair[in_right] + 1) * span, side="left")
        count += int((left_end - np.searchsorted(left, right, side="right")).sum())
        keys = np.sort(offset) - pair * span
        width *= 2
    return count


def roughness(losses: np.ndarray, settled_fraction: float = 0.5) -> float:
    """Standard deviation of the second differences (the change of the change) of the loss
    over the last ``settled_fraction`` of the curve.

    It is 0 only for a curve of constant curvature (a straight line or a parabola). A smooth
    curve that falls and flattens, like an exponential decay, has second differences that
    grow with how fast it falls and bends, so this is not a smoothness measure in general:
    it reads as jaggedness only where step-to-step scatter dwarfs the bending (a mini-batch
    loss curve). ``rises`` asks a question with a plain answer instead."""
    losses = np.asarray(losses, dtype=float)
    settled = losses[int(len(losses) * (1 - settled_fraction)) :]
    return float(np.std(np.diff(settled, n=2))) if len(settled) > 2 else 0.0


RISE_TOLERANCE = 1e-6  # a rise counts when above this share of the loss (float32 rounding)


def rises(losses: np.ndarray, tolerance: float = RISE_TOLERANCE) -> int:
    """Steps of a loss curve (e.g. epoch to epoch of the loss over the whole training set)
    in which the loss went up by more than ``tolerance`` of its value: 0 for a curve that
    only falls, however fast or unevenly."""
    losses = np.asarray(losses, dtype=float).ravel()
    return int(np.sum(np.diff(losses) > tolerance * np.abs(losses[:-1])))


def last_epoch_mean(losses, epoch_column: str = "epoch", loss_column: str = "loss") -> float:
    """Mean batch loss over the final epoch of a loss table (pandas DataFrame)."""
    last = losses[epoch_column].max()
    return float(losses.loc[losses[epoch_column] == last, loss_column].mean())


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of ``values``; tied values share the mean of their ranks."""
    values = np.asarray(values, dtype=float).ravel()
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return ((ends - counts + 1 + ends) / 2)[inverse]


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation: the Pearson correlation of the average ranks of ``a``
    and ``b`` (+1: b increases with a, -1: decreases, 0: no monotone relation); NaN when
    either is constant."""
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    ra, rb = average_ranks(a) - (a.size + 1) / 2, average_ranks(b) - (b.size + 1) / 2
    norm = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / norm) if norm > 0 else float("nan")
