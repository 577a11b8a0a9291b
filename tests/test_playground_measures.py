"""The per-seed measures the Playground summary judges the claims of speed, stability and
redundancy by: epochs to a test-loss level, rises of the training loss, redundant and
silent hidden units, and dead ReLU networks; checked on hand-made curves and networks,
and on a real batch of trainings (columns, contract, and the level passed through)."""

import copy
import math

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.core.config import ConfigError
from aeflow.core.stats import rises
from aeflow.core.tables import read_stacked
from aeflow.playground.metrics import (
    LOSS_LEVEL,
    METRICS,
    dead_network,
    epochs_to_level,
    largest_rise,
    network_metrics,
    plane_grid,
    redundant_pairs,
    silent_units,
    unit_metrics,
)
from aeflow.playground.models import PlaygroundNetworks
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.tables import METRICS as METRICS_TABLE
from aeflow.playground.training import hidden_outputs, train_chunk
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


def _curves(test_loss, train_loss=None) -> pd.DataFrame:
    test_loss = np.asarray(test_loss, dtype=float)
    return pd.DataFrame(
        {
            "epoch": np.arange(len(test_loss)),
            "train_loss": test_loss if train_loss is None else train_loss,
            "test_loss": test_loss,
        }
    )


# --- speed: epochs to a level -----------------------------------------------------------


def test_epochs_to_level_is_the_first_epoch_at_or_below_it():
    curves = _curves([0.5, 0.2, 0.04, 0.06, 0.01])
    assert epochs_to_level(curves, 0.05) == 2.0  # 0.06 after it does not matter
    assert epochs_to_level(curves, 0.2) == 1.0  # at the level counts
    assert epochs_to_level(curves, 0.6) == 0.0  # the untrained network already is
    assert epochs_to_level(curves, 0.01) == 4.0


def test_a_level_never_reached_is_censored_as_nan():
    assert math.isnan(epochs_to_level(_curves([0.5, 0.2, 0.1]), 0.05))
    # A diverged curve (NaN, inf) never reaches it either.
    assert math.isnan(epochs_to_level(_curves([0.5, np.inf, np.nan]), 0.05))


# --- stability: rises of the training loss ----------------------------------------------


def test_one_rise_of_a_tenth():
    losses = np.array([1.0, 0.5, 0.6, 0.4])
    assert rises(losses) == 1
    assert largest_rise(losses) == pytest.approx(0.1)  # 0.6 - 0.5, in the loss's units


def test_the_largest_of_several_rises_and_none_for_a_falling_curve():
    assert largest_rise(np.array([1.0, 1.5, 0.5, 1.5, 1.2])) == pytest.approx(1.0)  # 1.5 - 0.5
    assert largest_rise(np.array([1.0, 0.5, 0.5, 0.1])) == 0.0  # a flat step is no rise
    assert largest_rise(np.array([0.3])) == 0.0
    # Below stats.rises' tolerance (float32 rounding): no rise, as rises counts it.
    jitter = np.array([1.0, 1.0 + 1e-8])
    assert rises(jitter) == 0 and largest_rise(jitter) == 0.0
    assert largest_rise(np.array([1.0, 0.5, np.inf])) == np.inf
    assert largest_rise(np.array([1.0, np.nan, 2.0])) == 0.0


# --- redundancy and silence of the hidden units -----------------------------------------


def _network(weights, biases, activation="tanh", replicas=1) -> PlaygroundNetworks:
    """A hand-built x1, x2 network: ``weights`` (out, in) and ``biases`` (out,) per layer,
    the same in every replica."""
    hidden = tuple(len(b) for b in biases[:-1])
    network = PlaygroundNetworks(
        NetworkSpec(hidden, activation, ("x1", "x2")), replicas, dtype=torch.float64
    )
    with torch.no_grad():
        for layer, (w, b) in enumerate(zip(weights, biases, strict=True)):
            network.weights[layer][:] = torch.tensor(w, dtype=torch.float64)
            network.biases[layer][:] = torch.tensor(b, dtype=torch.float64)
    return network


def _grid_layers(network: PlaygroundNetworks) -> list[np.ndarray]:
    square = np.array([[-6.0, -6.0], [6.0, 6.0]])
    grid = torch.tensor(plane_grid(square), dtype=torch.float64)[None]
    with torch.no_grad():
        return [h[0].numpy() for h in hidden_outputs(network, grid)]


def test_the_grid_spans_the_datas_extent():
    grid = plane_grid(np.array([[-1.0, 2.0], [3.0, 0.0], [0.0, 5.0]]), size=51)
    assert grid.shape == (51 * 51, 2)
    assert grid.min(axis=0).tolist() == [-1.0, 0.0] and grid.max(axis=0).tolist() == [3.0, 5.0]
    assert len(np.unique(grid[:, 0])) == len(np.unique(grid[:, 1])) == 51


