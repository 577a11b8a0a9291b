"""The order in which the Playground visits training points, for R networks at once.

The Playground (``oneStep`` in its ``src/playground.ts``) walks the training points in the
order they were shuffled into at generation, the same order every epoch, and updates the
weights after every ``batch_size``-th point of the epoch. When the batch size does not
divide the number of points, the last points' derivatives stay accumulated and join the
first update of the next epoch (that batch is larger); after the last epoch they are never
applied. Network r has its own fixed order, drawn once from its seed; ``reshuffle`` draws
a fresh order every epoch instead (an option, not the Playground's behaviour).

Networks of one chunk may have training sets of different sizes (trials of different
train ratios): the epoch then has as many update steps as the largest set needs, and a
network whose own epoch is over sits the remaining steps out (``Step.active``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import torch
from torch import Tensor


class Step(NamedTuple):
    """One update of every network. ``rows``: (R, S, C) training rows per network.
    ``active``: (R,) 1.0 for the networks this step updates, 0.0 for those whose epoch is
    over; None when all are. ``weights``: (R, S) per-row loss weights (1 / its batch size,
    0 for padding) when the networks' batches differ in size; None when every row counts
    and the loss is the plain mean. When some networks sit a step out, ``rows`` and
    ``weights`` hold only the active ones, listed in ``subset``."""

    rows: Tensor
    active: Tensor | None = None
    weights: Tensor | None = None
    subset: Tensor | None = None  # with ``active``: the indices of the active networks,
    # whose rows (and weights) alone ``rows`` then holds: the others cost nothing


class PlaygroundSchedule:
    """Iterable with one item per epoch: that epoch's ``Step``s, each holding, for every
    network r, rows of its own training set: the first ``sizes[r]`` rows of ``train[r]``
    (all of them when ``sizes`` is None; rows past a network's size are padding)."""

    def __init__(
        self,
        train: Tensor,
        batch_size: int,
        seeds: list[int],
        reshuffle: bool = False,
        sizes: list[int] | None = None,
    ) -> None:
        replicas, points = train.shape[:2]
        self.sizes = list(sizes) if sizes is not None else [points] * replicas
        if len(seeds) != replicas or len(self.sizes) != replicas:
            raise ValueError(f"{len(seeds)} seeds and {len(self.sizes)} sizes for {replicas} sets")
        if not 1 <= batch_size <= min(self.sizes) or max(self.sizes) > points:
            raise ValueError(f"batch_size must be in [1, {min(self.sizes)}], got {batch_size}")
        self.train = train
        self.batch_size = batch_size
        self.reshuffle = reshuffle
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.order = self._draw()
        # Per network, indices accumulated but not yet applied.
        self.carry: list[Tensor | None] = [None] * replicas
        self.epochs_started = 0
        # With a fixed order, the steps of every epoch after the first (built once).
        self._repeating: list[Step] | None = None

    def __len__(self) -> int:
        return 1

    def forget_repeating(self) -> None:
        """Drop the cached steps of a fixed order (its state was replaced: a resumed
        training); the next epoch builds them again from the restored state."""
        self._repeating = None

    def _draw(self) -> list[Tensor]:
        pairs = zip(self.sizes, self.generators, strict=True)
        return [torch.randperm(n, generator=g) for n, g in pairs]

    def epoch_indices(self) -> list[list[Tensor]]:
        """Per network, the next epoch's batches as index tensors; advances the schedule."""
        if self.reshuffle and self.epochs_started > 0:
            self.order = self._draw()
        self.epochs_started += 1
        epoch = []
        for r, (order, size) in enumerate(zip(self.order, self.sizes, strict=True)):
            full = size // self.batch_size * self.batch_size
            batches = list(order[:full].split(self.batch_size))
            if self.carry[r] is not None:
                batches[0] = torch.cat([self.carry[r], batches[0]])
            self.carry[r] = order[full:] if full < size else None
            epoch.append(batches)
        return epoch

    def _steps(self, epoch: list[list[Tensor]]) -> list[Step]:
        rows = torch.arange(len(epoch)).unsqueeze(1)
        dtype = self.train.dtype
        steps = []
        for j in range(max(len(batches) for batches in epoch)):
            batch = [batches[j] if j < len(batches) else None for batches in epoch]
            taking = [r for r, index in enumerate(batch) if index is not None]
            counts = [len(batch[r]) for r in taking]
            width = max(counts)
            # Shorter batches are padded with repeats of their own rows, weighted 0.
            index = torch.stack(
                [
                    torch.cat([batch[r], batch[r][torch.arange(width - len(batch[r])) % count]])
                    for r, count in zip(taking, counts, strict=True)
                ]
            )
            weights = None
            if min(counts) < width:
                filled = torch.arange(width).unsqueeze(0) < torch.tensor(counts).unsqueeze(1)
                share = torch.tensor([1.0 / c for c in counts], dtype=torch.float64)
                weights = (filled * share.unsqueeze(1)).to(dtype)
            if len(taking) == len(batch):
                steps.append(Step(self.train[rows, index], None, weights))
                continue
            subset = torch.tensor(taking)
            active = torch.zeros(len(batch), dtype=dtype).index_fill_(0, subset, 1.0)
            steps.append(Step(self.train[subset.unsqueeze(1), index], active, weights, subset))
        return steps

    def __iter__(self) -> Iterator[list[Step]]:
        if self._repeating is not None:
            # A fixed order gives the same batches (and leaves the same points carried)
            # every epoch after the first: nothing to recompute.
            self.epochs_started += 1
            yield self._repeating
            return
        steps = self._steps(self.epoch_indices())
        # From the second epoch on, carried points join in and the epochs repeat.
        if not self.reshuffle and self.epochs_started > 1:
            self._repeating = steps
        yield steps
