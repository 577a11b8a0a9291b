"""The samples table as a frame (pandas only, so that figure jobs read it without torch)."""

from __future__ import annotations

import pandas as pd

TRAIN, TEST = "train", "test"
# Drawn like the training points, from a stream of their own (``data.n_validation``): part
# (e) chooses widths and epochs on them, never on the held-out (test) points.
VALIDATION = "validation"


def sample_count(frame: pd.DataFrame) -> int:
    """How many samples a samples table holds."""
    return int(frame["sample"].nunique())


def first_sample(frame: pd.DataFrame) -> pd.DataFrame:
    """Sample 0 of a samples table: what figures that draw "the" points draw."""
    return frame[frame["sample"] == 0]