def test_two_identical_units_are_one_redundant_pair():
    network = _network([[[0.3, -0.2], [0.3, -0.2]], [[1.0, 1.0]]], [[0.1, 0.1], [0.0]])
    layers = _grid_layers(network)
    assert [layer.shape for layer in layers] == [(51 * 51, 2)]
    assert redundant_pairs(layers) == 1.0
    assert silent_units(layers) == 0.0


def test_redundancy_is_counted_per_layer_over_active_pairs_up_to_sign():
    # Layer 1: u0 = tanh(0.2 x1), u1 = tanh(-0.2 x1) (the same, mirrored: |r| = 1), u2 =
    # tanh(0.2 x2) (uncorrelated with both on the symmetric grid), u3 silent (no weights).
    # Layer 2: two units, one silent: no pair. Redundant: 1 of layer 1's 3 active pairs.
    first = [[0.2, 0.0], [-0.2, 0.0], [0.0, 0.2], [0.0, 0.0]]
    second = [[1.0, 0.0, -1.0, 0.5], [0.0, 0.0, 0.0, 0.0]]
    network = _network([first, second, [[1.0, 1.0]]], [[0.0, 0.0, 0.0, 0.3], [0.0, 0.2], [0.0]])
    layers = _grid_layers(network)
    assert redundant_pairs(layers) == pytest.approx(1 / 3)
    assert silent_units(layers) == pytest.approx(2 / 6)


def test_a_threshold_above_the_correlation_counts_no_pair():
    # tanh(x1 / 6) and tanh(x1) over the grid: strongly but not perfectly correlated.
    network = _network([[[1 / 6, 0.0], [1.0, 0.0]], [[1.0, 1.0]]], [[0.0, 0.0], [0.0]])
    layers = _grid_layers(network)
    correlation = abs(np.corrcoef(layers[0], rowvar=False)[0, 1])
    assert 0.9 < correlation < 1.0
    assert redundant_pairs(layers, threshold=0.95) == float(correlation > 0.95)
    assert redundant_pairs(layers, threshold=correlation + 1e-6) == 0.0


def test_without_two_active_units_in_any_layer_redundancy_is_nan():
    network = _network([[[0.2, 0.3], [0.0, 0.0]], [[1.0, 1.0]]], [[0.0, 0.5], [0.0]])
    layers = _grid_layers(network)
    assert math.isnan(redundant_pairs(layers))
    assert silent_units(layers) == 0.5
    assert math.isnan(redundant_pairs([])) and math.isnan(silent_units([]))  # no hidden layer


# --- dead ReLU networks ------------------------------------------------------------------


def _dead_first_layer(activation: str) -> PlaygroundNetworks:
    """A 2-2-2-1 network whose first layer has zero weights and negative biases."""
    return _network(
        [[[0.0, 0.0], [0.0, 0.0]], [[0.5, 0.5], [-0.5, 0.2]], [[1.0, 1.0]]],
        [[-0.3, -0.1], [0.2, 0.2], [0.0]],
        activation,
    )


def _train_layers(network: PlaygroundNetworks) -> list[np.ndarray]:
    points = torch.tensor(np.random.default_rng(0).uniform(-5, 5, (30, 2)))[None]
    with torch.no_grad():
        return [h[0].numpy() for h in hidden_outputs(network, points)]


def test_a_relu_layer_with_zero_weights_and_negative_biases_is_dead():
    network = _dead_first_layer("relu")
    train = _train_layers(network)
    assert not (train[0] > 0).any() and (train[1] > 0).any()  # the second layer is not
    assert dead_network(train, "relu") == 1.0
    grid = _grid_layers(network)
    assert unit_metrics(grid, train, "relu") == {
        "redundant_pairs": pytest.approx(np.nan, nan_ok=True),
        "silent_units": 1.0,  # the second layer sees only constants: silent too
        "dead_network": 1.0,
    }


def test_only_relu_networks_die():
    for activation in ("tanh", "sigmoid", "linear"):
        assert dead_network(_train_layers(_dead_first_layer(activation)), activation) == 0.0
    alive = _network([[[0.5, -0.5], [0.0, 0.0]], [[1.0, 1.0]]], [[-0.3, -0.1], [0.0]], "relu")
    assert dead_network(_train_layers(alive), "relu") == 0.0  # one unit active suffices
    assert dead_network([], "relu") == 0.0  # no hidden layer


