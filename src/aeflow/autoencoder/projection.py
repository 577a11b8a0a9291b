"""Nearest points of the decoder's curve and the encoder's choice on it (parts d and g).

NumPy and pandas only (no torch): the analysis jobs decode with torch and hand the sampled
curve here; the summary reads the resulting tables.

A 1-D latent's decoder draws a curve in the plane. Whatever an encoder does, it reconstructs
a point as some point of that curve, so no encoder can do better than sending each point to
its nearest point of the curve: the **nearest-point bound**. It is computed over the curve
sampled at ``grid_points`` codes evenly spaced over a range of codes (``bound_grid``), so it
is the bound over that sampled piece of curve: a finer grid can only lower it, by at most
what halving the grid raised it (``bound_mse_coarse - bound_mse``, recorded) when the curve
is straight between samples. The encoder's own error above the bound is what it loses by
choosing another point of the curve. A point's reconstruction lies on **another fold** of
the curve when it sits in another valley of the point's distance to the curve: walking
along the curve from the reconstruction to the nearest point, the distance first has to
grow (by more than ``FOLD_TOLERANCE`` of itself) before it falls, as it does across the
bend of a fold; on the nearest point's own stretch it only falls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

AUTO = "auto"
FOLD_TOLERANCE = 1e-3  # a rise of the distance by more than this share of it is a ridge
CHUNK_ELEMENTS = 2_000_000  # point-sample distances computed at once (~16 MB per array)


def code_range(codes: Sequence[float] | np.ndarray, margin: float) -> tuple[float, float]:
    """[min, max] of ``codes`` widened on each side by ``margin`` times their span (by
    ``margin`` times the larger of 1 and |code| when all codes are equal)."""
    codes = np.asarray(codes, dtype=float).ravel()
    if codes.size == 0 or not np.isfinite(codes).all():
        raise ValueError("codes must be a non-empty array of finite numbers")
    low, high = float(codes.min()), float(codes.max())
    span = high - low
    pad = margin * span if span > 0 else max(margin, 1e-6) * max(1.0, abs(low))
    return low - pad, high + pad


def sweep_range(
    configured: str | Sequence[float], codes: Sequence[float] | np.ndarray, margin: float
) -> tuple[float, float]:
    """The range a decoder sweep spans: a configured [min, max] wins; ``'auto'`` spans the
    ``codes`` in use (``code_range``)."""
    if isinstance(configured, str):
        if configured != AUTO:
            raise ValueError(f"z_range must be {AUTO!r} or [min, max], got {configured!r}")
        return code_range(codes, margin)
    low, high = (float(v) for v in configured)
    return low, high


def coverage(codes: Sequence[float] | np.ndarray, z_range: Sequence[float]) -> float:
    """Share of ``codes`` inside ``z_range`` (ends included)."""
    codes = np.asarray(codes, dtype=float).ravel()
    return float(np.mean((codes >= z_range[0]) & (codes <= z_range[1])))


def bound_grid(codes: Sequence[float] | np.ndarray, margin: float, points: int) -> np.ndarray:
    """``points`` codes evenly spaced over every code in use, widened by ``margin``
    (``code_range``): the encoder's own reconstructions then lie on the sampled piece of
    curve, so its error is never below the bound but by the grid's resolution."""
    return np.linspace(*code_range(codes, margin), points)


