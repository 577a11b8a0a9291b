"""The exercise's data: points drawn uniformly from a rectangle, split train/test.

One sample (the sheet's), or with ``data.per_replica_samples`` one per seed replica:
sample k drawn with data seed + k, so that replica k of every autoencoder run trains and
is evaluated on its own draw (sample 0 is the single sample). Points of several samples
load as (samples, n, 2), of one as (n, 2); ``replica_points`` picks replica k's."""

from __future__ import annotations

import os

import pandas as pd
import torch

from aeflow.autoencoder.samples import TEST, TRAIN
from aeflow.autoencoder.tables import SAMPLES
from aeflow.core.tables import read_table


def sample_rectangle(
    n: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    generator: torch.Generator,
) -> torch.Tensor:
    """``n`` points uniform in ``x_range`` x ``y_range``, shape (n, 2), float32."""
    low = torch.tensor([x_range[0], y_range[0]])
    width = torch.tensor([x_range[1] - x_range[0], y_range[1] - y_range[0]])
    return low + width * torch.rand(n, 2, generator=generator)


def make_samples(
    n_train: int,
    n_test: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    seed: int,
) -> pd.DataFrame:
    """Training and held-out test points from one seeded generator (columns x, y, split,
    and sample 0)."""
    generator = torch.Generator().manual_seed(seed)
    train = sample_rectangle(n_train, x_range, y_range, generator)
    test = sample_rectangle(n_test, x_range, y_range, generator)
    points = torch.cat([train, test]).double().numpy()
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "split": [TRAIN] * n_train + [TEST] * n_test,
            "sample": 0,
        }
    )


def make_replica_samples(
    n_train: int,
    n_test: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    seed: int,
    samples: int = 1,
) -> pd.DataFrame:
    """``samples`` independent draws, sample k with ``seed + k`` (``make_samples``; k in
    the column ``sample``): sample 0 is the single sample of ``seed``."""
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    return pd.concat(
        [
            make_samples(n_train, n_test, x_range, y_range, seed + k).assign(sample=k)
            for k in range(samples)
        ],
        ignore_index=True,
    )


def load_points(path: str | os.PathLike[str], split: str = TRAIN) -> torch.Tensor:
    """The points of one split of a samples CSV as a float32 tensor of shape (n, 2), or
    (samples, n, 2) when the file holds several samples (one per replica)."""
    frame = read_table(path, SAMPLES)
    chosen = frame.loc[frame["split"] == split]
    if chosen.empty:
        raise ValueError(f"{path}: no points in split {split!r}")
    per_sample = [
        torch.tensor(part[["x", "y"]].to_numpy(), dtype=torch.float32)
        for _, part in chosen.groupby("sample", sort=True)
    ]
    if len(per_sample) == 1:
        return per_sample[0]
    if len({len(points) for points in per_sample}) != 1:
        raise ValueError(f"{path}: the samples' {split!r} splits differ in size")
    return torch.stack(per_sample)


def replica_points(points: torch.Tensor, k: int) -> torch.Tensor:
    """Replica k's points (n, 2): its own sample of per-replica points (samples, n, 2),
    else the one shared sample."""
    return points[k] if points.dim() == 3 else points


def replicas_points(points: torch.Tensor, replicas: int) -> torch.Tensor:
    """The points ``replicas`` stacked replicas train on: the first ``replicas`` samples of
    per-replica points (replicas, n, 2), else the shared sample (n, 2) unchanged."""
    if points.dim() != 3:
        return points
    if len(points) < replicas:
        raise ValueError(f"{replicas} replicas but only {len(points)} data samples")
    return points[:replicas]