def test_hidden_outputs_are_what_the_output_unit_sees_each_slice_its_activation():
    network = PlaygroundNetworks(
        NetworkSpec((3, 2), "relu", ("x1", "x2", "x1_x2")),
        3,
        activations=["relu", "tanh", "sigmoid"],
        dtype=torch.float64,
    ).initialise_([1, 2, 3])
    points = torch.tensor(np.random.default_rng(1).uniform(-3, 3, (3, 17, 2)))
    with torch.no_grad():
        layers = hidden_outputs(network, points)
        assert [tuple(h.shape) for h in layers] == [(3, 17, 3), (3, 17, 2)]
        last = torch.einsum("rni,roi->rno", layers[-1], network.weights[-1])
        expected = torch.tanh(last.squeeze(-1) + network.biases[-1])
        torch.testing.assert_close(expected, network(points), rtol=0, atol=1e-12)
        assert (layers[0][0] >= 0).all() and (layers[0][2] > 0).all() and (layers[0][1] < 0).any()


# --- the columns of a trained batch -------------------------------------------------------


def _spec(activation: str, seed: int) -> PlaygroundSpec:
    return PlaygroundSpec(
        DataSpec(dataset="circle", n_samples=40, noise=0.0, train_ratio=0.5, seed=seed),
        NetworkSpec((4, 3), activation, ("x1", "x2")),
        FitSpec(epochs=4, learning_rate=0.1, batch_size=5, seed=seed, seeds=2),
    )


@pytest.fixture(scope="module")
def trained():
    trials = [("relu", _spec("relu", 0)), ("tanh", _spec("tanh", 3))]
    return trials, train_chunk(trials, "measures", precision="64-true", loss_level=0.3)


def test_a_batch_records_every_measure_in_the_tables_order(trained, tmp_path):
    _, result = trained
    metrics = result.metrics
    assert list(metrics.columns) == list(METRICS_TABLE.columns)
    assert list(metrics.columns)[-len(METRICS) :] == list(METRICS)
    path = tmp_path / "metrics.csv"
    metrics.to_csv(path, index=False)
    read = read_stacked([str(path)], METRICS_TABLE)  # the contract holds, NaN included
    assert len(read) == 4
    for r, row in metrics.iterrows():
        curves = result.curves.iloc[r * 5 : (r + 1) * 5]
        assert row["loss_rises"] == rises(curves["train_loss"].to_numpy())
        assert row["largest_rise"] == largest_rise(curves["train_loss"].to_numpy())
        expected = epochs_to_level(curves, 0.3)
        assert row["epochs_to_level"] == pytest.approx(expected, nan_ok=True)
        assert 0 <= row["silent_units"] <= 1
        assert row["dead_network"] in (0.0, 1.0)
    assert (metrics.loc[metrics["trial"] == "tanh", "dead_network"] == 0.0).all()


def test_the_level_reaches_the_metrics(trained):
    trials, result = trained
    first = {"trial": "relu", "seed": 0}
    points, weights, curves = (
        table.loc[(table[list(first)] == pd.Series(first)).all(axis=1)]
        for table in (result.points, result.weights, result.curves)
    )
    for level in (1e9, 1e-12, LOSS_LEVEL):
        found = network_metrics(curves, points, weights, level)["epochs_to_level"]
        assert found == pytest.approx(epochs_to_level(curves, level), nan_ok=True)
    assert network_metrics(curves, points, weights, 1e9)["epochs_to_level"] == 0.0
    assert math.isnan(network_metrics(curves, points, weights, 1e-12)["epochs_to_level"])
    # Through train_chunk: every network reaches a huge level untrained, none a tiny one.
    huge = train_chunk(trials[:1], "huge", precision="64-true", loss_level=1e9).metrics
    assert (huge["epochs_to_level"] == 0.0).all()
    tiny = train_chunk(trials[:1], "tiny", precision="64-true", loss_level=1e-12).metrics
    assert tiny["epochs_to_level"].isna().all()


# --- the config key ------------------------------------------------------------------------


def test_the_level_is_a_validated_config_key_with_a_default():
    config = default_config()
    assert config["playground"]["claims"] == {"loss_level": 0.05}
    validate_config(copy.deepcopy(config), SCHEMA)
    del config["playground"]["claims"]
    validate_config(config, SCHEMA)  # fills in the defaults
    assert config["playground"]["claims"]["loss_level"] == LOSS_LEVEL == 0.05
    for bad in ({"loss_level": 0}, {"loss_level": -0.1}, {"loss_level": 0.1, "other": 1}):
        config["playground"]["claims"] = bad
        with pytest.raises(ConfigError, match=r"playground\.claims"):
            validate_config(copy.deepcopy(config), SCHEMA)
