"""Cluster resources sized from a job's work, growing with its attempt."""

import pytest

from aeflow.autoencoder import work as ae_work
from aeflow.core import resources
from aeflow.core.resources import Work
from aeflow.playground import runs as pg
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


@pytest.fixture
def config():
    config = default_config()
    validate_config(config, SCHEMA)
    return config


def test_the_work_of_a_run_counts_its_steps_parameters_and_seeds(config):
    work = ae_work.run_work(config, "ae2")
    # 100 points in batches of 8 (the last, partial one dropped): 12 steps per epoch.
    assert work.steps == 1000 * 12
    assert work.parameters == 5 * 5503 and work.parameter_steps == 12_000 * 5503 * 5
    assert ae_work.run_work(config, "pca").parameters == 5 * 4
    assert ae_work.run_work(config, "ae2-gd").steps == 1000  # one full batch per epoch


def test_a_capacity_job_trains_its_widths_sizes_one_after_another(config):
    # Width 50 on all 100 points, then on the first 20: full batches, 3,000 epochs each
    # at most, one at a time in memory.
    work = ae_work.capacity_work(config, 50)
    assert work.steps == 3000 + 3000
    assert work.parameter_steps == 2 * 3000 * 5503 * 5
    assert work.parameters == 5503 * 5
    assert Work.in_sequence([Work(3, 10, 2), Work(5, 7, 4)]) == Work(8, 17, 4)


def test_runtime_follows_the_formula_and_doubles_per_attempt(config):
    sizing = config["cluster"]
    work = Work(steps=200_000, parameter_steps=10**11, parameters=10**6)
    seconds = 30 + 200_000 * 0.0005 + 10**11 * 2e-8
    assert resources.estimated_seconds(work, sizing) == pytest.approx(seconds)
    first = resources.runtime_minutes(work, sizing)
    assert first == -(-3 * seconds // 60)
    assert resources.runtime_minutes(work, sizing, attempt=2) == 2 * first
    assert resources.runtime_minutes(work, sizing, attempt=3) == 4 * first
    assert resources.memory_mb(work, sizing) == 1500 + 200
    assert resources.memory_mb(work, sizing, attempt=2) == 2 * 1700
    # A tiny job asks for the minimum.
    assert resources.runtime_minutes(Work(10, 10, 1), sizing) == sizing["min_runtime"]


def test_a_long_grid_asks_for_time_in_proportion_to_its_epochs(config):
    config["playground"]["trials_per_chunk"] = 1000
    config["playground"]["sweeps"] = {
        "grid": {
            "grid": {
                "training.learning_rate": [round(0.001 * 1.01**i, 8) for i in range(100)],
                "data.noise": [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45],
            }
        }
    }
    config["playground"]["training"]["epochs"] = 2000
    validate_config(config, SCHEMA)
    chunk = max(pg.trial_chunks(config).items(), key=lambda item: len(item[1]))[0]
    long = resources.runtime_minutes(pg.chunk_work(config, chunk, "s0-5"), config["cluster"])
    config["playground"]["training"]["epochs"] = 500
    short = resources.runtime_minutes(pg.chunk_work(config, chunk, "s0-5"), config["cluster"])
    assert long > 30  # the old fixed 30 minutes would have killed it
    assert 3.5 <= long / short <= 4.0
