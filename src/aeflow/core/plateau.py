"""The stopping rule of a training run to a plateau (NumPy only: the training's callback
and the summaries apply the same functions, so that a summary states exactly when the rule
held).

A run records the training loss of each of its networks at regular epochs (record i at
epoch i x ``every``). A network has **plateaued** at record i when its best loss so far
improved by less than ``tolerance`` (relative) over the last ``window`` epochs:

    (best[i - window / every] - best[i]) / best[i - window / every] < tolerance,

with best[i] the lowest loss of records 0..i (so noise that rises and falls does not
count as progress). A best loss of zero cannot improve: that is a plateau. Before
``window`` epochs have passed, no network has plateaued. A job of several networks
(seed replicas trained together) stops at the first record where **every** network has
plateaued at once, or at its cap of epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Plateau:
    """The rule's settings: ``window`` epochs (a multiple of ``every``, the epochs between
    records), ``tolerance`` the relative improvement below which a network has plateaued."""

    window: int
    tolerance: float
    every: int = 1

    def __post_init__(self) -> None:
        if self.every < 1 or self.window < self.every or self.window % self.every:
            raise ValueError(
                f"window {self.window} must be a positive multiple of the recording interval "
                f"{self.every}"
            )
        if not self.tolerance >= 0:
            raise ValueError(f"tolerance must be >= 0, got {self.tolerance}")

    @property
    def lag(self) -> int:
        """Records in one window."""
        return self.window // self.every

    def improvement(self, records: np.ndarray) -> np.ndarray:
        """(records, networks) of losses -> (records, networks): the relative improvement
        of the best loss over the window ending at each record (NaN before a full window;
        0 where the best loss a window earlier was already 0)."""
        losses = _as_2d(records)
        best = np.fmin.accumulate(losses, axis=0)
        out = np.full_like(best, np.nan)
        if len(best) > self.lag:
            before, now = best[: -self.lag], best[self.lag :]
            with np.errstate(divide="ignore", invalid="ignore"):
                out[self.lag :] = np.where(before > 0, (before - now) / before, 0.0)
        return out

    def plateaued(self, records: np.ndarray) -> np.ndarray:
        """(records, networks) -> (records, networks) bool: plateaued at that record."""
        with np.errstate(invalid="ignore"):
            return self.improvement(records) < self.tolerance

    def stop_record(self, records: np.ndarray) -> int | None:
        """The first record at which every network has plateaued (the job stops there);
        None if there is none."""
        every = np.flatnonzero(self.plateaued(records).all(axis=1))
        return int(every[0]) if every.size else None

    def should_stop(self, records: np.ndarray) -> bool:
        """Whether every network has plateaued at the last record (checked after each)."""
        flags = self.plateaued(records)
        return bool(len(flags) and flags[-1].all())

    def stop_score(self, records: np.ndarray) -> float:
        """The largest improvement over the networks at the last record (inf before a full
        window, or while a network's is undefined): every network has plateaued there
        exactly when it is below ``tolerance``. What the training's ``EarlyStopping``
        watches (``stopping_threshold=tolerance``)."""
        last = self.improvement(records)[-1] if len(records) else np.array([np.nan])
        return float(np.inf) if np.isnan(last).any() else float(last.max())

    def first_plateau(self, records: np.ndarray) -> np.ndarray:
        """Per network, the first record at which it had plateaued (-1: never)."""
        flags = self.plateaued(records)
        return np.where(flags.any(axis=0), flags.argmax(axis=0), -1)


def _as_2d(records: np.ndarray) -> np.ndarray:
    losses = np.asarray(records, dtype=float)
    if losses.ndim == 1:
        losses = losses[:, None]
    if losses.ndim != 2:
        raise ValueError(f"records must be (records, networks), got shape {losses.shape}")
    return losses
