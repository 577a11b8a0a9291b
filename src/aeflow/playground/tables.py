"""What the Playground part's intermediate CSV tables hold (``core.tables`` contracts).
pandas only: figure jobs read these tables."""

from __future__ import annotations

from aeflow.core.tables import BOOL, FLOAT, INT, STR, Table

# Losses may be NaN or infinite here: a diverged network is recorded as such (diverged).
METRICS = Table(
    "playground metrics",
    {
        "trial": STR,
        "seed": INT,
        "parameters": INT,
        "epochs": INT,
        "diverged": BOOL,
        "train_loss": FLOAT,
        "test_loss": FLOAT,
        "gap": FLOAT,
        "train_accuracy": FLOAT,
        "test_accuracy": FLOAT,
        "near_zero_weights": FLOAT,
        "dead_weights": FLOAT,
        "mean_abs_weight": FLOAT,
        # NaN where the test loss never reached playground.claims.loss_level (censored).
        "epochs_to_level": FLOAT,
        "loss_rises": INT,
        "largest_rise": FLOAT,
        # NaN where no hidden layer has two active units (or, for silent_units, none).
        "redundant_pairs": FLOAT,
        "silent_units": FLOAT,
        "dead_network": FLOAT,
    },
)
CURVES = Table(
    "playground curves",
    {
        "trial": STR,
        "seed": INT,
        "epoch": INT,
        "examples_seen": INT,
        "train_loss": FLOAT,
        "test_loss": FLOAT,
    },
    series=("epoch", "trial", "seed"),
)
POINTS = Table(
    "playground points",
    {
        "trial": STR,
        "seed": INT,
        "x1": FLOAT,
        "x2": FLOAT,
        "label": FLOAT,
        "split": STR,
        "output": FLOAT,
    },
    finite=("x1", "x2", "label"),
    may_be_empty=True,  # only trials with a decision-boundary figure record their points
)
BOUNDARY = Table(
    "playground boundary",
    # The mean and population SD of a job's block of replicas, and their number: blocks
    # are pooled by summary.read_maps.
    {"trial": STR, "x1": FLOAT, "x2": FLOAT, "output": FLOAT, "output_std": FLOAT, "seeds": INT},
    finite=("x1", "x2"),
    may_be_empty=True,  # as POINTS
)
WEIGHTS = Table(
    "playground weights",
    {
        "trial": STR,
        "seed": INT,
        "layer": INT,
        "target": INT,
        "source": INT,
        "weight": FLOAT,
        "dead": BOOL,
    },
)
# The summary table: one row per sweep point, with its setting and seed statistics.
SUMMARY = Table("playground summary", {"sweep": STR, "trial": STR, "test_loss": FLOAT}, extra=True)
# A sweep's tidy table: its point, trial, each varied setting's column, and the metrics.
SWEEP_TRIALS = Table(
    "playground sweep trials",
    {"point": INT, "trial": STR, "seed": INT, "test_loss": FLOAT},
    extra=True,
)
