"""The exercise's data: points drawn uniformly from a rectangle, split train/test."""

from __future__ import annotations

import os

import pandas as pd
import torch

from aeflow.autoencoder.tables import SAMPLES
from aeflow.core.tables import read_table

TRAIN, TEST = "train", "test"


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
    """Training and held-out test points from one seeded generator (columns x, y, split)."""
    generator = torch.Generator().manual_seed(seed)
    train = sample_rectangle(n_train, x_range, y_range, generator)
    test = sample_rectangle(n_test, x_range, y_range, generator)
    points = torch.cat([train, test]).double().numpy()
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "split": [TRAIN] * n_train + [TEST] * n_test,
        }
    )


def load_points(path: str | os.PathLike[str], split: str = TRAIN) -> torch.Tensor:
    """The points of one split of a samples CSV as a float32 tensor of shape (n, 2)."""
    frame = read_table(path, SAMPLES)
    chosen = frame.loc[frame["split"] == split, ["x", "y"]]
    if chosen.empty:
        raise ValueError(f"{path}: no points in split {split!r}")
    return torch.tensor(chosen.to_numpy(), dtype=torch.float32)
