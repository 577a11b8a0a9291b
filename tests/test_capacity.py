"""Part (e) measured: the capacity runs (widths x training-set sizes), their parameter
counts, their protocol and config checks, the stopping rule (``core.plateau``) and how a
training applies it through Lightning, the cosine schedule, and the summary's per-seed
numbers of a run."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.autoencoder import capacity
from aeflow.autoencoder.checkpoints import load_replicas
from aeflow.autoencoder.lit import AutoencoderModule, CosineToZero
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.summary import capacity_extras
from aeflow.autoencoder.training import train_replicas
from aeflow.core.config import ConfigError
from aeflow.core.modules import count_parameters
from aeflow.core.plateau import Plateau
from aeflow.workflow import validate_config
from tests.conftest import SCHEMA, default_config


@pytest.fixture
def config():
    config = default_config()
    config["capacity"].update(widths=[5, 50, 400], n_train=[100, 20])
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


def test_every_width_trains_at_every_training_set_size(config):
    runs = capacity.capacity_runs(config, "results")
    assert [(r["width"], r["n_train"], r["name"], r["parameters"]) for r in runs] == [
        (5, 100, "ae2-w5-n100", 103),
        (50, 100, "ae2-w50-n100", 5503),
        (400, 100, "ae2-w400-n100", 324003),
        (5, 20, "ae2-w5-n20", 103),
        (50, 20, "ae2-w50-n20", 5503),
        (400, 20, "ae2-w400-n20", 324003),
    ]
    # ae2's own width trains too: the capacity protocol is not ae2's.
    assert runs[1]["checkpoint"] == "results/capacity/ae2-w50-n100/trained.ckpt"
    assert runs[4]["curves"] == "results/capacity/ae2-w50-n20/curves.csv"
    assert capacity.trained_runs(config) == [r["name"] for r in runs]
    models = capacity.summarised_models(config, "results")
    assert {m["role"] for m in models} == {"capacity"}
    assert [(m["width"], m["capacity"]["n_train"]) for m in models] == [
        (5, 100),
        (50, 100),
        (400, 100),
        (5, 20),
        (50, 20),
        (400, 20),
    ]
    assert models[3]["capacity"]["curves"] == "results/capacity/ae2-w5-n20/curves.csv"
    assert models[3]["curves"] == ""  # not one of part (h)'s curves


def test_one_job_per_width_trains_its_sizes_in_config_order(config):
    assert capacity.width_job_runs(config, "400") == ["ae2-w400-n100", "ae2-w400-n20"]
    fits = capacity.width_job_fits(config, 5)
    assert [(f["run"], f["n_train"], f["training"]["batch_size"]) for f in fits] == [
        ("ae2-w5-n100", 100, 100),  # full batches: the run's whole training set
        ("ae2-w5-n20", 20, 20),
    ]
    with pytest.raises(KeyError, match=r"capacity\.widths"):
        capacity.width_job_runs(config, 7)


def test_capacity_runs_train_with_the_sections_protocol_over_the_variant(config):
    config["variants"]["ae2"]["training"] = {"learning_rate": 0.01, "seeds": 3}
    config["capacity"]["training"] = {"schedule": "cosine", "epochs": 2000}
    config["capacity"]["loader"] = {"batch_size": "full", "shuffle": False}
    config["capacity"].update(record_every=20, stopping={"window": 400, "tolerance": 0.02})
    assert capacity.model_params(config, "ae2-w400-n20") == {
        "input_dim": 2,
        "latent_dim": 1,
        "hidden": [400, 400],
        "linear": False,
        "activation": "relu",
    }
    training = capacity.training_params(config, "ae2-w400-n20")
    # The variant's learning rate and seeds; the section's schedule, cap and loader; a full
    # batch is the run's own training set.
    assert training["learning_rate"] == 0.01 and training["seeds"] == 3
    assert training["schedule"] == "cosine" and training["epochs"] == 2000
    assert training["batch_size"] == 20 and not training["shuffle"]
    assert capacity.training_params(config, "ae2-w400-n100")["batch_size"] == 100
    assert (training["record_every"], training["plateau_window"]) == (20, 400)
    assert training["plateau_tolerance"] == 0.02
    TrainingSpec(**training)  # what the rule hands the script
    assert capacity.n_train(config, "ae2-w5-n20") == 20
    assert capacity.protocol(config, "ae2-w5-n20") == {
        "n_train": 20,
        "schedule": "cosine",
        "record_every": 20,
        "stop_window": 400,
        "stop_tolerance": 0.02,
    }
    for unknown in ("ae2-w7-n20", "ae2-w5-n50", "ae1-w5-n20", "ae2-w5", "ae2-wx-n20", "ae2"):
        with pytest.raises(KeyError):
            capacity.model_params(config, unknown)


def test_without_sizes_the_whole_training_set_is_the_one_size():
    config = default_config()
    del config["capacity"]["n_train"]
    validate_config(config, SCHEMA)
    assert capacity.training_sizes(config) == [config["data"]["n_train"]]
    assert capacity.trained_runs(config)[0] == "ae2-w5-n100"


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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"n_train": [100, 200]},
            "capacity.n_train: [200] exceed data.n_train=100; allowed: 1..100",
        ),
        ({"n_train": []}, "capacity.n_train: [] should be non-empty"),
        (
            {"record_every": 7},
            "capacity.record_every: 7 does not divide the capacity runs' epochs (3000)",
        ),
        (
            {"stopping": {"window": 505, "tolerance": 0.01}},
            "capacity.stopping.window: 505 is not a multiple of capacity.record_every (20)",
        ),
        (
            {"loader": {"batch_size": 50}, "n_train": [100, 20]},
            "capacity: batch_size 50 is larger than the smallest training set "
            "(capacity.n_train: 20), so drop_last leaves no batch",
        ),
        ({"training": {"schedule": "step"}}, "capacity.training.schedule: 'step' is not one of"),
        ({"stopping": {"window": 500}}, "'tolerance' is a required property"),
    ],
)
def test_bad_capacity_protocols_are_named(change, message):
    config = default_config()
    config["capacity"].update(change)
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


# --- the stopping rule ---------------------------------------------------------------------


def test_a_network_has_plateaued_when_its_best_loss_improved_less_than_the_tolerance():
    rule = Plateau(window=20, tolerance=0.1, every=10)  # a window is 2 records
    losses = np.array([1.0, 0.5, 0.46, 0.44, 0.43, 0.38])
    improvement = rule.improvement(losses)[:, 0]
    assert np.isnan(improvement[:2]).all()  # no full window yet
    np.testing.assert_allclose(improvement[2:], [0.54, 0.12, 0.0652174, 0.1363636], rtol=1e-5)
    # 0.12 is not below the tolerance; 0.065 is.
    assert rule.plateaued(losses)[:, 0].tolist() == [False] * 4 + [True, False]
    assert rule.first_plateau(losses).tolist() == [4]
    assert rule.first_plateau(np.array([1.0, 0.5, 0.2, 0.1])).tolist() == [-1]


def test_a_rise_and_fall_of_the_loss_is_not_progress():
    # The best loss so far counts: climbing back from a spike does not improve it.
    rule = Plateau(window=2, tolerance=0.01)
    losses = np.array([0.10, 0.30, 0.20, 0.1001, 0.1])
    assert rule.improvement(losses)[2:, 0].tolist() == [0.0, 0.0, 0.0]
    assert rule.plateaued(losses)[2:, 0].all()


def test_a_loss_of_zero_has_plateaued():
    rule = Plateau(window=1, tolerance=0.01)
    assert rule.plateaued(np.array([0.0, 0.0]))[1, 0]


def test_a_job_stops_where_every_network_has_plateaued_at_once():
    rule = Plateau(window=1, tolerance=0.05)
    losses = np.array(
        [
            [1.0, 1.0],
            [0.99, 0.5],  # the first has plateaued, the second improves
            [0.5, 0.49],  # the second has plateaued, the first improves again
            [0.49, 0.485],  # both
            [0.3, 0.48],
        ]
    )
    assert rule.first_plateau(losses).tolist() == [1, 2]
    assert rule.stop_record(losses) == 3
    assert not rule.should_stop(losses[:3]) and rule.should_stop(losses[:4])
    assert rule.stop_record(losses[:3]) is None
    # The score EarlyStopping watches: below the tolerance exactly where the job stops.
    scores = [rule.stop_score(losses[: i + 1]) for i in range(len(losses))]
    assert scores[0] == np.inf  # no full window yet
    assert [score < rule.tolerance for score in scores] == [
        rule.should_stop(losses[: i + 1]) for i in range(len(losses))
    ]
    assert scores[3] == pytest.approx((0.5 - 0.49) / 0.5)  # the larger of the two (0.02)


@pytest.mark.parametrize(("window", "every"), [(15, 10), (5, 10), (0, 1)])
def test_a_window_must_be_a_whole_number_of_records(window, every):
    with pytest.raises(ValueError, match="multiple of the recording interval"):
        Plateau(window=window, tolerance=0.1, every=every)


# --- the training: chunks of epochs, the schedule, the stop through Lightning ---------------


@pytest.fixture
def points():
    generator = torch.Generator().manual_seed(0)
    return torch.rand(24, 2, generator=generator) * 2 - 1, torch.rand(40, 2, generator=generator)


def _train(points, **training):
    train, test = points
    spec = TrainingSpec(**{"batch_size": 8, "seeds": 2, "learning_rate": 0.01, **training})
    return train_replicas(ModelSpec(hidden=(6, 6)), train, spec, "cap", held_out=test)


def test_several_epochs_per_lightning_step_train_exactly_as_one(points):
    one = _train(points, epochs=12)
    chunks = _train(points, epochs=12, record_every=4)
    assert one.global_step == chunks.global_step == 12 * 3
    for a, b in zip(one.final_states, chunks.final_states, strict=True):
        for name in a:
            assert torch.equal(a[name], b[name]), name
    pd.testing.assert_frame_equal(one.losses, chunks.losses)
    # Records every 4 epochs: the every-epoch curves at epochs 0, 4, 8, 12.
    assert chunks.curves["epoch"].unique().tolist() == [0, 4, 8, 12]
    expected = one.curves[one.curves["epoch"] % 4 == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(chunks.curves, expected)


def test_the_cosine_schedule_lowers_the_rate_each_epoch_and_is_saved(points, tmp_path):
    factor = CosineToZero(10)
    assert (factor(0), factor(5), factor(10)) == (1.0, pytest.approx(0.5), 0.0)
    train, _ = points
    spec = TrainingSpec(epochs=10, batch_size=24, seeds=2, schedule="cosine", learning_rate=0.01)
    path = tmp_path / "trained.ckpt"
    train_replicas(ModelSpec(hidden=(6, 6)), train, spec, "cap", final_checkpoint=path)
    checkpoint = torch.load(path, weights_only=False)
    hparams = checkpoint["hyper_parameters"]
    assert (hparams["schedule"], hparams["schedule_epochs"]) == ("cosine", 10)
    # Stepped once per epoch: after 10 epochs the rate is 0.01 x factor(10).
    (scheduler,) = checkpoint["lr_schedulers"]
    assert scheduler["last_epoch"] == 10
    assert scheduler["_last_lr"] == [pytest.approx(0.01 * factor(10))]
    module = AutoencoderModule.load_from_checkpoint(path)
    assert module.hparams.schedule == "cosine"
    # A constant rate differs from the schedule's run.
    constant = _train(points, epochs=10, batch_size=24)
    cosine = _train(points, epochs=10, batch_size=24, schedule="cosine")
    assert not torch.equal(
        constant.final_state["encoder.0.weight"], cosine.final_state["encoder.0.weight"]
    )


def test_a_training_stops_once_every_replica_plateaued(points, tmp_path, caplog):
    # A tolerance no improvement reaches: every replica has plateaued after one window.
    path = tmp_path / "trained.ckpt"
    train, test = points
    spec = TrainingSpec(
        epochs=40, batch_size=24, seeds=2, record_every=2, plateau_window=6, plateau_tolerance=1.0
    )
    with caplog.at_level("INFO"):
        result = train_replicas(
            ModelSpec(hidden=(6, 6)), train, spec, "cap", final_checkpoint=path, held_out=test
        )
    assert result.global_step == 6  # full batch: one update per epoch
    assert result.curves["epoch"].max() == 6
    assert result.losses["epoch"].max() == 5
    assert "every replica's training MSE plateaued" in caplog.text and "epoch 6" in caplog.text
    # The checkpoint holds the stopped networks, the rule, and Lightning's EarlyStopping
    # that applied it (stopped at its 3rd Lightning epoch: epoch 6).
    checkpoint = torch.load(path, weights_only=False)
    stopping = [v for k, v in checkpoint["callbacks"].items() if k.startswith("EarlyStopping")]
    assert [state["stopped_epoch"] for state in stopping] == [2]
    hparams = checkpoint["hyper_parameters"]
    assert hparams["stopping"] == {"window": 6, "tolerance": 1.0}
    assert hparams["record_every"] == 2
    for k, replica in enumerate(load_replicas(path)):
        state = result.final_states[k]
        assert all(torch.equal(replica.state_dict()[n], state[n]) for n in state)
    # A tolerance of 0 never stops it before the cap.
    capped = _train(
        points, epochs=40, batch_size=24, record_every=2, plateau_window=6, plateau_tolerance=0.0
    )
    assert capped.curves["epoch"].max() == 40


def test_the_stopping_rule_needs_the_evaluation_sets(points):
    train, _ = points
    spec = TrainingSpec(epochs=4, batch_size=24, plateau_window=2, plateau_tolerance=0.1)
    with pytest.raises(ValueError, match="needs evaluation sets"):
        train_replicas(ModelSpec(hidden=(6, 6)), train, spec, "cap")


# --- the summary's numbers of a run --------------------------------------------------------


def test_a_seeds_best_held_out_record_stop_and_plateau_come_from_its_curve():
    curves = pd.DataFrame(
        {
            "epoch": [0, 10, 20, 30, 40, 50],
            "train_loss": [1.0, 0.5, 0.3, 0.299, 0.2985, 0.298],
            "test_loss": [1.0, 0.4, 0.2, 0.25, 0.3, 0.35],
        }
    )
    protocol = {
        "n_train": 20,
        "schedule": "cosine",
        "record_every": 10,
        "stop_window": 20,
        "stop_tolerance": 0.01,
    }
    extras = capacity_extras(curves, protocol)
    assert (extras["best_test_mse"], extras["best_test_epoch"]) == (0.2, 20)
    assert extras["stop_epoch"] == 50
    assert extras["plateau_epoch"] == 40  # 0.3 -> 0.2985 over 20 epochs: 0.5%
    assert (extras["n_train"], extras["schedule"], extras["stop_window"]) == (20, "cosine", 20)
    assert np.isnan(capacity_extras(curves, {**protocol, "stop_window": 0})["plateau_epoch"])
