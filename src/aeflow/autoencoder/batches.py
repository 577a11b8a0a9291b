"""The autoencoder part's loader: in-memory mini-batches of a tensor, what a DataLoader over
a TensorDataset yields without its per-batch collate overhead (which dominates for 2-D
points), one shuffled order per seed replica, stacked over replicas."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import torch


class ShuffledBatches:
    """Iterable of mini-batches of ``data``; a fresh order each pass when ``shuffle``.

    The order comes from a generator of its own, seeded once, so the sequence of
    batches is reproducible and independent of the weight initialisation.
    """

    def __init__(
        self,
        data: torch.Tensor,
        batch_size: int,
        shuffle: bool = True,
        drop_last: bool = True,
        seed: int = 0,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if drop_last and batch_size > len(data):
            raise ValueError(
                f"batch_size {batch_size} > {len(data)} samples with drop_last: no batch at all"
            )
        self.data = data
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        full, rest = divmod(len(self.data), self.batch_size)
        return full if self.drop_last or rest == 0 else full + 1

    def batch_sizes(self) -> list[int]:
        """Sizes of one pass's batches, in order: the last is smaller when ``drop_last``
        is off and the batch size does not divide the data."""
        n = len(self.data)
        return [
            min(self.batch_size, n - start)
            for start in range(0, len(self) * self.batch_size, self.batch_size)
        ]

    def __iter__(self) -> Iterator[torch.Tensor]:
        n = len(self.data)
        order = torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            yield self.data[order[start : start + self.batch_size]]


class ReplicaEpochBatches:
    """One item per Lightning step: ``record_every`` epochs (the epochs between two
    records of the curves), each a list of that epoch's mini-batches stacked over replicas
    (R, B, d), what ``AutoencoderModule`` takes (one optimiser step per mini-batch).

    Every replica shuffles with its own generator, in the order a lone training with the
    same seed would see.
    """

    def __init__(self, per_replica: Sequence[ShuffledBatches], record_every: int = 1) -> None:
        if record_every < 1:
            raise ValueError(f"record_every must be >= 1, got {record_every}")
        self.per_replica = list(per_replica)
        self.record_every = record_every

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[list[list[torch.Tensor]]]:
        yield [self._epoch() for _ in range(self.record_every)]

    def _epoch(self) -> list[torch.Tensor]:
        epochs = [list(batches) for batches in self.per_replica]
        return [torch.stack(step) for step in zip(*epochs, strict=True)]
