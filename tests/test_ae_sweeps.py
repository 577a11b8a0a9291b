"""Sweeps over the autoencoders' settings: the trials they make, their chunks, errors for
bad specs, trial chunks that train each trial exactly as alone, and the stage end to end."""

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.autoencoder import sweeps as ae_sweeps
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas, train_trial_chunk
from aeflow.core.config import ConfigError
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, WorkflowDir, default_config, tiny_config

WIDTH_GRID = {
    "variant": "ae2",
    "grid": {
        "model.hidden": [[5, 5], [20, 20]],
        "training.learning_rate": [0.001, 0.01],
    },
}


def test_a_grid_over_width_and_rate_chunks_by_width():
    config = default_config()
    config["sweeps"] = {"width": WIDTH_GRID}
    validate_config(config, SCHEMA)
    chunks = ae_sweeps.trial_chunks(config)
    # Learning rates share a chunk; widths (other shapes) do not.
    assert chunks == {
        "width-5x5_0.001": ["width-5x5_0.001", "width-5x5_0.01"],
        "width-20x20_0.001": ["width-20x20_0.001", "width-20x20_0.01"],
    }
    settings = ae_sweeps.trial_settings(config, "width-20x20_0.01")
    assert settings["model"]["hidden"] == [20, 20]
    assert settings["training"]["learning_rate"] == 0.01
    assert settings["training"]["seeds"] == 5  # the base variant's (default) seeds


def test_sweep_trials_per_chunk_caps_the_trials_of_one_job():
    config = default_config()
    config["sweeps"] = {
        "rate": {"variant": "ae2", "key": "training.learning_rate", "values": [0.1, 0.2, 0.3]}
    }
    config["sweep_trials_per_chunk"] = 2
    validate_config(config, SCHEMA)
    chunks = ae_sweeps.trial_chunks(config)
    # One architecture, three trials, at most two per job: two jobs, every trial in one.
    assert sorted(len(trials) for trials in chunks.values()) == [1, 2]
    assert sorted(t for trials in chunks.values() for t in trials) == [
        "rate-0.1",
        "rate-0.2",
        "rate-0.3",
    ]


BAD = [
    ({"variant": "ae9", "key": "training.learning_rate", "values": [0.1]}, "sweeps.bad.variant"),
    (
        {"variant": "ae2", "grid": {"model.width": [5]}},
        "sweeps.bad.grid.model.width: 'model.width' is not a setting",
    ),
    ({"variant": "ae2", "key": "training.learning_rate", "values": []}, "sweeps.bad.values"),
    (
        {
            "variant": "ae2",
            "random": {"n": 0, "space": {"training.learning_rate": {"uniform": [0.1, 1]}}},
        },
        "sweeps.bad.random.n",
    ),
    (
        {
            "variant": "ae2",
            "random": {"n": 2, "space": {"training.learning_rate": {"log_uniform": [1.0, 0.1]}}},
        },
        "low 1.0 is above high 0.1",
    ),
    (
        {"variant": "ae2", "key": "loader.batch_size", "values": [1000]},
        "sweeps.bad.values[0]: batch_size 1000 exceeds data.n_train",
    ),
]


@pytest.mark.parametrize(("spec", "message"), BAD)
def test_bad_autoencoder_sweeps_name_the_sweep_and_key(spec, message):
    config = default_config()
    config["sweeps"] = {"bad": spec}
    with pytest.raises(ConfigError) as error:
        validate_config(config, SCHEMA)
    assert message in str(error.value)


def test_each_trial_of_a_chunk_trains_exactly_as_alone():
    samples = make_samples(40, 30, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    train = torch.tensor(samples.loc[samples["split"] == "train", ["x", "y"]].to_numpy(),
                         dtype=torch.float32)  # fmt: skip
    test = torch.tensor(samples.loc[samples["split"] == "test", ["x", "y"]].to_numpy(),
                        dtype=torch.float32)  # fmt: skip
    model = ModelSpec(hidden=(20, 10))
    specs = [
        TrainingSpec(epochs=15, seeds=2, learning_rate=rate, seed=seed)
        for rate, seed in ((1e-3, 0), (1e-2, 0), (3e-3, 7))
    ]
    chunk = train_trial_chunk(
        [(f"t{i}", model, spec) for i, spec in enumerate(specs)], train, test, "chunk"
    )
    assert len(chunk.metrics) == 6 and (chunk.metrics["parameters"] == 563).all()
    for i, spec in enumerate(specs):
        alone = train_replicas(model, train, spec, "alone", held_out=test).curves
        mine = chunk.curves[chunk.curves["trial"] == f"t{i}"]
        assert np.abs(mine["train_loss"].to_numpy() - alone["train_loss"].to_numpy()).max() < 1e-6
        assert np.abs(mine["test_loss"].to_numpy() - alone["test_loss"].to_numpy()).max() < 1e-6
    first = chunk.curves[chunk.curves["trial"] == "t1"]
    assert (
        first.groupby("seed")["train_loss"]
        .last()
        .lt(first.groupby("seed")["train_loss"].first())
        .all()
    )


@pytest.mark.workflow
def test_all_three_forms_run_from_config_alone(tmp_path):
    config = tiny_config()
    config["sweeps"] = {
        "width": WIDTH_GRID,
        "rate": {"variant": "ae1", "key": "training.learning_rate", "values": [0.001, 0.003]},
        "search": {
            "variant": "ae1",
            "random": {
                "n": 3,
                "seed": 1,
                "space": {
                    "training.learning_rate": {"log_uniform": [1e-4, 1e-2]},
                    "loader.batch_size": {"choice": [4, 8]},
                },
            },
        },
    }
    wf = WorkflowDir(tmp_path, config)
    wf.snakemake("sweeps")
    width = pd.read_csv(wf.results / "sweeps/width/trials.csv")
    assert len(width) == 4 * 2 and width["trial"].nunique() == 4
    assert {"model.hidden", "training.learning_rate", "test_mse", "train_mse"} <= set(width)
    search = pd.read_csv(wf.results / "sweeps/search/trials.csv")
    assert search["loader.batch_size"].isin([4, 8]).all() and search["trial"].nunique() == 3
    markdown = (wf.results / "sweeps/summary.md").read_text()
    # One family per sweep: its best trial against the runner-up, from 2 seeds each.
    sections = markdown.split("\n## ")[1:-1]  # the last is the table of numbers
    assert [s.splitlines()[0] for s in sections] == ["Sweep width", "Sweep rate", "Sweep search"]
    for section in sections:
        claims = [line for line in section.splitlines() if " CI " in line]
        assert len(claims) == 1 and ("of 2 paired seeds" in claims[0] or "2 seeds" in claims[0])
    for sweep in ("width", "rate", "search"):
        assert (wf.results / f"figures/sweep_{sweep}.png").read_bytes()[:4] == b"\x89PNG"
    # Chunks: the two widths apart; the ae1 trials (batch size 8) together.
    chunks = sorted(p.name for p in (wf.results / "sweeps/chunks").iterdir())
    assert len(chunks) == len(ae_sweeps.trial_chunks(_validated(wf)))


def _validated(wf):
    config = wf.read_config()
    validate_config(config, SCHEMA)
    return config
