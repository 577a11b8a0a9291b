"""Model-level analyses: latent codes, decoder sweeps, reconstruction error, retraining set-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

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


@torch.no_grad()
def decoder_sweep(
    models: dict[str, Autoencoder], z_range: tuple[float, float], n_points: int
) -> pd.DataFrame:
    """Decode evenly spaced latent values through each model's decoder.

    For a latent of several dimensions the sweep runs along the first axis, the others 0.
    Returns columns stage, z, x, y; ``models`` maps stage name (before/after) to model.
    """
    frames = []
    for stage, model in models.items():
        z = torch.linspace(z_range[0], z_range[1], n_points)
        latent = torch.zeros(n_points, model.spec.latent_dim)
        latent[:, 0] = z
        decoded = model.decoder(latent).double().numpy()
        frames.append(
            pd.DataFrame(
                {"stage": stage, "z": z.double().numpy(), "x": decoded[:, 0], "y": decoded[:, 1]}
            )
        )
    return pd.concat(frames, ignore_index=True)


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
