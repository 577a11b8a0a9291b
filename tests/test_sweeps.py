"""Sweeps in their three forms: the points they make, their trial names, and errors for
bad specs that name the sweep, the key and what is allowed."""

import re

import pytest

from aeflow.core.config import ConfigError
from aeflow.core.sweeps import assignments, point_slugs
from aeflow.playground import runs as pg
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


def test_a_grid_is_the_cartesian_product_first_key_slowest():
    spec = {"grid": {"training.learning_rate": [0.01, 0.1], "data.noise": [0.0, 0.1, 0.25]}}
    points = assignments(spec)
    assert len(points) == 6
    assert points[:3] == [
        {"training.learning_rate": 0.01, "data.noise": 0.0},
        {"training.learning_rate": 0.01, "data.noise": 0.1},
        {"training.learning_rate": 0.01, "data.noise": 0.25},
    ]
    assert point_slugs(spec, points)[1] == "0.01_0.1"


def test_random_points_are_reproducible_within_their_ranges_and_stable_as_n_grows():
    space = {
        "training.learning_rate": {"log_uniform": [0.001, 1.0]},
        "data.noise": {"uniform": [0.0, 0.5]},
        "model.activation": {"choice": ["relu", "tanh"]},
    }
    few = assignments({"random": {"n": 20, "seed": 3, "space": space}})
    more = assignments({"random": {"n": 50, "seed": 3, "space": space}})
    other = assignments({"random": {"n": 20, "seed": 4, "space": space}})
    assert more[:20] == few and few != other
    rates = [p["training.learning_rate"] for p in more]
    assert all(0.001 <= r <= 1.0 for r in rates)
    assert min(rates) < 0.01 and max(rates) > 0.1  # spread over the decades, log-uniformly
    assert all(0 <= p["data.noise"] <= 0.5 for p in more)

    assert {p["model.activation"] for p in more} == {"relu", "tanh"}
    assert point_slugs({"random": {}}, more)[:3] == ["00", "01", "02"]


def _config_with(**sweeps):
    config = default_config()
    config["playground"]["sweeps"] = sweeps
    return config


def test_all_three_forms_make_named_trials_the_workflow_accepts_and_share_repeats():
    config = _config_with(
        learning_rate={"key": "training.learning_rate", "values": [0.01, 0.1]},
        rate_by_noise={"grid": {"training.learning_rate": [0.01, 0.1], "data.noise": [0.0, 0.1]}},
        search={
            "random": {
                "n": 4,
                "seed": 0,
                "space": {"model.hidden": {"choice": [[4], [8, 8]]}},
            }
        },
    )
    validate_config(config, SCHEMA)
    trials = pg.playground_trials(config)
    assert all(re.fullmatch(pg.TRIAL_PATTERN, trial) for trial in trials)
    grid = [point.trial for point in pg.sweep_points(config)["rate_by_noise"]]
    # (0.01, 0) repeats the one-key point, (0.1, 0) is the baseline: both are shared.
    assert grid == [
        "learning_rate-0.01",
        "rate_by_noise-0.01_0.1",
        "baseline",
        "rate_by_noise-0.1_0.1",
    ]
    search = [point.trial for point in pg.sweep_points(config)["search"]]
    assert all(trial == "baseline" or trial.startswith("search-") for trial in search)
    assert len(trials) == len(set(trials))
    # Shapes decide the chunks: every [4] trial is apart from the [8, 8] ones.
    for chunk in pg.trial_chunks(config).values():
        shapes = {tuple(pg.trial_settings(config, t)["model"]["hidden"]) for t in chunk}
        assert len(shapes) == 1


