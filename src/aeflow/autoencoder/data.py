"""The exercise's data: points drawn uniformly from a rectangle, split train/test, and
(``data.n_validation``) validation points drawn the same way from a generator stream of
their own, so that the training and test points are the same with or without them.

One sample (the sheet's), or with ``data.per_replica_samples`` one per seed replica:
sample k drawn with data seed + k, so that replica k of every autoencoder run trains and
is evaluated on its own draw (sample 0 is the single sample). Points of several samples
load as (samples, n, 2), of one as (n, 2); ``replica_points`` picks replica k's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from aeflow.autoencoder.samples import TEST, TRAIN, VALIDATION, Paths, read_samples


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


# The validation points' stream: ``validation_seed(seed)`` (any seed's stream differs from
# every data seed's own, from which the training and test points are drawn).
VALIDATION_STREAM = 1


def validation_seed(seed: int) -> int:
    """The seed of the validation points of data seed ``seed``: a 63-bit number derived
    from (seed, ``VALIDATION_STREAM``), not ``seed`` plus a small offset, so that it never
    coincides with another sample's data seed (sample k is drawn with seed + k)."""
    state = np.random.SeedSequence([seed, VALIDATION_STREAM]).generate_state(1, np.uint64)
    return int(state[0] >> np.uint64(1))


def make_samples(
    n_train: int,
    n_test: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    seed: int,
    n_validation: int = 0,
) -> pd.DataFrame:
    """Training and held-out test points from one seeded generator (columns x, y, split,
    and sample 0), then ``n_validation`` validation points drawn the same way from their
    own generator (``validation_seed``): the training and test rows are the same with or
    without validation points."""
    if n_validation < 0:
        raise ValueError(f"n_validation must be >= 0, got {n_validation}")
    generator = torch.Generator().manual_seed(seed)
    train = sample_rectangle(n_train, x_range, y_range, generator)
    test = sample_rectangle(n_test, x_range, y_range, generator)
    validation = sample_rectangle(
        n_validation, x_range, y_range, torch.Generator().manual_seed(validation_seed(seed))
    )
    points = torch.cat([train, test, validation]).double().numpy()
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "split": [TRAIN] * n_train + [TEST] * n_test + [VALIDATION] * n_validation,
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
    n_validation: int = 0,
    first_sample: int = 0,
) -> pd.DataFrame:
    """``samples`` independent draws from sample ``first_sample`` on, sample k with
    ``seed + k`` (``make_samples``; k in the column ``sample``): sample 0 is the single
    sample of ``seed``. A block of samples (``draws.data_blocks``) holds the same rows as
    the samples it covers in a table of all of them."""
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    return pd.concat(
        [
            make_samples(n_train, n_test, x_range, y_range, seed + k, n_validation).assign(sample=k)
            for k in range(first_sample, first_sample + samples)
        ],
        ignore_index=True,
    )


def load_points(
    paths: Paths, split: str = TRAIN, replicas: tuple[int, int] | None = None
) -> torch.Tensor:
    """The points of one split of a samples CSV (or of its blocks) as a float32 tensor of
    shape (n, 2), or (samples, n, 2) when it holds several samples (one per replica);
    ``replicas``: only the samples of replicas [start, stop)."""
    frame = read_samples(paths)
    if replicas is not None and frame["sample"].nunique() > 1:
        frame = frame[frame["sample"].between(replicas[0], replicas[1] - 1)]
    chosen = frame.loc[frame["split"] == split]
    if chosen.empty:
        raise ValueError(f"{paths}: no points in split {split!r}")
    per_sample = [
        torch.tensor(part[["x", "y"]].to_numpy(), dtype=torch.float32)
        for _, part in chosen.groupby("sample", sort=True)
    ]
    if len(per_sample) == 1:
        return per_sample[0]
    if len({len(points) for points in per_sample}) != 1:
        raise ValueError(f"{paths}: the samples' {split!r} splits differ in size")
    return torch.stack(per_sample)


def load_optional_points(
    paths: Paths, split: str = VALIDATION, replicas: tuple[int, int] | None = None
) -> torch.Tensor | None:
    """``load_points`` of ``split``, or None when the samples table has no such points
    (``data.n_validation: 0``, or a table written before validation points existed)."""
    frame = read_samples(paths)
    if not (frame["split"] == split).any():
        return None
    return load_points(paths, split, replicas)


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