def nearest_on_curve(
    points: np.ndarray, curve: np.ndarray, start: np.ndarray | None = None, coarse_step: int = 2
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each point (n, 2): the index of its nearest sample of ``curve`` (m, 2), the
    squared distance to it, the squared distance to the nearest of every ``coarse_step``-th
    sample (the same on a grid ``coarse_step`` times coarser) and, given a ``start`` sample
    per point, the largest squared distance on the curve's way from ``start`` to the
    nearest sample (NaN without ``start``). Computed in chunks of points, memory
    O(chunk x m)."""
    points = np.asarray(points, dtype=float)
    curve = np.asarray(curve, dtype=float)
    n, m = len(points), len(curve)
    index = np.empty(n, dtype=np.int64)
    nearest, coarse, highest = np.empty(n), np.empty(n), np.full(n, np.nan)
    chunk = max(1, CHUNK_ELEMENTS // max(1, m))
    columns = np.arange(m)
    for begin in range(0, n, chunk):
        part = slice(begin, begin + chunk)
        p = points[part]
        rows = np.arange(len(p))
        d2 = (p[:, None, 0] - curve[None, :, 0]) ** 2 + (p[:, None, 1] - curve[None, :, 1]) ** 2
        best = d2.argmin(axis=1)
        index[part], nearest[part] = best, d2[rows, best]
        coarse[part] = d2[:, ::coarse_step].min(axis=1)
        if start is not None:
            first = np.asarray(start)[part]
            low, high = np.minimum(first, best), np.maximum(first, best)
            on_way = (columns >= low[:, None]) & (columns <= high[:, None])
            highest[part] = np.where(on_way, d2, -np.inf).max(axis=1)
    return index, nearest, coarse, highest


def project(
    points: np.ndarray,
    codes: np.ndarray,
    reconstructions: np.ndarray,
    grid: np.ndarray,
    curve: np.ndarray,
) -> pd.DataFrame:
    """Per point: its code z and reconstruction (x_hat, y_hat), its nearest sampled curve
    point (z_near, x_near, y_near), the squared errors of both (``d2``, ``d2_near``; summed
    over the two coordinates), ``d2_coarse`` (the nearest on every other sample), how far
    the distance rises on the curve's way from the reconstruction to the nearest point
    (``ridge``; 0 when it only falls) and whether the two lie on different folds
    (``fold``: a ridge above ``FOLD_TOLERANCE`` of the distance it starts from).

    ``grid`` (m,) are the codes decoded to ``curve`` (m, 2), evenly spaced and increasing;
    the way starts at the grid sample nearest to the code (``bound_grid`` makes the grid
    span the codes)."""
    points = np.asarray(points, dtype=float)
    reconstructions = np.asarray(reconstructions, dtype=float)
    codes = np.asarray(codes, dtype=float).ravel()
    step = (grid[-1] - grid[0]) / (len(grid) - 1)
    start = np.clip(np.rint((codes - grid[0]) / step), 0, len(grid) - 1).astype(np.int64)
    index, d2_near, d2_coarse, highest = nearest_on_curve(points, curve, start)
    from_start = np.hypot(*(points - curve[start]).T)
    ridge = np.sqrt(highest) - from_start
    return pd.DataFrame(
        {
            "x": points[:, 0],
            "y": points[:, 1],
            "z": codes,
            "x_hat": reconstructions[:, 0],
            "y_hat": reconstructions[:, 1],
            "z_near": grid[index],
            "x_near": curve[index, 0],
            "y_near": curve[index, 1],
            "d2": ((points - reconstructions) ** 2).sum(axis=1),
            "d2_near": d2_near,
            "d2_coarse": d2_coarse,
            "ridge": ridge,
            "fold": ridge > FOLD_TOLERANCE * from_start + 1e-12,
        }
    )


def bound_row(projected: pd.DataFrame) -> dict[str, float]:
    """One split's numbers from a ``project`` table: the encoder's MSE, the nearest-point
    bound (MSE per coordinate, as nn.MSELoss), the bound on the grid of every other sample,
    and the share of points on another fold and of the excess error they cause."""
    excess = projected["d2"] - projected["d2_near"]
    total = float(excess.clip(lower=0).sum())
    folded = projected["fold"].to_numpy(dtype=bool)
    return {
        "points": len(projected),
        "mse": float(projected["d2"].mean() / 2),
        "bound_mse": float(projected["d2_near"].mean() / 2),
        "bound_mse_coarse": float(projected["d2_coarse"].mean() / 2),
        "fold_share": float(folded.mean()),
        "fold_excess_share": (
            float(excess[folded].clip(lower=0).sum() / total) if total > 0 else 0.0
        ),
    }
