"""Part (e) chooses on validation points, never on the held-out set: the validation split
of the samples table (drawn from its own stream, so the training and held-out points are
the same with or without it), the readers that must not take it for training points, the
validation MSE the capacity runs record (recorded only: it steers nothing), and the
summary's numbers chosen on it."""

import numpy as np
import pandas as pd
import pytest
import torch

from aeflow.autoencoder.data import (
    load_optional_points,
    load_points,
    make_replica_samples,
    make_samples,
    validation_seed,
)
from aeflow.autoencoder.lit import reconstruction_losses
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.samples import TEST, TRAIN, VALIDATION
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.summary import COLUMNS, capacity_extras, validation_extras
from aeflow.autoencoder.tables import RECORDED_CURVES
from aeflow.autoencoder.training import train_replicas, with_validation_column
from aeflow.core.tables import read_table
from tests.conftest import SCHEMA, default_config

RECTANGLE = ((-2.0, 2.0), (-1.0, 1.0))

# --- the validation split ------------------------------------------------------------------


def test_validation_points_are_their_own_split_in_the_rectangle():
    samples = make_samples(30, 20, *RECTANGLE, seed=0, n_validation=15)
    assert list(samples.columns) == ["x", "y", "split", "sample"]
    assert samples["split"].value_counts().to_dict() == {TRAIN: 30, TEST: 20, VALIDATION: 15}
    assert samples["split"].tolist()[-15:] == [VALIDATION] * 15  # appended after the others
    assert samples["x"].between(-2, 2).all() and samples["y"].between(-1, 1).all()
    # Not a copy of the training or held-out points.
    validation = samples.loc[samples["split"] == VALIDATION, ["x", "y"]].to_numpy()
    others = samples.loc[samples["split"] != VALIDATION, ["x", "y"]].to_numpy()
    assert not (validation[:, None, :] == others[None, :, :]).all(axis=2).any()
    with pytest.raises(ValueError, match="n_validation"):
        make_samples(3, 2, *RECTANGLE, seed=0, n_validation=-1)


