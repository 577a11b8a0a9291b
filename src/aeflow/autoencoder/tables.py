"""What the autoencoder part's intermediate CSV tables hold (``core.tables`` contracts).
pandas only: figure jobs read these tables."""

from __future__ import annotations

from aeflow.core.tables import BOOL, FLOAT, INT, STR, Table

SAMPLES = Table("samples", {"x": FLOAT, "y": FLOAT, "split": STR}, finite=("x", "y"))
LOSSES = Table(
    "mini-batch losses",
    {"step": INT, "epoch": INT, "examples_seen": INT, "loss": FLOAT, "seed": INT},
    finite=("loss",),
    series=("step", "seed"),
)
CURVES = Table(
    "per-epoch curves",
    {"epoch": INT, "examples_seen": INT, "train_loss": FLOAT, "test_loss": FLOAT, "seed": INT},
    finite=("train_loss", "test_loss"),
    series=("epoch", "seed"),
)
# x, y and the latent code's columns (z, or z1..zk).
EMBEDDING = Table("latent codes", {"x": FLOAT, "y": FLOAT}, finite=("x", "y"), extra=True)
DECODER_SWEEP = Table(
    "decoder sweep",
    {"stage": STR, "z": FLOAT, "x": FLOAT, "y": FLOAT},
    finite=("z", "x", "y"),
)
LATENT_SHIFT = Table(
    "latent shift",
    {"x": FLOAT, "y": FLOAT, "z_before": FLOAT, "z_after": FLOAT, "seed": INT},
    finite=("x", "y", "z_before", "z_after"),
)
SWEEP_METRICS = Table(
    "sweep metrics",
    {
        "trial": STR,
        "seed": INT,
        "parameters": INT,
        "diverged": BOOL,
        "train_mse": FLOAT,
        "test_mse": FLOAT,
        "gap": FLOAT,
    },
)
# A sweep's tidy table: its point, trial, each varied setting's column, and the metrics.
SWEEP_TRIALS = Table(
    "sweep trials",
    {"point": INT, "trial": STR, "seed": INT, "test_mse": FLOAT},
    extra=True,
)
