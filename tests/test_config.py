import pytest

from aeflow.autoencoder import runs
from aeflow.core.config import ConfigError, check_yaml_syntax
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


def test_default_config_is_valid_and_lists_its_runs():
    config = default_config()
    validate_config(config, SCHEMA)
    assert runs.training_runs(config) == [
        "ae1",
        "ae2",
        "pca",
        "ae2-sgd",
        "ae2-gd",
        "ae2-gd_scaled",
    ]


def test_run_settings_layer_global_variant_and_comparison_overrides():
    config = default_config()
    config["variants"]["ae1"]["training"] = {"epochs": 7}
    assert runs.training_params(config, "ae1")["epochs"] == 7
    assert runs.training_params(config, "ae2")["epochs"] == 1000
    gd = runs.training_params(config, "ae2-gd")
    assert gd["batch_size"] == config["data"]["n_train"] and gd["optimizer"] == "sgd"
    assert runs.model_params(config, "ae2-gd") == runs.model_params(config, "ae2")
    # Part (h)'s third run: full batch at SGD's rate per example seen (0.001 x 100 / 8).
    scaled = runs.training_params(config, "ae2-gd_scaled")
    sgd = runs.training_params(config, "ae2-sgd")
    assert scaled["batch_size"] == config["data"]["n_train"] and scaled["optimizer"] == "sgd"
    assert scaled["learning_rate"] / scaled["batch_size"] == pytest.approx(
        sgd["learning_rate"] / sgd["batch_size"]
    )
    assert runs.model_params(config, "pca") == {
        "input_dim": 2,
        "latent_dim": 1,
        "hidden": [],
        "linear": True,
    }  # no activation: a linear model has none, so the shared setting must not rerun it


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
    ("trainig", {"epochs": 3}, "<top level>", "'trainig' was unexpected"),
    ("playground.data.dataset", "moons", "playground.data.dataset", "spiral"),
    ("playground.data.train_ratio", 1.5, "playground.data.train_ratio", "strictly between 0 and 1"),
    ("playground.model.features", ["x3"], "playground.model.features.0", "x1"),
    ("playground.training.regularization", "l3", "playground.training.regularization", "l1"),
    (
        "playground.sweeps.learning_rate",
        {"key": "training.learning_rate", "values": [0.1, -1]},
        "playground.sweeps.learning_rate.values[1]",
        "positive",
    ),
    (
        "playground.sweeps.depth",
        {"key": "model.depth", "values": [1]},
        "playground.sweeps.depth.key",
        "model.hidden",
    ),
    (
        "playground.sweeps.tiny",
        {"key": "data.train_ratio", "values": [0.001]},
        "playground.sweeps.tiny.values[0]",
        "empty training",
    ),
    ("training.learning_rate", "1e-x", "training.learning_rate", "positive number"),
    # A float that is not whole where an integer is wanted (20.0 is taken as 20, below).
    ("training.epochs", 20.5, "training.epochs", "positive integer"),
    ("data.n_train", 99.5, "data.n_train", "not of type 'integer'"),
    ("playground.training.epochs", 2.5, "playground.training.epochs", "positive integer"),
    # NaN and infinity pass JSON Schema's bounds (every comparison with NaN is false).
    ("training.learning_rate", float("inf"), "training.learning_rate", "not a finite number"),
    ("training.learning_rate", float("nan"), "training.learning_rate", "not a finite number"),
    ("data.x_range", [float("-inf"), float("inf")], "data.x_range.0", "not a finite number"),
    ("decoder_sweep.z_range", [-1.0, float("inf")], "decoder_sweep.z_range.1", "finite"),
    ("retrain.init_std", float("inf"), "retrain.init_std", "not a finite number"),
    (
        "playground.training.learning_rate",
        float("inf"),
        "playground.training.learning_rate",
        "finite",
    ),
    (
        "playground.sweeps.search",
        {
            "random": {
                "n": 2,
                "seed": 0,
                "space": {"training.learning_rate": {"log_uniform": [0.01, float("inf")]}},
            }
        },
        "playground.sweeps.search.random.space.training.learning_rate.log_uniform.1",
        "not a finite number",
    ),
    # Names are matched in full: "ae3\n" would be accepted and then never trained.
    ("variants.ae3\n", {"hidden": [3]}, "variants", "safe file name"),
    (
        "optimizer_comparison.runs.sgd\n",
        {"label": "x"},
        "optimizer_comparison.runs",
        "safe file name",
    ),
    ("decoder_sweep.n_points", 10_000_000, "decoder_sweep.n_points", "from 2 to 100000"),
]


