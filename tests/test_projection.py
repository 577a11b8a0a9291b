"""The decoder's curve (parts c, d, g): the nearest-point bound, the sweep ranges, the fold
shares and the rank correlations, checked against brute force and closed forms."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from aeflow.autoencoder import projection
from aeflow.autoencoder.analysis import decoder_fit, latent_codes, latent_grid
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.autoencoder.summary import bound_extras, latent_order_extras, retrain_row_extras
from aeflow.core.stats import rank_correlation


def _brute_force(points, curve):
    """Nearest sample of every point, one pair at a time."""
    index, d2 = [], []
    for p in points:
        best = min(
            range(len(curve)), key=lambda j: (p[0] - curve[j][0]) ** 2 + (p[1] - curve[j][1]) ** 2
        )
        index.append(best)
        d2.append((p[0] - curve[best][0]) ** 2 + (p[1] - curve[best][1]) ** 2)
    return np.array(index), np.array(d2)


@pytest.mark.parametrize("chunk", [projection.CHUNK_ELEMENTS, 7])  # one chunk; many chunks
def test_nearest_points_match_a_brute_force_projection(monkeypatch, chunk):
    monkeypatch.setattr(projection, "CHUNK_ELEMENTS", chunk)
    rng = np.random.default_rng(3)
    curve = np.cumsum(rng.normal(size=(40, 2)), axis=0) * 0.2
    points = rng.uniform(-1.5, 1.5, size=(23, 2))
    start = rng.integers(0, len(curve), size=len(points))
    index, d2, coarse, highest = projection.nearest_on_curve(points, curve, start)
    expected_index, expected_d2 = _brute_force(points, curve)
    np.testing.assert_array_equal(index, expected_index)
    np.testing.assert_allclose(d2, expected_d2, rtol=1e-12)
    _, expected_coarse = _brute_force(points, curve[::2])
    np.testing.assert_allclose(coarse, expected_coarse, rtol=1e-12)
    assert (coarse >= d2).all()
    # The largest distance on the way along the curve from each start to the nearest sample.
    for k, p in enumerate(points):
        low, high = sorted((start[k], expected_index[k]))
        way = curve[low : high + 1]
        assert highest[k] == pytest.approx(((way - p) ** 2).sum(axis=1).max(), rel=1e-12)


def test_the_bound_of_a_straight_curve_is_the_distance_to_the_line():
    # Decoder z -> (z, 0.5 z): every point's nearest point is its orthogonal projection.
    grid = np.linspace(-3, 3, 20001)
    curve = np.column_stack([grid, 0.5 * grid])
    rng = np.random.default_rng(0)
    points = rng.uniform([-2, -1], [2, 1], size=(200, 2))
    codes = rng.uniform(-2, 2, size=200)  # some encoder: its own choices on the curve
    table = projection.project(points, codes, np.column_stack([codes, 0.5 * codes]), grid, curve)
    row = projection.bound_row(table)
    distance2 = (points[:, 1] - 0.5 * points[:, 0]) ** 2 / 1.25
    assert row["bound_mse"] == pytest.approx(distance2.mean() / 2, abs=1e-7)
    # Sampled, the bound is above the line's by at most (half a grid step)^2 per point.
    step = np.hypot(grid[1] - grid[0], 0.5 * (grid[1] - grid[0]))
    assert 0 <= row["bound_mse"] - distance2.mean() / 2 <= step**2 / 8
    assert row["bound_mse_coarse"] >= row["bound_mse"]
    assert row["mse"] == pytest.approx(
        ((points - table[["x_hat", "y_hat"]].to_numpy()) ** 2).mean()
    )
    assert row["mse"] >= row["bound_mse"]
    # A straight curve has no folds.
    assert row["fold_share"] == 0 and row["fold_excess_share"] == 0


def test_a_point_sent_to_the_other_arm_of_a_folded_curve_is_a_fold():
    # A U: down the left arm (x = -1), across, up the right arm (x = +1).
    grid = np.linspace(0, 3, 3001)
    curve = np.where(
        grid[:, None] < 1,
        np.column_stack([-np.ones_like(grid), 1 - grid]),
        np.where(
            grid[:, None] < 2,
            np.column_stack([2 * (grid - 1) - 1, np.zeros_like(grid)]),
            np.column_stack([np.ones_like(grid), grid - 2]),
        ),
    )
    points = np.array([[0.9, 0.5], [1.05, 0.5]])
    # The first point's encoder picks the left arm (z = 0.5: (-1, 0.5)); the second its own.
    codes = np.array([0.5, 2.5])
    reconstructions = np.array([[-1.0, 0.5], [1.0, 0.5]])
    table = projection.project(points, codes, reconstructions, grid, curve)
    assert table["fold"].tolist() == [True, False]
    assert table["z_near"].tolist() == pytest.approx([2.5, 2.5])
    row = projection.bound_row(table)
    assert row["bound_mse"] == pytest.approx((0.1**2 + 0.05**2) / 4)
    assert row["fold_share"] == 0.5 and row["fold_excess_share"] == pytest.approx(1.0)


def test_the_auto_sweep_spans_the_codes_in_use_and_a_configured_range_wins():
    codes = np.concatenate([np.random.default_rng(1).uniform(-3, 1.5, size=500), [-12.0, 1.7]])
    auto = projection.sweep_range("auto", codes, margin=0.1)
    assert auto == pytest.approx((-12.0 - 1.37, 1.7 + 1.37))
    assert projection.coverage(codes, auto) == 1.0 >= 0.95
    assert projection.sweep_range([-1.5, 1.5], codes, margin=0.1) == (-1.5, 1.5)
    assert projection.coverage(codes, (-1.5, 1.5)) < 0.95
    assert projection.sweep_range("auto", [0.3, 0.3], margin=0.1) == pytest.approx((0.2, 0.4))
    with pytest.raises(ValueError, match="auto"):
        projection.sweep_range("automatic", codes, margin=0.1)
    grid = projection.bound_grid(codes, 0.1, 101)
    assert len(grid) == 101 and grid[0] < codes.min() and grid[-1] > codes.max()


def test_rank_correlation_is_spearmans_with_ties():
    rng = np.random.default_rng(2)
    a = rng.integers(0, 6, 40).astype(float)
    b = a + rng.normal(size=40)
    assert rank_correlation(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, rel=1e-12)
    assert rank_correlation(a, -(a**3)) == pytest.approx(-1.0)
    assert np.isnan(rank_correlation(np.ones(5), np.arange(5)))


def _replicas(seeds=(0, 1), hidden=(6, 4)):
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(Autoencoder(ModelSpec(input_dim=2, latent_dim=1, hidden=list(hidden))).eval())
    return models


def _points(n, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(n, 2, generator=generator) * torch.tensor([4.0, 2.0]) - torch.tensor(
        [2.0, 1.0]
    )


@pytest.mark.parametrize("z_range", ["auto", [-1.5, 1.5]])
def test_decoder_fit_bounds_every_replica_below_its_encoder(z_range):
    stages = {"before": _replicas((0, 1)), "after": _replicas((2, 3))}
    points = {"train": _points(30, 0), "test": _points(50, 1)}
    sweep, bounds, projected = decoder_fit(
        stages, points, [0, 1], margin=0.1, grid_points=2001, z_range=z_range, n_points=16
    )
    assert sweep.groupby("stage").size().to_dict() == {"after": 16, "before": 16}
    assert len(bounds) == 2 * 2 * 2 and set(bounds["seed"]) == {0, 1}
    assert (bounds["mse"] >= bounds["bound_mse"] - 1e-7).all()
    assert (bounds["bound_mse_coarse"] >= bounds["bound_mse"]).all()
    train = bounds[bounds["split"] == "train"]
    if z_range == "auto":
        assert (train["sweep_coverage"] == 1.0).all()
        first = train[train["seed"] == 0].set_index("stage")
        for stage, part in sweep.groupby("stage"):
            assert part["z"].min() == pytest.approx(first.loc[stage, "sweep_low"])
            assert part["z"].max() == pytest.approx(first.loc[stage, "sweep_high"])
            assert part["z"].min() < first.loc[stage, "code_low"]
            assert part["z"].max() > first.loc[stage, "code_high"]
    else:
        assert sweep["z"].min() == -1.5 and sweep["z"].max() == 1.5
        assert (bounds["sweep_low"] == -1.5).all()
    # The bound brute-forced for seed 0 after training: the trained decoder's sampled curve.
    model = stages["after"][0]
    row = bounds[(bounds["stage"] == "after") & (bounds["seed"] == 0) & (bounds["split"] == "test")]
    grid = np.linspace(row["grid_low"].iloc[0], row["grid_high"].iloc[0], 2001)
    with torch.no_grad():
        curve = model.decoder(torch.tensor(grid, dtype=torch.float32)[:, None]).double().numpy()
    xy = points["test"].double().numpy()
    d2 = ((xy[:, None, :] - curve[None, :, :]) ** 2).sum(-1).min(axis=1)
    assert row["bound_mse"].iloc[0] == pytest.approx(d2.mean() / 2, rel=1e-9)
    # The first replica's points, with their reconstructions, per stage and split.
    assert len(projected) == 2 * 80
    assert list(projected.columns[:2]) == ["stage", "split"]


def test_a_shared_grid_spans_the_codes_of_every_stage():
    decoder = _replicas((5,))[0]
    other = _replicas((6,))[0]
    other.decoder.load_state_dict(decoder.decoder.state_dict())  # one frozen decoder
    points = {"train": _points(20, 0), "test": _points(20, 1)}
    _, bounds, _ = decoder_fit(
        {"original": [decoder], "retrained": [other]}, points, [0], 0.1, 501, shared_grid=True
    )
    by_stage = bounds.set_index(["stage", "split"])
    assert (
        by_stage.loc[("original", "train"), "bound_mse"]
        == by_stage.loc[("retrained", "train"), "bound_mse"]
    )
    assert bounds["grid_low"].nunique() == 1 and bounds["sweep_coverage"].isna().all()


def test_latent_tables_and_the_summary_columns_they_give():
    stages = {"before": _replicas((0, 1)), "after": _replicas((2, 3))}
    points = _points(25, 0)
    codes = latent_codes(stages, points, [7, 8])
    assert codes.groupby(["stage", "seed"]).size().to_dict() == {
        ("after", 7): 25,
        ("after", 8): 25,
        ("before", 7): 25,
        ("before", 8): 25,
    }
    extras = latent_order_extras(codes[codes["seed"] == 7])
    after = codes[(codes["seed"] == 7) & (codes["stage"] == "after")]
    assert extras["spearman_zx"] == pytest.approx(stats.spearmanr(after["z"], after["x"]).statistic)
    assert set(extras) == {"spearman_zx", "spearman_zy", "spearman_zx_before", "spearman_zy_before"}
    grid = latent_grid({"after": stages["after"][0]}, (-2.0, 2.0), (-1.0, 1.0), points=9)
    assert len(grid) == 9 * 5 and grid["x"].min() == -2 and grid["y"].max() == 1
    shift = pd.DataFrame({"z_before": [0.0, 1.0, 2.0, 3.0], "z_after": [0.0, 2.0, 1.0, 3.0]})
    assert retrain_row_extras(shift)["spearman_old_new"] == pytest.approx(0.8)


def test_bound_extras_read_one_replicas_rows():
    rows = pd.DataFrame(
        {
            "stage": ["before", "before", "after", "after"],
            "split": ["train", "test", "train", "test"],
            "mse": [0.5, 0.6, 0.04, 0.13],
            "bound_mse": [0.3, 0.35, 0.025, 0.035],
            "bound_mse_coarse": [0.3, 0.35, 0.0251, 0.0352],
            "fold_share": [0.0, 0.0, 0.05, 0.2],
            "fold_excess_share": [0.0, 0.0, 0.5, 0.8],
            "sweep_coverage": [0.9, 0.92, 1.0, 0.97],
        }
    )
    extras = bound_extras(rows, "after")
    assert extras["bound_test_mse"] == 0.035 and extras["encoder_test_excess"] == pytest.approx(
        0.095
    )
    assert extras["bound_grid_gap"] == pytest.approx(0.0002)
    assert extras["sweep_coverage"] == 1.0 and extras["sweep_coverage_before"] == 0.9
    assert extras["fold_excess_share_test"] == 0.8
