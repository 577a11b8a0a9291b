"""Part (e) measured: the capacity runs, their parameter counts and their config checks."""

import copy

import pytest

from aeflow.autoencoder import capacity
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.config import ConfigError
from aeflow.core.modules import count_parameters
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


@pytest.fixture
def config():
    config = default_config()
    config["capacity"] = {"variant": "ae2", "widths": [5, 50, 400]}
    validate_config(config, SCHEMA)
    return config


@pytest.mark.parametrize("width", [1, 5, 50, 400])
def test_parameter_count_of_hidden_w_w_matches_the_network(width):
    network = Autoencoder(ModelSpec(hidden=(width, width)))
    assert capacity.mlp_parameters(2, [width, width], 1) == count_parameters(network)
    assert capacity.mlp_parameters(2, [width, width], 1) == 2 * width**2 + 10 * width + 3


def test_parameter_counts_of_the_sheets_networks():
    assert capacity.mlp_parameters(2, [50, 50], 1) == 5503  # ae2
    assert capacity.mlp_parameters(2, [20, 10], 1) == 563  # ae1, as Lightning printed it


def test_capacity_runs_reuse_the_variants_own_width(config):
    runs = capacity.capacity_runs(config, "results")
    assert [(r["width"], r["name"], r["parameters"]) for r in runs] == [
        (5, "ae2-w5", 103),
        (50, "ae2-w50", 5503),
        (400, "ae2-w400", 324003),
    ]
    # [50, 50] is ae2 itself: its files, not a second training.
    assert runs[1]["checkpoint"] == "results/models/ae2/trained.ckpt"
    assert runs[1]["curves"] == "results/curves/ae2.csv"
    assert runs[2]["checkpoint"] == "results/capacity/ae2-w400/trained.ckpt"
    assert capacity.trained_runs(config) == ["ae2-w5", "ae2-w400"]
    models = capacity.summarised_models(config, "results")
    assert {m["role"] for m in models} == {"capacity"}
    assert [m["width"] for m in models] == [5, 50, 400]


def test_capacity_runs_train_like_their_variant_with_hidden_w_w(config):
    config["variants"]["ae2"]["training"] = {"learning_rate": 0.01}
    assert capacity.model_params(config, "ae2-w400") == {
        "input_dim": 2,
        "latent_dim": 1,
        "hidden": [400, 400],
        "linear": False,
        "activation": "relu",
    }
    training = capacity.training_params(config, "ae2-w400")
    assert training["learning_rate"] == 0.01 and training["seeds"] == 5
    assert training["batch_size"] == 8 and training["epochs"] == 1000
    for unknown in ("ae2-w7", "ae1-w5", "ae2-wx", "ae2"):
        with pytest.raises(KeyError):
            capacity.model_params(config, unknown)


def test_no_widths_no_capacity_runs(config):
    config["capacity"]["widths"] = []
    assert capacity.capacity_runs(config, "results") == []
    assert capacity.summarised_models(config, "results") == []


def _errors(config):
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    return str(error.value)


@pytest.mark.parametrize(
    ("widths", "message"),
    [
        ([0, 5], "capacity.widths.0: 0 is less than the minimum of 1 (allowed: a layer width"),
        ([5, 5], "capacity.widths: [5, 5] has non-unique elements"),
        ([5.5], "capacity.widths.0: 5.5 is not of type 'integer'"),
        ("50", "capacity.widths: '50' is not of type 'array'"),
    ],
)
def test_bad_widths_are_named(widths, message):
    config = default_config()
    config["capacity"]["widths"] = widths
    assert message in _errors(config)


def test_the_capacity_variant_must_have_hidden_layers():
    config = default_config()
    config["capacity"]["variant"] = "pca"
    assert "capacity.variant: 'pca' is linear" in _errors(config)
    config["capacity"]["variant"] = "ae9"
    assert "capacity.variant: 'ae9' is not a variant; allowed: ae1, ae2, pca" in _errors(config)
    config["capacity"]["widths"] = []  # no widths: the variant is never used
    validate_config(config, SCHEMA)


def test_an_old_config_without_the_section_runs_no_capacity_experiment():
    config = copy.deepcopy(default_config())
    del config["capacity"]
    validate_config(config, SCHEMA)
    assert config["capacity"]["widths"] == []