@pytest.mark.parametrize(("key", "value", "named", "allowed"), BAD_VALUES)
def test_bad_values_are_rejected_with_the_key_and_what_is_allowed(key, value, named, allowed):
    config = default_config()
    _set(config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    message = str(error.value)
    assert f"{named}:" in message
    assert allowed in message


def test_playground_sweep_values_are_checked_as_the_setting_they_replace():
    config = default_config()
    config["playground"]["sweeps"]["activation"]["values"].append("softplus")
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    message = str(error.value)
    assert "playground.sweeps.activation.values[4]: 'softplus' is not one of" in message
    assert "allowed: one of: relu, tanh, sigmoid, linear" in message


def test_playground_trials_share_the_baseline_and_have_readable_names():
    from aeflow.playground import runs as pg

    config = default_config()
    trials = pg.playground_trials(config)
    assert trials[0] == "baseline" and len(trials) == len(set(trials))
    assert "architecture-8x8x8" in trials and "features-x1+x2" in trials
    # Sweep values equal to the baseline's are the baseline trial, not a copy of it.
    assert "learning_rate-0.1" not in trials and "regularization-none" not in trials
    settings = pg.trial_settings(config, "architecture-8x8x8")
    assert settings["model"]["hidden"] == [8, 8, 8]
    # No regularisation: its rate cannot matter and is left out (editing it reruns nothing).
    expected = {
        k: v for k, v in config["playground"]["training"].items() if k != "regularization_rate"
    }
    assert settings["training"] == expected
    config["playground"]["enabled"] = False
    assert pg.playground_trials(config) == []


@pytest.mark.parametrize(
    ("key", "written", "number"),
    [
        ("training.learning_rate", "1e-5", 1e-05),  # YAML 1.1 reads 1e-5 as a string
        ("training.learning_rate", "2E-3", 0.002),
        ("training.epochs", "1e3", 1000),
        ("loader.batch_size", "8", 8),  # inside a oneOf (an integer or 'full')
        ("data.x_range", ["-2e0", "2e0"], [-2.0, 2.0]),
        ("playground.data.noise", "1e-1", 0.1),
        (
            "playground.sweeps.learning_rate",
            {"key": "training.learning_rate", "values": ["1e-5", 0.1]},
            {"key": "training.learning_rate", "values": [1e-05, 0.1]},
        ),
    ],
)
def test_numbers_written_as_yaml_strings_are_taken_as_numbers(key, written, number):
    config = default_config()
    _set(config, key, written)
    validate_config(config, SCHEMA)
    node = config
    for part in key.split("."):
        node = node[part]
    assert node == number and type(node) is type(number)


def test_a_number_string_is_not_taken_where_the_schema_wants_text():
    config = default_config()
    _set(config, "variants.ae1.activation", "1e-5")
    with pytest.raises(ConfigError, match=r"variants\.ae1\.activation"):
        validate_config(config, SCHEMA)


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        (1e-05, "1e-05"),
        (0.03, "0.03"),
        (1.0, "1"),
        (-0.5, "-0.5"),
        (1e20, "1e+20"),
        ([8, 8], "8x8"),
        (["x1", "x2"], "x1+x2"),
        ([], "none"),
        (True, "true"),
        ("relu", "relu"),
    ],
)
def test_every_sweep_value_gives_a_readable_trial_name_the_workflow_accepts(value, slug):
    import re

    from aeflow.playground import runs as pg

    assert pg.value_slug(value) == slug
    assert re.fullmatch(pg.TRIAL_PATTERN, f"sweep-{slug}")


