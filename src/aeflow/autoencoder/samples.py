"""The samples table as a frame (pandas only, so that figure jobs read it without torch)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from aeflow.autoencoder.tables import SAMPLES
from aeflow.core.tables import read_stacked, read_table

TRAIN, TEST = "train", "test"
# Drawn like the training points, from a stream of their own (``data.n_validation``): part
# (e) chooses widths and epochs on them, never on the held-out (test) points.
VALIDATION = "validation"


Paths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def read_samples(paths: Paths) -> pd.DataFrame:
    """A samples table, or its blocks (``draws.data_blocks``, in order) as one table."""
    if isinstance(paths, (str, os.PathLike)):
        return read_table(paths, SAMPLES)
    return read_stacked([str(p) for p in paths], SAMPLES)


def sample_count(frame: pd.DataFrame) -> int:
    """How many samples a samples table holds."""
    return int(frame["sample"].nunique())


def first_sample(frame: pd.DataFrame) -> pd.DataFrame:
    """Sample 0 of a samples table: what figures that draw "the" points draw."""
    return frame[frame["sample"] == 0]
