"""Numbers that judge the exercise's claims. NumPy only (no torch): cheap to import."""

from __future__ import annotations

import numpy as np


def pca_optimum_mse(points: np.ndarray, latent_dim: int = 1) -> float:
    """Best possible MSE of a bias-free linear autoencoder with ``latent_dim`` codes.

    Without biases the optimum projects onto the top eigenvectors of the *uncentred*
    second-moment matrix M = X^T X / n; the residual per point is the sum of the other
    eigenvalues, and nn.MSELoss further averages over the d coordinates.
    """
    points = np.asarray(points, dtype=float)
    n, d = points.shape
    eigenvalues = np.linalg.eigvalsh(points.T @ points / n)  # ascending
    return float(eigenvalues[: d - latent_dim].sum() / d)


def leading_direction(points: np.ndarray) -> np.ndarray:
    """Unit eigenvector of the largest eigenvalue of the uncentred second moment."""
    points = np.asarray(points, dtype=float)
    _, vectors = np.linalg.eigh(points.T @ points / len(points))
    return vectors[:, -1]


def angle_degrees(u: np.ndarray, v: np.ndarray) -> float:
    """Angle between the lines spanned by u and v, in [0, 90] degrees (sign-free)."""
    cosine = abs(float(np.dot(u, v))) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(min(1.0, cosine))))


def order_swaps(before: np.ndarray, after: np.ndarray) -> int:
    """Pairs (i, j) whose latent order differs between ``before`` and ``after``.

    0 means ``after`` is an increasing function of ``before``; n(n-1)/2 a decreasing one
    (also a monotone rescaling, mirrored). Ties count as no swap.
    """
    before = np.asarray(before, dtype=float).ravel()
    after = np.asarray(after, dtype=float).ravel()
    d_before = np.sign(before[:, None] - before[None, :])
    d_after = np.sign(after[:, None] - after[None, :])
    discordant = (d_before * d_after) < 0
    return int(np.triu(discordant, k=1).sum())


def roughness(losses: np.ndarray, settled_fraction: float = 0.5) -> float:
    """Standard deviation of successive loss differences over the last ``settled_fraction``
    of the curve: how jagged it is once the initial descent is over."""
    losses = np.asarray(losses, dtype=float)
    settled = losses[int(len(losses) * (1 - settled_fraction)) :]
    return float(np.std(np.diff(settled)))


def last_epoch_mean(losses, epoch_column: str = "epoch", loss_column: str = "loss") -> float:
    """Mean batch loss over the final epoch of a loss table (pandas DataFrame)."""
    last = losses[epoch_column].max()
    return float(losses.loc[losses[epoch_column] == last, loss_column].mean())
