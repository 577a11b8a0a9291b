"""The TensorFlow Playground's data sets, seeded (NumPy only).

Each generator follows the definition in the Playground's source, ``src/dataset.ts`` of
https://github.com/tensorflow/playground (``classifySpiralData``, ``classifyCircleData``,
``classifyXORData``, ``classifyTwoGaussData``; ``regressPlane``, ``regressGaussian``): same
formulas, same constants, same meaning of ``noise`` (the noise slider divided by 100);
classification labels are +1/-1, regression labels lie in [-1, 1]. Only the random numbers
differ: NumPy's seeded generator instead of the browser's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from aeflow.playground.settings import DataSpec

Points = tuple[np.ndarray, np.ndarray]  # (n, 2) coordinates, (n,) labels
DOMAIN = (-6.0, 6.0)  # the Playground's plotted input range, both axes


def spiral(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """Two interleaved spirals (``classifySpiralData``): for class offset delta in {0, pi}
    and i = 0..n-1 (n = n_samples / 2): r = 5 i / n, t = 1.75 * 2 pi i / n + delta,
    (x, y) = (r sin t, r cos t), each plus noise * U(-1, 1). delta = 0 is class +1."""
    n = n_samples // 2
    i = np.arange(n)
    parts, labels = [], []
    for delta, label in ((0.0, 1.0), (np.pi, -1.0)):
        r = 5 * i / n
        t = 1.75 * 2 * np.pi * i / n + delta
        xy = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(xy + noise * rng.uniform(-1, 1, size=(n, 2)))
        labels.append(np.full(n, label))
    return np.concatenate(parts), np.concatenate(labels)


def circle(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """A disc inside a ring (``classifyCircleData``): radius 5; half the points with
    r ~ U(0, 2.5), half with r ~ U(3.5, 5), angle ~ U(0, 2 pi), (x, y) = (r sin a, r cos a).
    The label is +1 when the point *shifted by noise * U(-5, 5) per axis* lies within 2.5 of
    the origin: noise flips labels near the boundary, the points themselves stay put."""
    radius = 5.0
    n = n_samples // 2
    points = []
    for low, high in ((0.0, 0.5 * radius), (0.7 * radius, radius)):
        r = rng.uniform(low, high, size=n)
        angle = rng.uniform(0, 2 * np.pi, size=n)
        points.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
    xy = np.concatenate(points)
    shifted = xy + noise * rng.uniform(-radius, radius, size=xy.shape)
    labels = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < 0.5 * radius, 1.0, -1.0)
    return xy, labels


def xor(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """Four quadrants (``classifyXORData``): x, y ~ U(-5, 5), pushed 0.3 away from the axes;
    label +1 when x' y' >= 0 for the point shifted by noise * U(-5, 5) per axis."""
    xy = rng.uniform(-5, 5, size=(n_samples, 2))
    xy += np.where(xy > 0, 0.3, -0.3)
    shifted = xy + noise * rng.uniform(-5, 5, size=xy.shape)
    labels = np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)
    return xy, labels


def gauss(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """Two Gaussian blobs (``classifyTwoGaussData``) at (2, 2) (label +1) and (-2, -2)
    (label -1), variance 0.5 + 7 * noise (noise 0 -> 0.5, noise 0.5 -> 4) per axis."""
    n = n_samples // 2
    std = np.sqrt(0.5 + (4.0 - 0.5) * noise / 0.5)
    positive = rng.normal(2.0, std, size=(n, 2))
    negative = rng.normal(-2.0, std, size=(n, 2))
    return np.concatenate([positive, negative]), np.concatenate([np.ones(n), -np.ones(n)])


def plane(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """A tilted plane (``regressPlane``): x, y ~ U(-6, 6); the label is (x' + y') / 10 for
    the point shifted by noise * U(-6, 6) per axis (the Playground's linear scale from
    [-10, 10] to [-1, 1], unclamped)."""
    radius = 6.0
    xy = rng.uniform(-radius, radius, size=(n_samples, 2))
    shifted = xy + noise * rng.uniform(-radius, radius, size=xy.shape)
    return xy, (shifted[:, 0] + shifted[:, 1]) / 10.0


# (centre x, centre y, sign) of the six bumps of ``regressGaussian``.
BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=float,
)


def multi_gauss(n_samples: int, noise: float, rng: np.random.Generator) -> Points:
    """Six bumps of alternating sign (``regressGaussian``): x, y ~ U(-6, 6); each bump gives
    sign * clamp(1 - d / 2, 0, 1) at distance d from its centre, and the label is the bump
    value largest in magnitude (the first one on ties), for the point shifted by
    noise * U(-6, 6) per axis."""
    radius = 6.0
    xy = rng.uniform(-radius, radius, size=(n_samples, 2))
    shifted = xy + noise * rng.uniform(-radius, radius, size=xy.shape)
    distance = np.hypot(
        shifted[:, None, 0] - BUMPS[None, :, 0], shifted[:, None, 1] - BUMPS[None, :, 1]
    )
    values = BUMPS[None, :, 2] * np.clip(1 - distance / 2, 0, 1)
    # The Playground keeps a bump's value only when strictly larger in magnitude.
    return xy, values[np.arange(n_samples), np.abs(values).argmax(axis=1)]


GENERATORS: dict[str, Callable[[int, float, np.random.Generator], Points]] = {
    "spiral": spiral,
    "circle": circle,
    "xor": xor,
    "gauss": gauss,
    "plane": plane,
    "multi_gauss": multi_gauss,
}


def make_points(spec: DataSpec) -> pd.DataFrame:
    """The data set of ``spec``, shuffled once, then split as the Playground does: the first
    floor(n * train_ratio) points train, the rest test. Columns x1, x2, label, split."""
    rng = np.random.default_rng(spec.seed)
    xy, labels = GENERATORS[spec.dataset](spec.n_samples, spec.noise, rng)
    order = rng.permutation(len(labels))
    xy, labels = xy[order], labels[order]
    split = np.where(np.arange(len(labels)) < spec.n_train, "train", "test")
    return pd.DataFrame(
        {"x1": xy[:, 0], "x2": xy[:, 1], "label": labels.astype(float), "split": split}
    )
