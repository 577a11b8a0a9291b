"""What the autoencoder part's intermediate CSV tables hold (``core.tables`` contracts).
pandas only: figure jobs read these tables."""

from __future__ import annotations

from dataclasses import replace

from aeflow.core.tables import BOOL, FLOAT, INT, STR, Table

SAMPLES = Table("samples", {"x": FLOAT, "y": FLOAT, "split": STR, "sample": INT}, finite=("x", "y"))
LOSSES = Table(
    "mini-batch losses",
    {"step": INT, "epoch": INT, "examples_seen": INT, "loss": FLOAT, "seed": INT},
    finite=("loss",),
    series=("step", "seed"),
)
# A capacity run's losses: its seeds of different replica blocks stop at different epochs.
CAPACITY_LOSSES = replace(LOSSES, name="capacity mini-batch losses", ragged=True)
# test_loss: NaN between the held-out evaluations (training.held_out_every), finite at
# epoch 0, at its multiples and at the last epoch.
CURVES = Table(
    "per-epoch curves",
    {"epoch": INT, "examples_seen": INT, "train_loss": FLOAT, "test_loss": FLOAT, "seed": INT},
    finite=("train_loss",),
    series=("epoch", "seed"),
)
# Part (e)'s capacity runs: the same columns, recorded every k epochs (0, k, 2k, ...), and
# the MSE over the validation points (``data.n_validation``; all NaN without them, finite
# with them), on which the summary chooses epochs instead of on the held-out set. Seeds of
# different replica blocks may stop at different epochs (each block at its own plateau).
RECORDED_CURVES = Table(
    "recorded curves",
    {
        "epoch": INT,
        "examples_seen": INT,
        "train_loss": FLOAT,
        "test_loss": FLOAT,
        "seed": INT,
        "validation_loss": FLOAT,
    },
    finite=("train_loss", "test_loss"),
    series=("epoch", "seed"),
    stride=True,
    ragged=True,
)
# x, y and the latent code's columns (z, or z1..zk).
EMBEDDING = Table("latent codes", {"x": FLOAT, "y": FLOAT}, finite=("x", "y"), extra=True)
DECODER_SWEEP = Table(
    "decoder sweep",
    {"stage": STR, "z": FLOAT, "x": FLOAT, "y": FLOAT},
    finite=("z", "x", "y"),
)
# Part (c): each stage's code over a grid of the input rectangle (first replica), and every
# replica's code of each training point.
LATENT_GRID = Table(
    "latent grid",
    {"stage": STR, "x": FLOAT, "y": FLOAT, "z": FLOAT},
    finite=("x", "y", "z"),
)
LATENT_CODES = Table(
    "latent codes per replica",
    {"stage": STR, "seed": INT, "x": FLOAT, "y": FLOAT, "z": FLOAT},
    finite=("x", "y", "z"),
)
# Part (c)'s reference (``initial``): per untrained draw, its seed and the rank correlation
# of its code with x and with y over the training points (NaN: a constant code).
LATENT_INIT = Table(
    "initial latent orders",
    {"draw": INT, "seed": INT, "rho_zx": FLOAT, "rho_zy": FLOAT},
)
# Parts (d), (g): per stage, replica and split, the codes in use, the decoder sweep's range
# and coverage (NaN without a sweep), the bound's grid, the encoder's MSE, the nearest-point
# bound (on the grid and on every other grid point) and the fold shares (``projection``; the
# bound's columns are NaN for a latent of several dimensions).
BOUNDS = Table(
    "nearest-point bounds",
    {
        "stage": STR,
        "seed": INT,
        "split": STR,
        "code_low": FLOAT,
        "code_high": FLOAT,
        "sweep_low": FLOAT,
        "sweep_high": FLOAT,
        "sweep_coverage": FLOAT,
        "grid_low": FLOAT,
        "grid_high": FLOAT,
        "grid_points": INT,
        "points": INT,
        "mse": FLOAT,
        "bound_mse": FLOAT,
        "bound_mse_coarse": FLOAT,
        "fold_share": FLOAT,
        "fold_excess_share": FLOAT,
    },
    finite=("code_low", "code_high", "grid_low", "grid_high", "mse"),
)
# Part (d): the first replica's points, reconstructions and nearest curve points.
RECONSTRUCTIONS = Table(
    "reconstructions",
    {
        "stage": STR,
        "split": STR,
        "x": FLOAT,
        "y": FLOAT,
        "z": FLOAT,
        "x_hat": FLOAT,
        "y_hat": FLOAT,
        "z_near": FLOAT,
        "x_near": FLOAT,
        "y_near": FLOAT,
        "d2": FLOAT,
        "d2_near": FLOAT,
        "d2_coarse": FLOAT,
        "ridge": FLOAT,
        "fold": BOOL,
    },
    finite=("x", "y", "z", "x_hat", "y_hat", "d2"),
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
