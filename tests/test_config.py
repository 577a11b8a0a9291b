import pytest

from aeflow import config as cfg
from tests.conftest import SCHEMA, default_config


def test_default_config_is_valid_and_lists_its_runs():
    config = default_config()
    cfg.validate_config(config, SCHEMA)
    assert cfg.training_runs(config) == ["ae1", "ae2", "pca", "ae2-sgd", "ae2-gd"]


def test_run_settings_layer_global_variant_and_comparison_overrides():
    config = default_config()
    config["variants"]["ae1"]["training"] = {"epochs": 7}
    assert cfg.training_params(config, "ae1")["epochs"] == 7
    assert cfg.training_params(config, "ae2")["epochs"] == 1000
    gd = cfg.training_params(config, "ae2-gd")
    assert gd["batch_size"] == config["data"]["n_train"] and gd["optimizer"] == "sgd"
    assert cfg.model_params(config, "ae2-gd") == cfg.model_params(config, "ae2")
    assert cfg.model_params(config, "pca") == {
        "input_dim": 2,
        "latent_dim": 1,
        "hidden": [],
        "linear": True,
        "activation": "relu",
    }


def _set(config, dotted, value):
    *parents, last = dotted.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value


DELETE = object()

BAD_VALUES = [
    ("training.epochs", 0, "training.epochs", "minimum of 1"),
    ("training.epochs", -5, "training.epochs", "positive integer"),
    ("loader.batch_size", 0, "loader.batch_size", "positive integer"),
    ("loader.batch_size", 101, "variants.ae1.loader.batch_size", "drop_last leaves no batch"),
    ("variants.ae1.hidden", [], "variants.ae1.hidden", "non-empty list"),
    ("variants.ae1.hidden", [20, 0], "variants.ae1.hidden.1", "minimum of 1"),
    ("variants.ae1.hidden", [-3], "variants.ae1.hidden.0", "minimum of 1"),
    ("training.optimizer", "adamw", "training.optimizer", "adam, sgd"),
    ("training.learning_rate", "fast", "training.learning_rate", "positive number"),
    ("training.learning_rate", 0, "training.learning_rate", "positive number"),
    ("model.latent_dim", 0, "model.latent_dim", "integer >= 1"),
    ("variants.ae1.latent_dim", 0, "variants.ae1.latent_dim", "integer >= 1"),
    ("variants.bad/name", {"hidden": [3]}, "variants", "safe file name"),
    ("training.epoch", 5, "training", "'epoch' was unexpected"),
    ("variants.ae1.hiden", [5], "variants.ae1", "allowed keys: activation"),
    ("data.x_range", [2.0, -2.0], "data.x_range", "must be less than max"),
    ("data.y_range", [1.0, 1.0], "data.y_range", "must be less than max"),
    ("retrain.variant", "ae9", "retrain.variant", "allowed: ae1, ae2, pca"),
    ("optimizer_comparison.variant", "nope", "optimizer_comparison.variant", "is not a variant"),
    ("figures.format", "jpeg", "figures.format", "png, svg, pdf"),
    ("training.accelerator", "tpu", "training.accelerator", "cpu, gpu, auto"),
]


@pytest.mark.parametrize(("key", "value", "named", "allowed"), BAD_VALUES)
def test_bad_values_are_rejected_with_the_key_and_what_is_allowed(key, value, named, allowed):
    config = default_config()
    _set(config, key, value)
    with pytest.raises(cfg.ConfigError) as error:
        cfg.validate_config(config, SCHEMA)
    message = str(error.value)
    assert f"{named}:" in message
    assert allowed in message


def test_playground_sweep_values_are_checked_as_the_setting_they_replace():
    config = default_config()
    config["playground"]["sweeps"]["activation"]["values"].append("softplus")
    with pytest.raises(cfg.ConfigError) as error:
        cfg.validate_config(config, SCHEMA)
    message = str(error.value)
    assert "playground.sweeps.activation.values[4]: 'softplus' is not one of" in message
    assert "allowed: one of: relu, tanh, sigmoid, linear" in message


def test_playground_trials_share_the_baseline_and_have_readable_names():
    from aeflow.playground import runs as pg

    config = default_config()
    trials = pg.playground_runs(config)
    assert trials[0] == "baseline" and len(trials) == len(set(trials))
    assert "architecture-8x8x8" in trials and "features-x1+x2" in trials
    # Sweep values equal to the baseline's are the baseline trial, not a copy of it.
    assert "learning_rate-0.1" not in trials and "regularization-none" not in trials
    settings = pg.run_settings(config, "architecture-8x8x8")
    assert settings["model"]["hidden"] == [8, 8, 8]
    assert settings["training"] == config["playground"]["training"]
    config["playground"]["enabled"] = False
    assert pg.playground_runs(config) == []
