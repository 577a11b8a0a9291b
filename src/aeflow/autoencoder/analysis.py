"""Model-level analyses: latent codes, decoder sweeps, reconstruction error, retraining set-up."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from aeflow.autoencoder import projection
from aeflow.autoencoder.checkpoints import load_replica_seeds, load_replicas
from aeflow.autoencoder.data import TEST, TRAIN, load_points, replica_points
from aeflow.autoencoder.initial import initial_orders
from aeflow.autoencoder.models import Autoencoder


def latent_columns(latent_dim: int) -> list[str]:
    """Column names of latent codes: ``z`` for a 1-D latent, else ``z1..zk``."""
    return ["z"] if latent_dim == 1 else [f"z{i + 1}" for i in range(latent_dim)]


@torch.no_grad()
def encode(model: Autoencoder, points: torch.Tensor) -> np.ndarray:
    """Latent codes of ``points``, shape (n, latent_dim)."""
    return model.encoder(points).double().numpy()


@torch.no_grad()
def reconstruction_mse(model: Autoencoder, points: torch.Tensor) -> float:
    """Mean squared reconstruction error over all points and coordinates (as nn.MSELoss)."""
    return float(nn.functional.mse_loss(model(points), points))


def embedding_table(model: Autoencoder, points: torch.Tensor) -> pd.DataFrame:
    """The points (x, y) with their latent code(s)."""
    codes = encode(model, points)
    table = pd.DataFrame(points.double().numpy(), columns=["x", "y"])
    for i, column in enumerate(latent_columns(codes.shape[1])):
        table[column] = codes[:, i]
    return table


LATENT_GRID_POINTS = 161  # grid points along the longer side of the input rectangle


@torch.no_grad()
def decode_codes(model: Autoencoder, z: np.ndarray, latent_dim: int = 1) -> np.ndarray:
    """The decoder's output (n, 2) at codes ``z`` along the first latent axis (others 0)."""
    latent = torch.zeros(len(z), latent_dim)
    latent[:, 0] = torch.as_tensor(np.asarray(z), dtype=torch.float32)
    return model.decoder(latent).double().numpy()


@torch.no_grad()
def reconstruct(model: Autoencoder, points: torch.Tensor) -> np.ndarray:
    """The model's reconstruction of ``points``, shape (n, 2)."""
    return model(points).double().numpy()


def latent_grid(
    models: Mapping[str, Autoencoder],
    x_range: Sequence[float],
    y_range: Sequence[float],
    points: int = LATENT_GRID_POINTS,
) -> pd.DataFrame:
    """Each stage's (first) latent code over a regular grid of the input rectangle:
    ``points`` along its longer side, proportionally many along the other (columns stage,
    x, y, z; x varies fastest)."""
    width, height = x_range[1] - x_range[0], y_range[1] - y_range[0]
    scale = (points - 1) / max(width, height)
    xs = np.linspace(x_range[0], x_range[1], max(2, round(width * scale) + 1))
    ys = np.linspace(y_range[0], y_range[1], max(2, round(height * scale) + 1))
    grid_x, grid_y = np.meshgrid(xs, ys)
    plane = torch.tensor(np.column_stack([grid_x.ravel(), grid_y.ravel()]), dtype=torch.float32)
    frames = [
        pd.DataFrame(
            {
                "stage": stage,
                "x": grid_x.ravel(),
                "y": grid_y.ravel(),
                "z": encode(model, plane)[:, 0],
            }
        )
        for stage, model in models.items()
    ]
    return pd.concat(frames, ignore_index=True)


def latent_codes(
    stages: Mapping[str, Sequence[Autoencoder]], points: torch.Tensor, seeds: Sequence[int]
) -> pd.DataFrame:
    """Every replica's (first) latent code of each point, per stage: stage, seed, x, y, z.
    Points of one sample per replica ((R, n, 2)): replica k's codes of its own sample."""
    frames = [
        pd.DataFrame({"stage": stage, "seed": seed, "x": xy[:, 0], "y": xy[:, 1]}).assign(
            z=encode(model, own)[:, 0]
        )
        for stage, replicas in stages.items()
        for k, (model, seed) in enumerate(zip(replicas, seeds, strict=True))
        for own in [replica_points(points, k)]
        for xy in [own.double().numpy()]
    ]
    return pd.concat(frames, ignore_index=True)


