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
    over the last ``settled_fraction`` of the curve: how jagged it is once the initial
    descent is over. Second, not first, differences, so that a curve still falling
    steadily (full-batch GD, say) is smooth however fast it falls."""
    losses = np.asarray(losses, dtype=float)
    settled = losses[int(len(losses) * (1 - settled_fraction)) :]
    return float(np.std(np.diff(settled, n=2))) if len(settled) > 2 else 0.0


def last_epoch_mean(losses, epoch_column: str = "epoch", loss_column: str = "loss") -> float:
    """Mean batch loss over the final epoch of a loss table (pandas DataFrame)."""
    last = losses[epoch_column].max()
    return float(losses.loc[losses[epoch_column] == last, loss_column].mean())