def test_odd_or_long_values_get_safe_distinct_names():
    import re

    from aeflow.playground import runs as pg

    odd = ["a b/c", "a b/d", list(range(30)), list(range(31)), 0.1234567891, 0.1234567892]
    slugs = [pg.value_slug(value) for value in odd]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(pg.TRIAL_PATTERN, f"s-{slug}") for slug in slugs)
    assert all(len(slug) <= pg.SLUG_MAX for slug in slugs)


def test_yaml_syntax_errors_name_the_file_line_and_problem(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("data:\n  n_train: [100\n  n_test: 5\nmodel: {}\n")
    with pytest.raises(ConfigError) as error:
        check_yaml_syntax(path)
    message = str(error.value)
    assert message.startswith(f"{path}, line ") and "column" in message
    assert "flow sequence at line 2, column 12" in message
    path.write_text("data:\n  n_train: 100\n")
    check_yaml_syntax(path)  # a valid file passes quietly


def test_schema_defaults_are_filled_in_once_and_only_where_the_schema_gives_them():
    config = default_config()
    del config["figures"]["dpi"], config["training"]["seeds"], config["retrain"]["seed"]
    del config["playground"]["sweeps"], config["playground"]["training"]["accelerator"]
    config["variants"]["ae1"]["training"] = {"epochs": 5}
    validate_config(config, SCHEMA)
    assert config["figures"]["dpi"] == 120 and config["training"]["seeds"] == 1
    assert config["retrain"]["seed"] == 1 and config["playground"]["sweeps"] == {}
    assert config["playground"]["training"]["accelerator"] == "cpu"
    # A variant's own training section gets no defaults: it would override the global one.
    assert config["variants"]["ae1"]["training"] == {"epochs": 5}
    config["training"]["seeds"] = 4
    assert runs.training_params(config, "ae1")["seeds"] == 4


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("training.epochs", ("training", "epochs")),
        ("data.n_train", ("data", "n_train")),
        ("playground.training.epochs", ("playground", "training", "epochs")),
        ("playground.sweeps.epochs", None),
    ],
)
def test_a_whole_number_written_as_a_float_is_taken_as_that_integer(key, path):
    config = default_config()
    if path is None:  # a sweep value: checked and coerced as the setting it replaces
        _set(config, key, {"key": "training.epochs", "values": [20.0, 30]})
        validate_config(config, SCHEMA)
        values = config["playground"]["sweeps"]["epochs"]["values"]
        assert values == [20, 30] and all(type(v) is int for v in values)
        return
    _set(config, key, 20.0)
    validate_config(config, SCHEMA)
    node = config
    for part in path:
        node = node[part]
    assert node == 20 and type(node) is int


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("training:\n  epochs: 3\n  seeds: 2\n  epochs: 4\n")
    with pytest.raises(ConfigError) as error:
        check_yaml_syntax(path)
    message = str(error.value)
    assert "line 4" in message and "duplicate key 'epochs' (first at line 2)" in message


def test_the_config_checker_names_the_line_of_a_broken_configfile(tmp_path, capsys):
    from aeflow.workflow import main
    from tests.conftest import REPO

    override = tmp_path / "cluster.yaml"
    override.write_text("training:\n  epochs: [1\n")
    base = ["--base", str(REPO / "config.yaml"), "--schema", str(SCHEMA)]
    assert main([*base, str(override)]) == 1
    assert f"{override}, line 3, column 1: YAML syntax error" in capsys.readouterr().err
    override.write_text("training:\n  epochs: 20.0\n  learning_rate: .inf\n")
    assert main([*base, str(override)]) == 1
    assert "training.learning_rate: inf is not a finite number" in capsys.readouterr().err
    override.write_text("training:\n  epochs: 20.0\n")
    assert main([*base, str(override)]) == 0