@pytest.mark.parametrize("seed", [0, 7])
def test_train_and_test_rows_are_byte_identical_with_or_without_validation(seed, tmp_path):
    without = make_samples(30, 20, *RECTANGLE, seed=seed)
    with_ = make_samples(30, 20, *RECTANGLE, seed=seed, n_validation=25)
    kept = with_[with_["split"] != VALIDATION]
    pd.testing.assert_frame_equal(kept, without)
    # As written to data/samples.csv: the same bytes, row for row.
    without.to_csv(tmp_path / "a.csv", index=False)
    kept.to_csv(tmp_path / "b.csv", index=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # n_validation 0 is today's table exactly.
    assert make_samples(30, 20, *RECTANGLE, seed=seed, n_validation=0).equals(without)
    # More validation points extend the same stream: the first ones stay.
    more = make_samples(30, 20, *RECTANGLE, seed=seed, n_validation=40)
    first = more[more["split"] == VALIDATION].head(25).reset_index(drop=True)
    pd.testing.assert_frame_equal(first, with_[with_["split"] == VALIDATION].reset_index(drop=True))


def test_per_replica_samples_keep_their_points_and_get_their_own_validation(tmp_path):
    args = (24, 10, *RECTANGLE)
    three = make_replica_samples(*args, seed=4, samples=3, n_validation=6)
    plain = make_replica_samples(*args, seed=4, samples=3)
    pd.testing.assert_frame_equal(three[three["split"] != VALIDATION].reset_index(drop=True), plain)
    for k in range(3):
        part = three[three["sample"] == k].reset_index(drop=True)
        expected = make_samples(*args, seed=4 + k, n_validation=6).assign(sample=k)
        pd.testing.assert_frame_equal(part, expected)
    three.to_csv(tmp_path / "s.csv", index=False)
    validation = load_points(tmp_path / "s.csv", VALIDATION)
    assert validation.shape == (3, 6, 2)
    assert not torch.equal(validation[0], validation[1])  # each sample its own points
    assert torch.equal(load_optional_points(tmp_path / "s.csv"), validation)
    # Every reader of the training points still gets exactly those.
    assert torch.equal(load_points(tmp_path / "s.csv"), load_points(_csv(plain, tmp_path)))
    # The validation stream is none of the samples' data seeds (seed + k).
    assert validation_seed(4) not in range(0, 10_000)
    assert len({validation_seed(s) for s in range(100)}) == 100


def _csv(frame: pd.DataFrame, tmp_path) -> str:
    path = tmp_path / "plain.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_without_validation_points_none_load(tmp_path):
    make_samples(10, 5, *RECTANGLE, seed=0).to_csv(tmp_path / "s.csv", index=False)
    assert load_optional_points(tmp_path / "s.csv") is None
    with pytest.raises(ValueError, match="no points in split 'validation'"):
        load_points(tmp_path / "s.csv", VALIDATION)


def test_readers_of_the_training_points_leave_validation_points_out():
    # Imported here: these modules read core.claims, which the other tests do not need.
    import matplotlib.pyplot as plt

    from aeflow.autoencoder.failures import constant_mse, replica_constants
    from aeflow.autoencoder.plots import samples_figure

    without = make_samples(30, 20, *RECTANGLE, seed=1)
    with_ = make_samples(30, 20, *RECTANGLE, seed=1, n_validation=50)
    assert constant_mse(with_) == constant_mse(without)
    assert replica_constants(with_, 12) == replica_constants(without, 12)
    # The samples figure draws them as their own kind, never as training points.
    fig = samples_figure(with_)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels == ["test (20)", "validation (50)", "train (30)"]
    plt.close(fig)
    fig = samples_figure(without)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels == ["test (20)", "train (30)"]
    plt.close(fig)


def test_the_config_asks_for_validation_points_by_default():
    from aeflow.workflow import validate_config

    config = default_config()
    assert config["data"]["n_validation"] == 100
    del config["data"]["n_validation"]
    validate_config(config, SCHEMA)
    assert config["data"]["n_validation"] == 100  # the schema's default
    config["data"]["n_validation"] = 0
    validate_config(config, SCHEMA)  # 0: off


# --- the summary's numbers chosen on the validation points ----------------------------------

VALIDATION_COLUMNS = ("validation_mse", "best_validation_epoch", "test_at_best_validation")
PROTOCOL = {
    "n_train": 20,
    "schedule": "cosine",
    "record_every": 10,
    "stop_window": 0,
    "stop_tolerance": 0.0,
}


def test_the_epoch_is_chosen_on_the_validation_points_not_the_held_out_ones():
    curves = pd.DataFrame(
        {
            "epoch": [0, 10, 20, 30, 40, 50],
            "train_loss": [1.0, 0.5, 0.3, 0.2, 0.1, 0.05],
            "test_loss": [1.0, 0.4, 0.2, 0.25, 0.3, 0.35],  # lowest at 20
            "validation_loss": [1.1, 0.5, 0.3, 0.28, 0.26, 0.27],  # lowest at 40
        }
    )
    extras = capacity_extras(curves, PROTOCOL)
    assert extras["best_validation_epoch"] == 40
    assert extras["test_at_best_validation"] == 0.3  # the held-out MSE of that record
    assert extras["validation_mse"] == 0.27  # at the last record
    # The held-out minimum is reported as before, apart.
    assert (extras["best_test_mse"], extras["best_test_epoch"]) == (0.2, 20)
    # Records in any order: read by epoch.
    shuffled = curves.sample(frac=1.0, random_state=0)
    again = capacity_extras(shuffled, PROTOCOL)
    assert {key: again[key] for key in VALIDATION_COLUMNS} == {
        key: extras[key] for key in VALIDATION_COLUMNS
    }


def test_tied_validation_minima_choose_the_first_record_and_none_give_nan():
    curves = pd.DataFrame(
        {
            "epoch": [0, 5, 10, 15],
            "test_loss": [1.0, 0.6, 0.5, 0.4],
            "validation_loss": [1.0, 0.3, 0.3, 0.35],
        }
    )
    assert validation_extras(curves) == {
        "validation_mse": 0.35,
        "best_validation_epoch": 5,
        "test_at_best_validation": 0.6,
    }
    for off in (curves.drop(columns="validation_loss"), curves.assign(validation_loss=np.nan)):
        found = validation_extras(off)
        assert set(found) == set(VALIDATION_COLUMNS)
        assert all(np.isnan(value) for value in found.values())


def test_the_summary_has_the_validation_columns_after_the_pca_reference():
    at = COLUMNS.index("pca_fit_test_mse")
    assert tuple(COLUMNS[at + 1 : at + 4]) == VALIDATION_COLUMNS
    assert "best_test_mse" in COLUMNS and "best_test_epoch" in COLUMNS


# --- a real capacity training ---------------------------------------------------------------


@pytest.fixture
def data():
    samples = make_replica_samples(16, 20, *RECTANGLE, seed=0, samples=2, n_validation=12)
    pick = {
        split: torch.stack(
            [
                torch.tensor(
                    part.loc[part["split"] == split, ["x", "y"]].to_numpy(), dtype=torch.float32
                )
                for _, part in samples.groupby("sample")
            ]
        )
        for split in (TRAIN, TEST, VALIDATION)
    }
    return pick[TRAIN][:, :12], pick[TEST], pick[VALIDATION]  # the first 12 training points


def _capacity_run(train, test, validation=None, **stopping):
    spec = TrainingSpec(
        epochs=12,
        batch_size=12,  # full batch, as the capacity protocol
        seeds=2,
        learning_rate=0.01,
        schedule="cosine",
        record_every=3,
        **stopping,
    )
    return train_replicas(
        ModelSpec(hidden=(8, 8)), train, spec, "ae2-w8-n12", held_out=test, validation=validation
    )


def test_a_capacity_run_records_a_finite_validation_mse_that_steers_nothing(data, tmp_path):
    train, test, validation = data
    result = _capacity_run(train, test, validation)
    curves = result.curves
    assert list(curves.columns) == [
        "epoch",
        "examples_seen",
        "train_loss",
        "test_loss",
        "seed",
        "validation_loss",
    ]
    assert curves["epoch"].unique().tolist() == [0, 3, 6, 9, 12]
    assert np.isfinite(curves["validation_loss"]).all()
    # Replica k's last record is its trained network's MSE on its own sample's points.
    for k, state in enumerate(result.final_states):
        model = Autoencoder.from_state(ModelSpec(hidden=(8, 8)), state)
        with torch.no_grad():
            mse = float(reconstruction_losses(model(validation[k]), validation[k]))
        last = curves[curves["seed"] == k].iloc[-1]
        assert last["validation_loss"] == pytest.approx(mse, rel=1e-5)
    # The same training without validation points: the same weights, batch losses and
    # training and held-out records (the validation MSE is recorded only).
    alone = _capacity_run(train, test)
    assert "validation_loss" not in alone.curves
    pd.testing.assert_frame_equal(alone.losses, result.losses)
    pd.testing.assert_frame_equal(alone.curves, curves.drop(columns="validation_loss"))
    for a, b in zip(alone.final_states, result.final_states, strict=True):
        for name in a:
            assert torch.equal(a[name], b[name]), name
    # Written as the rule writes it, the table keeps its contract, and the summary's
    # numbers come out of it.
    with_validation_column(curves).to_csv(tmp_path / "curves.csv", index=False)
    written = read_table(tmp_path / "curves.csv", RECORDED_CURVES)
    seed0 = written[written["seed"] == 0]
    extras = capacity_extras(seed0, {**PROTOCOL, "record_every": 3})
    best = seed0.loc[seed0["validation_loss"].idxmin()]
    assert extras["best_validation_epoch"] == best["epoch"]
    assert extras["test_at_best_validation"] == best["test_loss"]
    # Without validation points the column is there, empty.
    with_validation_column(alone.curves).to_csv(tmp_path / "none.csv", index=False)
    empty = read_table(tmp_path / "none.csv", RECORDED_CURVES)
    assert empty["validation_loss"].isna().all()


def test_the_stopping_rule_reads_the_training_mse_only(data):
    train, test, validation = data
    rule = {"plateau_window": 6, "plateau_tolerance": 0.5}  # stops early on the training MSE
    stopped = _capacity_run(train, test, validation, **rule)
    alone = _capacity_run(train, test, **rule)
    assert stopped.curves["epoch"].max() == alone.curves["epoch"].max() < 12
    pd.testing.assert_frame_equal(alone.curves, stopped.curves.drop(columns="validation_loss"))


def test_validation_points_need_held_out_points(data):
    train, _, validation = data
    spec = TrainingSpec(epochs=3, batch_size=12, seeds=2)
    with pytest.raises(ValueError, match="beside held-out"):
        train_replicas(ModelSpec(hidden=(4, 4)), train, spec, "x", validation=validation)
