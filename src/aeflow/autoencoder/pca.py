"""The PCA optimum a bias-free linear autoencoder can reach. NumPy only."""

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


def projection_mse(fit_points: np.ndarray, points: np.ndarray, latent_dim: int = 1) -> float:
    """MSE over ``points`` of the optimal bias-free linear autoencoder of ``fit_points``:
    each point projected onto the top ``latent_dim`` eigenvectors of ``fit_points``'
    uncentred second moment (what the linear ``pca`` variant reaches when trained on
    them); on ``fit_points`` themselves this is ``pca_optimum_mse``."""
    fit_points = np.asarray(fit_points, dtype=float)
    points = np.asarray(points, dtype=float)
    _, vectors = np.linalg.eigh(fit_points.T @ fit_points / len(fit_points))
    basis = vectors[:, -latent_dim:]
    residual = points - points @ basis @ basis.T
    return float(np.mean(residual**2))
