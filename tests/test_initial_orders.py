"""Part (c)'s reference: the order untrained networks give the training points, and where
a trained replica's |rho| lies in it."""

import time

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.autoencoder.initial import INIT_SEED_OFFSET, initial_orders
from aeflow.autoencoder.models import init_autoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.autoencoder.summary import COLUMNS, CONSTANT, init_order_extras, init_percentile
from aeflow.autoencoder.tables import LATENT_INIT
from aeflow.core.atomic import write_csv
from aeflow.core.stats import rank_correlation
from aeflow.core.tables import read_table

AE2 = ModelSpec(hidden=(50, 50))
LINEAR = ModelSpec(linear=True)


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.tensor([-2.0, -1.0]) + torch.tensor([4.0, 2.0]) * torch.rand(
        60, 2, generator=generator
    )


def test_one_row_per_draw_with_seeds_apart_from_the_replicas(points, tmp_path):
    table = initial_orders(AE2, points, seed=3, draws=50)
    assert list(table.columns) == ["draw", "seed", "rho_zx", "rho_zy"]
    assert list(table["draw"]) == list(range(50))
    assert list(table["seed"]) == [3 + INIT_SEED_OFFSET + i for i in range(50)]
    assert table[["rho_zx", "rho_zy"]].abs().le(1 + 1e-12).all().all()
    path = tmp_path / "ae2.csv"
    write_csv(table, path)
    assert len(read_table(path, LATENT_INIT, rows=50)) == 50


def test_draw_i_is_the_network_a_replica_with_its_seed_starts_from(points):
    table = initial_orders(AE2, points, seed=0, draws=5)
    model = init_autoencoder(AE2, int(table["seed"].iloc[4]))
    with torch.no_grad():
        z = model.encoder(points)[:, 0].double().numpy()
    xy = points.double().numpy()
    assert table["rho_zx"].iloc[4] == pytest.approx(rank_correlation(z, xy[:, 0]), abs=1e-12)
    assert table["rho_zy"].iloc[4] == pytest.approx(rank_correlation(z, xy[:, 1]), abs=1e-12)


def test_the_same_seed_gives_the_same_table_byte_for_byte(points, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(initial_orders(AE2, points, seed=0, draws=40), first)
    write_csv(initial_orders(AE2, points, seed=0, draws=40), second)
    assert first.read_bytes() == second.read_bytes()
    other = initial_orders(AE2, points, seed=1, draws=40)
    assert not np.array_equal(other["rho_zx"], pd.read_csv(first)["rho_zx"])


def test_the_draws_differ_from_each_other(points):
    table = initial_orders(AE2, points, seed=0, draws=100)
    assert table["rho_zx"].nunique() > 90 and table["rho_zy"].nunique() > 90


def test_sample_zero_of_per_replica_points_is_encoded(points):
    other = points.flip(0) * 0.5
    stacked = torch.stack([points, other])
    pd.testing.assert_frame_equal(
        initial_orders(AE2, stacked, seed=0, draws=20),
        initial_orders(AE2, points, seed=0, draws=20),
    )


def test_an_untrained_linear_code_orders_the_plane_in_any_direction(points):
    """The bias-free linear encoder's code is w . (x, y) with a random w: its |rho| with x
    is spread over [0, 1], not close to 1 in every draw."""
    started = time.perf_counter()
    table = initial_orders(LINEAR, points, seed=0, draws=1000)
    print(f"1000 linear draws: {time.perf_counter() - started:.3f} s")
    rho = table["rho_zx"].abs()
    assert rho.min() < 0.2 and rho.max() > 0.95
    assert (rho < 0.5).mean() > 0.05 and (rho > 0.9).mean() > 0.05
    assert 0.3 < rho.mean() < 0.95
    assert (table["rho_zx"] < 0).mean() == pytest.approx(0.5, abs=0.1)  # a sign at random


def test_ae2_thousand_draws_timing(points):
    started = time.perf_counter()
    initial_orders(AE2, points, seed=0, draws=1000)
    print(f"1000 ae2 draws: {time.perf_counter() - started:.3f} s")  # shown with -s; no assert


def test_the_percentile_counts_smaller_absolute_values_and_ties_half():
    reference = np.array([0.1, -0.2, 0.3, -0.4, np.nan])
    assert init_percentile(0.35, reference) == 0.75
    assert init_percentile(-0.35, reference) == 0.75
    assert init_percentile(0.3, reference) == pytest.approx(2.5 / 4)
    assert init_percentile(0.05, reference) == 0.0
    assert init_percentile(1.0, reference) == 1.0
    assert np.isnan(init_percentile(float("nan"), reference))
    assert np.isnan(init_percentile(0.5, np.array([np.nan])))


def test_a_replica_is_placed_in_its_variants_reference():
    reference = pd.DataFrame(
        {"draw": [0, 1, 2, 3], "rho_zx": [0.2, -0.6, 0.9, np.nan], "rho_zy": [0.1, 0.1, -0.5, 0.3]}
    )
    extras = init_order_extras({"spearman_zx": -0.6, "spearman_zy": 0.05}, reference)
    assert extras == pytest.approx(
        {
            "rho_zx_init_percentile": 1.5 / 3,
            "rho_zy_init_percentile": 0.0,
            "init_abs_rho_zx_mean": (0.2 + 0.6 + 0.9) / 3,
            "init_abs_rho_zy_mean": (0.1 + 0.1 + 0.5 + 0.3) / 4,
        }
    )


def test_the_summary_has_the_columns_right_after_the_trained_order():
    at = COLUMNS.index("spearman_zy")
    assert COLUMNS[at + 1 : at + 5] == [
        "rho_zx_init_percentile",
        "rho_zy_init_percentile",
        "init_abs_rho_zx_mean",
        "init_abs_rho_zy_mean",
    ]
    assert {"init_abs_rho_zx_mean", "init_abs_rho_zy_mean"} <= set(CONSTANT)
    assert "rho_zx_init_percentile" not in CONSTANT