def decoder_fit(
    stages: Mapping[str, Sequence[Autoencoder]],
    points: Mapping[str, torch.Tensor],
    seeds: Sequence[int],
    margin: float,
    grid_points: int,
    z_range: str | Sequence[float] | None = None,
    n_points: int = 0,
    shared_grid: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each replica's decoded curve against the points (parts d and g).

    ``stages`` maps a stage (before/after, or original/retrained) to its replicas, seed by
    seed; ``points`` a split (train/test) to its points (or, (R, n, 2), to each replica's
    own: replica k is fitted to its sample k). Per stage and replica, the curve is
    sampled at ``grid_points`` codes spanning every code its encoder gives a point of any
    split, widened by ``margin`` (``projection.bound_grid``); with ``shared_grid`` one grid
    spans the codes of every stage (stages sharing one decoder: part g).

    Returns (sweep, bounds, projected): the first replica's decoder sweep of ``n_points``
    codes over ``projection.sweep_range(z_range, its training codes, margin)`` per stage (none
    when ``z_range`` is None); one row per stage, seed and split (``tables.BOUNDS``); and
    the first replica's points with their reconstructions and nearest curve points per
    stage (``projection.project``; ``tables.RECONSTRUCTIONS``). The bound holds for a 1-D
    latent; with more dimensions its columns are NaN.
    """
    codes = {
        (stage, k): {split: encode(model, replica_points(xy, k)) for split, xy in points.items()}
        for stage, replicas in stages.items()
        for k, model in enumerate(replicas)
    }
    sweeps, rows, projected = [], [], []
    for stage, replicas in stages.items():
        for k, (model, seed) in enumerate(zip(replicas, seeds, strict=True)):
            own = codes[(stage, k)]
            dim = next(iter(own.values())).shape[1]
            if shared_grid:  # every stage's codes of this replica
                used = [c[:, 0] for (_, j), by in codes.items() if j == k for c in by.values()]
            else:
                used = [c[:, 0] for c in own.values()]
            grid = projection.bound_grid(np.concatenate(used), margin, grid_points)
            curve = decode_codes(model, grid, dim)
            train_codes = own[TRAIN][:, 0]  # the split a decoder sweep spans
            sweep = (
                None if z_range is None else projection.sweep_range(z_range, train_codes, margin)
            )
            if k == 0 and sweep is not None:
                z = np.linspace(sweep[0], sweep[1], n_points)
                decoded = decode_codes(model, z, dim)
                sweeps.append(
                    pd.DataFrame({"stage": stage, "z": z, "x": decoded[:, 0], "y": decoded[:, 1]})
                )
            for split, shared in points.items():
                xy = replica_points(shared, k)
                table = projection.project(
                    xy.double().numpy(), own[split][:, 0], reconstruct(model, xy), grid, curve
                )
                row = {
                    "stage": stage,
                    "seed": seed,
                    "split": split,
                    "code_low": float(own[split][:, 0].min()),
                    "code_high": float(own[split][:, 0].max()),
                    "sweep_low": np.nan if sweep is None else sweep[0],
                    "sweep_high": np.nan if sweep is None else sweep[1],
                    "sweep_coverage": (
                        np.nan if sweep is None else projection.coverage(own[split][:, 0], sweep)
                    ),
                    "grid_low": float(grid[0]),
                    "grid_high": float(grid[-1]),
                    "grid_points": grid_points,
                    **projection.bound_row(table),
                }
                if dim > 1:  # the curve is one line through a surface: no bound
                    for key in ("bound_mse", "bound_mse_coarse", "fold_share", "fold_excess_share"):
                        row[key] = np.nan
                rows.append(row)
                if k == 0:
                    projected.append(table.assign(stage=stage, split=split))
    sweep_table = pd.concat(sweeps, ignore_index=True) if sweeps else pd.DataFrame()
    first = pd.concat(projected, ignore_index=True)
    first = first[["stage", "split", *[c for c in first if c not in ("stage", "split")]]]
    return sweep_table, pd.DataFrame(rows), first


def stored_decoder_fit(
    checkpoints: Mapping[str, str | os.PathLike[str]],
    samples: str | os.PathLike[str],
    sweep: Mapping[str, Any],
    shared_grid: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``decoder_fit`` of the replicas stored in ``checkpoints`` (stage -> path, every
    stage one run's replicas), with the seeds the first stage's checkpoint holds
    (``configured_decoder_fit``)."""
    stages = {stage: load_replicas(path) for stage, path in checkpoints.items()}
    seeds = load_replica_seeds(next(iter(checkpoints.values())))
    return configured_decoder_fit(stages, seeds, samples, sweep, shared_grid)


def configured_decoder_fit(
    stages: Mapping[str, Sequence[Autoencoder]],
    seeds: Sequence[int],
    samples: str | os.PathLike[str],
    sweep: Mapping[str, Any],
    shared_grid: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``decoder_fit`` of ``stages`` to the training and held-out points of the ``samples``
    table with the ``decoder_sweep`` settings ``sweep`` (``margin``, ``bound_points``;
    ``z_range`` and ``n_points`` where the decoder sweep itself is wanted)."""
    return decoder_fit(
        stages,
        {split: load_points(samples, split) for split in (TRAIN, TEST)},
        seeds,
        margin=sweep["margin"],
        grid_points=sweep["bound_points"],
        z_range=sweep.get("z_range"),
        n_points=sweep.get("n_points", 0),
        shared_grid=shared_grid,
    )


def model_analyses(
    samples: str | os.PathLike[str],
    init: str | os.PathLike[str],
    trained: str | os.PathLike[str],
    x_range: Sequence[float],
    y_range: Sequence[float],
    sweep: Mapping[str, Any],
    seed: int,
    draws: int,
) -> dict[str, pd.DataFrame]:
    """Every analysis of one variant's replicas, its checkpoints (``init``, ``trained``)
    read once. Part (c): ``embedding`` (the first replica's code of each training point),
    ``grid`` (its code over the input rectangle, before and after training), ``codes``
    (every replica's code of its training points) and ``initial`` (the reference orders of
    ``draws`` untrained networks seeded from the variant's training ``seed``). Part (d),
    ``decoder_fit`` with the ``decoder_sweep`` settings ``sweep``: ``sweep`` (the first
    replica's decoder sweep), ``bounds`` (every replica's nearest-point bound) and
    ``reconstructions`` (the first replica's, after training)."""
    points = load_points(samples)
    stages = {"before": load_replicas(init), "after": load_replicas(trained)}
    seeds = load_replica_seeds(trained)
    first = {stage: replicas[0] for stage, replicas in stages.items()}
    sweeps, bounds, projected = configured_decoder_fit(stages, seeds, samples, sweep)
    return {
        "embedding": embedding_table(first["after"], replica_points(points, 0)),
        "grid": latent_grid(first, x_range, y_range),
        "codes": latent_codes(stages, points, seeds),
        "initial": initial_orders(first["after"].spec, points, seed, draws),
        "sweep": sweeps,
        "bounds": bounds,
        "reconstructions": projected[projected["stage"] == "after"],
    }


def latent_shift_table(points: torch.Tensor, before: np.ndarray, after: np.ndarray) -> pd.DataFrame:
    """Points with their (first) latent code under two encoders: x, y, z_before, z_after."""
    table = pd.DataFrame(points.double().numpy(), columns=["x", "y"])
    table["z_before"] = before[:, 0]
    table["z_after"] = after[:, 0]
    return table


def reinitialise_encoder_freeze_decoder(
    model: Autoencoder, mean: float, std: float, seed: int
) -> None:
    """Part (g): decoder weights frozen; encoder weights redrawn N(mean, std), biases 0."""
    for parameter in model.decoder.parameters():
        parameter.requires_grad_(False)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for layer in model.encoder.modules():
            if isinstance(layer, nn.Linear):
                layer.weight.copy_(
                    mean + std * torch.randn(layer.weight.shape, generator=generator)
                )
                if layer.bias is not None:
                    layer.bias.zero_()


@torch.no_grad()
def dead_network(model: Autoencoder, points: torch.Tensor) -> bool:
    """True when some hidden ReLU layer has no unit active on any of ``points``: its output
    is then constant, and so is everything after it. A rule blind to how well the network
    reconstructs (``core.claims``: such replicas are set aside)."""
    silent: list[bool] = []
    hooks = [
        module.register_forward_hook(lambda _m, _i, out: silent.append(bool((out <= 0).all())))
        for module in model.modules()
        if isinstance(module, nn.ReLU)
    ]
    try:
        model(points)
    finally:
        for hook in hooks:
            hook.remove()
    return any(silent)


def model_metrics(
    model: Autoencoder, train_points: torch.Tensor, test_points: torch.Tensor
) -> dict[str, float]:
    """Parameter counts, training/held-out MSE and, for a bias-free linear model, the
    comparison with the PCA optimum of the training points."""
    from aeflow.autoencoder.pca import angle_degrees, leading_direction, pca_optimum_mse
    from aeflow.core.modules import count_parameters

    metrics: dict[str, float] = {
        "parameters": count_parameters(model),
        "train_mse": reconstruction_mse(model, train_points),
        "test_mse": reconstruction_mse(model, test_points),
        "dead_network": float(dead_network(model, train_points)),
    }
    # The best constant reconstruction (every point read as the mean point): what a
    # network that did not train does at best.
    metrics["constant_mse"] = float(train_points.double().var(dim=0, unbiased=False).mean())
    if model.spec.linear:
        optimum = pca_optimum_mse(train_points.double().numpy(), model.spec.latent_dim)
        metrics["pca_optimum_mse"] = optimum
        # The held-out set's own optimum: what sampling alone puts between the two sets.
        metrics["test_pca_optimum_mse"] = pca_optimum_mse(
            test_points.double().numpy(), model.spec.latent_dim
        )
        metrics["pca_ratio"] = metrics["train_mse"] / optimum if optimum > 0 else float("nan")
        if model.spec.latent_dim == 1:
            direction = model.decoder.weight.detach().double().numpy()[:, 0]
            metrics["pca_angle_deg"] = angle_degrees(
                direction, leading_direction(train_points.double().numpy())
            )
    return metrics
