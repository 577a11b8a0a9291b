"""The order in which the Playground visits training points, for R networks at once.

The Playground (``oneStep`` in its ``src/playground.ts``) walks the training points in the
order they were shuffled into at generation, the same order every epoch, and updates the
weights after every ``batch_size``-th point of the epoch. When the batch size does not
divide the number of points, the last points' derivatives stay accumulated and join the
first update of the next epoch (that batch is larger); after the last epoch they are never
applied. Network r has its own fixed order, drawn once from its seed; ``reshuffle`` draws
a fresh order every epoch instead (an option, not the Playground's behaviour).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor


class PlaygroundSchedule:
    """Iterable with one item per epoch: that epoch's mini-batches, each a (R, size, C)
    tensor holding, for every network r, rows of its own training set ``train[r]``."""

    def __init__(
        self, train: Tensor, batch_size: int, seeds: list[int], reshuffle: bool = False
    ) -> None:
        replicas, points = train.shape[:2]
        if len(seeds) != replicas:
            raise ValueError(f"{len(seeds)} seeds for {replicas} training sets")
        if not 1 <= batch_size <= points:
            raise ValueError(f"batch_size must be in [1, {points}], got {batch_size}")
        self.train = train
        self.batch_size = batch_size
        self.reshuffle = reshuffle
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.order = self._draw()
        self.carry: Tensor | None = None  # indices accumulated but not yet applied
        self.epochs_started = 0
        self._cached: dict[bool, list[Tensor]] = {}

    def __len__(self) -> int:
        return 1

    def _draw(self) -> Tensor:
        points = self.train.shape[1]
        return torch.stack([torch.randperm(points, generator=g) for g in self.generators])

    def epoch_indices(self) -> list[Tensor]:
        """The next epoch's batches as (R, size) index tensors; advances the schedule."""
        if self.reshuffle and self.epochs_started > 0:
            self.order = self._draw()
        self.epochs_started += 1
        full = self.train.shape[1] // self.batch_size * self.batch_size
        batches = list(self.order[:, :full].split(self.batch_size, dim=1))
        if self.carry is not None:
            batches[0] = torch.cat([self.carry, batches[0]], dim=1)
        self.carry = self.order[:, full:] if full < self.train.shape[1] else None
        return batches

    def __iter__(self) -> Iterator[list[Tensor]]:
        carried = self.carry is not None
        indices = self.epoch_indices()
        if not self.reshuffle and carried in self._cached:
            # A fixed order gives the same batches every epoch after the first.
            yield self._cached[carried]
            return
        rows = torch.arange(self.train.shape[0]).unsqueeze(1)
        batches = [self.train[rows, index] for index in indices]
        if not self.reshuffle:
            self._cached[carried] = batches
        yield batches
