import numpy as np
import pytest

from aeflow.autoencoder.pca import angle_degrees, leading_direction, pca_optimum_mse
from aeflow.core.stats import last_epoch_mean, order_swaps, rises, roughness


def test_pca_optimum_is_zero_for_points_on_a_line_through_the_origin():
    t = np.linspace(-1, 1, 11)
    points = np.stack([2 * t, -t], axis=1)
    assert pca_optimum_mse(points) == pytest.approx(0.0, abs=1e-12)
    assert angle_degrees(leading_direction(points), np.array([2.0, -1.0])) == pytest.approx(0)


def test_pca_optimum_of_an_axis_aligned_grid_is_the_smaller_second_moment_over_two():
    # Symmetric grid: the uncentred second-moment matrix is diagonal.
    xs, ys = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-1, 1, 5))
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    smaller = np.mean(points[:, 1] ** 2)
    assert pca_optimum_mse(points) == pytest.approx(smaller / 2)
    assert angle_degrees(leading_direction(points), np.array([1.0, 0.0])) == pytest.approx(0)


def test_angle_ignores_the_sign_of_a_direction():
    assert angle_degrees(np.array([1.0, 0.0]), np.array([-1.0, 0.0])) == pytest.approx(0)
    assert angle_degrees(np.array([1.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(90)


def test_order_swaps():
    z = np.array([0.1, 0.5, 0.2, 0.9])
    assert order_swaps(z, 3 * z + 1) == 0  # increasing rescaling
    assert order_swaps(z, -z) == 6  # mirrored: every pair
    assert order_swaps(z, np.array([0.1, 0.2, 0.5, 0.9])) == 1  # 0.5 and 0.2 swapped


def test_roughness_and_last_epoch_mean():
    import pandas as pd

    # 0 only for constant curvature: a straight line or a parabola.
    assert roughness(-5 * np.arange(10.0)) == 0
    assert roughness(np.arange(10.0) ** 2, settled_fraction=1.0) == 0
    # A smooth exponential decay is not 0, and the faster it falls the "rougher" it reads.
    steps = np.arange(20.0)
    slow, fast = (roughness(np.exp(-rate * steps), 1.0) for rate in (0.1, 0.5))
    assert 0 < slow < fast
    # Alternating +-1: second differences +-4 (and 4, -4, 4 has std 4 * sqrt(8/9)).
    zigzag = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    assert roughness(zigzag, settled_fraction=1.0) == pytest.approx(4 * np.sqrt(8 / 9))
    # Only the settled second half counts: a big early drop does not make a curve rough.
    assert roughness(np.array([100.0, 50.0, 1.0, 1.0, 1.0, 1.0])) == 0
    table = pd.DataFrame({"epoch": [0, 0, 1, 1], "loss": [4.0, 2.0, 1.0, 3.0]})
    assert last_epoch_mean(table) == 2.0


def _quadratic_order_swaps(before: np.ndarray, after: np.ndarray) -> int:
    """The definition, pair by pair: the reference for the fast count."""
    n = len(before)
    return sum(
        (before[i] - before[j]) * (after[i] - after[j]) < 0
        for i in range(n)
        for j in range(i + 1, n)
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 64, 101])
def test_order_swaps_matches_the_pairwise_count_with_ties(n):
    rng = np.random.default_rng(n)
    for _ in range(5):
        # Rounded values make ties in both codes likely: ties must never count.
        before = np.round(rng.normal(size=n), 1)
        after = np.round(before + rng.normal(scale=0.5, size=n), 1)
        assert order_swaps(before, after) == _quadratic_order_swaps(before, after)


def test_order_swaps_of_a_large_held_out_set_needs_no_pairwise_matrix():
    # 10^5 points: a pairwise boolean matrix would need 10 GB; the merge count takes little.
    n = 100_000
    before = np.arange(n, dtype=float)
    after = before.copy()
    after[[0, -1]] = after[[-1, 0]]  # swap first and last: 2(n - 2) + 1 discordant pairs
    assert order_swaps(before, after) == 2 * (n - 2) + 1
    assert order_swaps(before, -before) == n * (n - 1) // 2


def test_rises_counts_the_steps_where_a_loss_went_up():
    # Falling only, fast or slow, smooth or uneven: no rise.
    assert rises(np.exp(-0.5 * np.arange(20.0))) == 0
    assert rises(np.array([1.0, 0.5, 0.49, 0.2, 0.199])) == 0
    # Two of four steps go up.
    assert rises(np.array([1.0, 1.2, 0.8, 0.9, 0.5])) == 2
    # Float32 rounding at a plateau is not a rise; one point has no steps.
    assert rises(np.array([0.5, 0.5 * (1 + 1e-7), 0.5])) == 0
    assert rises(np.array([0.3])) == 0