def test_chunks_hold_at_most_trials_per_chunk_trials():
    config = _config_with(
        grid={"grid": {"training.learning_rate": [0.01, 0.02, 0.03], "data.noise": [0.0, 0.1, 0.2]}}
    )
    config["playground"]["trials_per_chunk"] = 4
    validate_config(config, SCHEMA)
    chunks = pg.trial_chunks(config)
    assert [len(t) for t in chunks.values()] == [4, 4, 2]  # baseline + 9 grid points
    assert sorted(t for ts in chunks.values() for t in ts) == sorted(pg.playground_trials(config))


BAD_SWEEPS = [
    (
        {"grid": {"model.depth": [1, 2]}},
        "playground.sweeps.bad.grid.model.depth: 'model.depth' is not a setting",
    ),
    ({"grid": {"training.learning_rate": []}}, "grid.training.learning_rate: must be a non-empty"),
    ({"key": "training.learning_rate", "values": []}, "playground.sweeps.bad.values"),
    (
        {"random": {"n": 0, "space": {"training.learning_rate": {"uniform": [0.1, 1]}}}},
        "playground.sweeps.bad.random.n",
    ),
    (
        {"random": {"n": 3, "space": {"training.learning_rate": {"uniform": [1.0, 0.1]}}}},
        "random.space.training.learning_rate.uniform: low 1.0 is above high 0.1",
    ),
    (
        {"random": {"n": 3, "space": {"training.learning_rate": {"log_uniform": [0, 1]}}}},
        "log_uniform needs low > 0",
    ),
    (
        {"random": {"n": 3, "space": {"model.activation": {"choice": ["relu", "softplus"]}}}},
        "random.space.model.activation.choice[1]: 'softplus' is not one of",
    ),
    (
        {"random": {"n": 3, "space": {"data.noise": {"normal": [0, 1]}}}},
        "unknown distribution (allowed: uniform, log_uniform, int_uniform, int_log_uniform, "
        "choice)",
    ),
    (
        {"random": {"n": 3, "space": {"training.epochs": {"uniform": [10, 50]}}}},
        "random.space.training.epochs.uniform: 'training.epochs' takes integers only: draw it "
        "with int_uniform",
    ),
    (
        {"random": {"n": 3, "space": {"training.batch_size": {"int_uniform": [5, 20.5]}}}},
        "random.space.training.batch_size.int_uniform: must be a [low, high] pair of integers",
    ),
    (
        {"random": {"n": 3, "space": {"training.epochs": {"int_log_uniform": [0, 50]}}}},
        "int_log_uniform needs low > 0",
    ),
    (
        {"grid": {"data.noise": [0.1]}, "key": "data.noise", "values": [0.1]},
        "give exactly one of 'key' with 'values'",
    ),
    (
        {"grid": {"training.learning_rate": [0.1, -1]}},
        "grid.training.learning_rate[1]: -1 is less than or equal to the minimum of 0",
    ),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SWEEPS)
def test_bad_sweep_specs_name_the_sweep_the_key_and_what_is_allowed(spec, message):
    config = _config_with(bad=spec)
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    assert message in str(error.value)


def test_integer_settings_are_drawn_as_integers_with_both_ends_included():
    space = {
        "training.epochs": {"int_uniform": [3, 5]},
        "training.batch_size": {"int_log_uniform": [1, 64]},
    }
    config = _config_with(search={"random": {"n": 200, "seed": 0, "space": space}})
    validate_config(config, SCHEMA)
    points = assignments(config["playground"]["sweeps"]["search"])
    epochs = [p["training.epochs"] for p in points]
    sizes = [p["training.batch_size"] for p in points]
    assert all(type(v) is int for v in epochs + sizes)
    assert set(epochs) == {3, 4, 5}
    assert min(sizes) == 1 and max(sizes) == 64
    assert sum(s <= 8 for s in sizes) > sum(s > 32 for s in sizes)  # log scale: small ones
    # Every trial gets integer settings: their names read as integers too.
    trial = pg.trial_settings(config, pg.sweep_points(config)["search"][0].trial)
    assert trial["training"]["epochs"] == epochs[0]
