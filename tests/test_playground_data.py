"""The Playground's data set generators, checked against points worked out by hand."""

import math

import numpy as np
import pytest

from aeflow.playground.data import circle, gauss, make_points, spiral, xor
from aeflow.playground.settings import DataSpec


def rng():
    return np.random.default_rng(0)


def test_spiral_without_noise_matches_hand_computed_points():
    xy, labels = spiral(8, 0.0, rng())  # n = 4 points per arm
    assert xy.shape == (8, 2) and labels.tolist() == [1] * 4 + [-1] * 4
    # i = 0: r = 0 -> the origin, both arms.
    assert xy[0] == pytest.approx([0, 0]) and xy[4] == pytest.approx([0, 0])
    # i = 1: r = 5/4, t = 1.75 * 2 pi / 4 = 7 pi / 8.
    r, t = 1.25, 7 * math.pi / 8
    assert xy[1] == pytest.approx([r * math.sin(t), r * math.cos(t)])
    assert xy[1] == pytest.approx([0.478354, -1.154850], abs=1e-6)
    # The other arm is rotated by pi: the point mirrored through the origin.
    assert xy[5] == pytest.approx(-xy[1])


def test_spiral_noise_moves_points_by_at_most_noise_per_axis():
    clean, _ = spiral(200, 0.0, rng())
    noisy, _ = spiral(200, 0.3, rng())
    shift = np.abs(noisy - clean)
    assert shift.max() <= 0.3 and shift.max() > 0.25


def test_circle_without_noise_labels_the_inner_disc_positive():
    xy, labels = circle(400, 0.0, rng())
    radius = np.hypot(xy[:, 0], xy[:, 1])
    assert xy.shape == (400, 2)
    assert (radius[labels == 1] < 2.5).all() and (labels == 1).sum() == 200
    negative = radius[labels == -1]
    assert negative.min() >= 3.5 and negative.max() <= 5


def test_circle_noise_flips_labels_but_not_points():
    xy_clean, clean = circle(400, 0.0, rng())
    xy_noisy, noisy = circle(400, 0.5, rng())
    assert np.array_equal(xy_clean, xy_noisy)
    assert 0 < (clean != noisy).sum() < 400


def test_xor_without_noise_labels_by_quadrant_with_padding():
    xy, labels = xor(500, 0.0, rng())
    assert (np.abs(xy) >= 0.3).all() and (np.abs(xy) <= 5.3).all()
    assert np.array_equal(labels, np.where(xy[:, 0] * xy[:, 1] >= 0, 1, -1))


@pytest.mark.parametrize(("noise", "variance"), [(0.0, 0.5), (0.5, 4.0)])
def test_gauss_blobs_have_the_playground_means_and_variances(noise, variance):
    xy, labels = gauss(20000, noise, rng())
    positive, negative = xy[labels == 1], xy[labels == -1]
    assert positive.mean(axis=0) == pytest.approx([2, 2], abs=0.05)
    assert negative.mean(axis=0) == pytest.approx([-2, -2], abs=0.05)
    assert positive.var(axis=0) == pytest.approx([variance] * 2, rel=0.05)


def test_split_sizes_follow_the_ratio_and_the_seed():
    points = make_points(DataSpec(dataset="xor", n_samples=101, train_ratio=0.3, seed=4))
    assert list(points.columns) == ["x1", "x2", "label", "split"]
    assert points["split"].value_counts().to_dict() == {"test": 71, "train": 30}
    assert points.equals(
        make_points(DataSpec(dataset="xor", n_samples=101, train_ratio=0.3, seed=4))
    )
    other = make_points(DataSpec(dataset="xor", n_samples=101, train_ratio=0.3, seed=5))
    assert not points[["x1", "x2"]].equals(other[["x1", "x2"]])


def test_train_ratios_split_the_same_shuffled_points():
    low = make_points(DataSpec(train_ratio=0.2, n_samples=50))
    high = make_points(DataSpec(train_ratio=0.8, n_samples=50))
    assert low[["x1", "x2", "label"]].equals(high[["x1", "x2", "label"]])
    assert (low["split"] == "train").sum() == 10 and (high["split"] == "train").sum() == 40


def test_a_ratio_leaving_no_training_point_is_refused():
    with pytest.raises(ValueError, match="empty"):
        DataSpec(n_samples=4, train_ratio=0.1)
