import pytest
import torch

from aeflow.autoencoder.analysis import encode
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.lit import TrainingDiverged
from aeflow.autoencoder.models import Autoencoder, init_autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import retrain_encoder, train_replicas


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


AE1 = ModelSpec(hidden=(20, 10))


def _train(points, spec=AE1, run_name="test", **training):
    """A lone training (one seed); the trained model and the result."""
    result = train_replicas(spec, points, TrainingSpec(**training), run_name=run_name)
    return Autoencoder.from_state(spec, result.final_state), result


def test_short_training_lowers_the_loss(points):
    _, result = _train(points, epochs=30, learning_rate=0.01)
    losses = result.losses
    first = losses.loc[losses["epoch"] == 0, "loss"].mean()
    last = losses.loc[losses["epoch"] == 29, "loss"].mean()
    assert last < 0.6 * first


def test_loss_table_counts_steps_epochs_and_examples(points):
    _, result = _train(points, epochs=4, batch_size=8)
    losses = result.losses
    assert list(losses.columns) == ["step", "epoch", "examples_seen", "loss", "seed"]
    assert (losses["seed"] == 0).all()
    assert len(losses) == 4 * 5  # 40 points, batch 8, drop_last
    assert losses["epoch"].tolist() == [e for e in range(4) for _ in range(5)]
    assert losses["examples_seen"].iloc[-1] == 4 * 5 * 8


def test_examples_seen_counts_a_last_smaller_batch_as_what_it_holds(points):
    # 40 points in batches of 12 without drop_last: 12, 12, 12 and a last batch of 4.
    _, result = _train(points, epochs=2, batch_size=12, drop_last=False)
    assert result.losses["examples_seen"].tolist() == [12, 24, 36, 40, 52, 64, 76, 80]
    spec = TrainingSpec(epochs=2, batch_size=12, drop_last=False, seeds=2)
    replicas = train_replicas(AE1, points, spec, run_name="test")
    per_seed = replicas.losses.groupby("seed")["examples_seen"].apply(list).to_dict()
    assert per_seed == {0: [12, 24, 36, 40, 52, 64, 76, 80]} | {1: [12, 24, 36, 40, 52, 64, 76, 80]}


def test_full_batch_gradient_descent_takes_one_step_per_epoch(points):
    _, result = _train(points, epochs=6, batch_size=len(points), optimizer="sgd")
    assert result.losses["step"].tolist() == list(range(6))
    assert result.losses["examples_seen"].tolist() == [40 * (k + 1) for k in range(6)]


def test_training_is_deterministic(points):
    _, a = _train(points, epochs=3)
    _, b = _train(points, epochs=3)
    assert a.losses.equals(b.losses)
    for key in a.final_state:
        assert torch.equal(a.final_state[key], b.final_state[key])


def test_initial_state_is_the_untrained_weights(points):
    _model, result = _train(points, epochs=2)
    fresh = init_autoencoder(ModelSpec(hidden=(20, 10)), seed=0)
    for key, value in fresh.state_dict().items():
        assert torch.equal(result.initial_state[key], value)
        assert not torch.equal(result.final_state[key], value)


def test_retraining_keeps_the_decoder_byte_identical_and_changes_the_encoder(points):
    model, _ = _train(points, epochs=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    codes_trained = encode(model, points)
    init = {"mean": 0.0, "std": 1.0, "seed": 1}
    result, shift = retrain_encoder([model], points, init, TrainingSpec(epochs=3), "retrain")
    retrained = Autoencoder.from_state(AE1, result.final_state)
    for key, value in result.final_state.items():
        if key.startswith("decoder"):
            assert torch.equal(value, before[key])
            assert torch.equal(result.initial_state[key], before[key])
        else:
            assert not torch.equal(value, before[key])
    # The source model is left as it was.
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    # Training started from the re-initialised encoder: zero biases, N(0, 1) weights.
    start = result.initial_state
    assert all(start[k].abs().sum() == 0 for k in start if k.startswith("encoder") and "bias" in k)
    assert 0.7 < float(start["encoder.0.weight"].std()) < 1.3
    assert len(result.losses) == 3 * 5
    assert list(shift.columns) == ["x", "y", "z_before", "z_after", "seed"]
    assert (shift["z_before"].to_numpy() == codes_trained[:, 0]).all()
    assert (shift["z_after"].to_numpy() == encode(retrained, points)[:, 0]).all()


def test_the_retrained_encoder_starts_from_parts_g_draw():
    """The encoder's start is N(mean, std) from a generator seeded init seed + k, layer by
    layer, biases 0: what ``reinitialise_encoder_freeze_decoder`` draws for a lone model."""
    from aeflow.autoencoder.analysis import reinitialise_encoder_freeze_decoder

    points = torch.zeros(8, 2)
    models = [init_autoencoder(AE1, seed) for seed in (0, 1)]
    init = {"mean": 0.5, "std": 2.0, "seed": 3}
    result, _ = retrain_encoder(models, points, init, TrainingSpec(epochs=1, seeds=2), "g")
    for k, model in enumerate(models):
        reinitialise_encoder_freeze_decoder(model, 0.5, 2.0, 3 + k)
        for key, value in model.state_dict().items():
            assert torch.equal(result.initial_states[k][key], value), key


def test_divergence_names_the_run_and_the_step(points):
    with pytest.raises(TrainingDiverged, match=r"'exploding'.*at step \d+ \(epoch"):
        _train(points, run_name="exploding", epochs=50, optimizer="sgd", learning_rate=1e6)


def test_divergence_of_seed_replicas_names_the_step_and_the_seed(points):
    with pytest.raises(TrainingDiverged, match=r"'exploding'.*at step \d+ \(seed [0-2]\)"):
        train_replicas(
            ModelSpec(hidden=(20, 10)),
            points,
            TrainingSpec(epochs=50, optimizer="sgd", learning_rate=1e6, seeds=3),
            run_name="exploding",
        )


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present: it would train there")
def test_accelerator_setting_reaches_lightning(points):
    # Without a GPU, Lightning itself must refuse: the setting is not silently dropped.
    with pytest.raises(Exception, match="gpu"):
        _train(points, epochs=1, accelerator="gpu")


@pytest.mark.parametrize("seeds", [1, 2])
def test_curves_hold_the_loss_over_the_whole_training_and_held_out_sets(points, seeds):
    from aeflow.autoencoder.analysis import reconstruction_mse

    held_out = points[:10] * 0.5
    spec = TrainingSpec(epochs=3, batch_size=12, drop_last=False, seeds=seeds)
    result = train_replicas(AE1, points, spec, "curves", held_out=held_out)
    curves = result.curves
    assert list(curves.columns) == ["epoch", "examples_seen", "train_loss", "test_loss", "seed"]
    assert curves.groupby("seed")["epoch"].apply(list).to_dict() == {
        k: [0, 1, 2, 3] for k in range(seeds)
    }
    assert curves["examples_seen"].tolist()[:4] == [0, 40, 80, 120]  # 12 + 12 + 12 + 4
    for k, (initial, final) in enumerate(
        zip(result.initial_states, result.final_states, strict=True)
    ):
        rows = curves[curves["seed"] == k]
        for state, row in ((initial, rows.iloc[0]), (final, rows.iloc[-1])):
            model = Autoencoder(AE1)
            model.load_state_dict(state)
            assert row["train_loss"] == pytest.approx(reconstruction_mse(model, points), rel=1e-5)
            assert row["test_loss"] == pytest.approx(reconstruction_mse(model, held_out), rel=1e-5)


def test_each_replica_retrains_against_its_own_decoder_as_it_would_alone(points):
    trained = train_replicas(AE1, points, TrainingSpec(epochs=2, seeds=3), "base")
    models = [Autoencoder.from_state(AE1, state) for state in trained.final_states]
    init = {"mean": 0.0, "std": 1.0, "seed": 1}
    spec = TrainingSpec(epochs=3, seed=0)
    together, shift = retrain_encoder(models, points, init, spec, "together")
    assert sorted(shift["seed"].unique()) == [0, 1, 2]
    for k in range(3):
        # Replica k's decoder is its own and stays frozen.
        for key, value in together.final_states[k].items():
            if key.startswith("decoder"):
                assert torch.equal(value, trained.final_states[k][key])
        # Alone: replica k's model, encoder seed 1 + k, batch order of training seed k.
        alone, alone_shift = retrain_encoder(
            [models[k]], points, {**init, "seed": 1 + k}, TrainingSpec(epochs=3, seed=k), "a"
        )
        for key, value in alone.initial_state.items():
            assert torch.equal(together.initial_states[k][key], value)
        replica = together.losses[together.losses["seed"] == k]["loss"].to_numpy()
        assert replica == pytest.approx(alone.losses["loss"].to_numpy(), abs=1e-6)
        z_after = shift.loc[shift["seed"] == k, "z_after"].to_numpy()
        assert z_after == pytest.approx(alone_shift["z_after"].to_numpy(), abs=1e-5)


def test_the_held_out_set_is_evaluated_every_few_epochs_and_at_the_last(points):
    """training.held_out_every: the held-out MSE at epoch 0, its multiples and the last
    epoch (NaN between), the same numbers there as evaluated every epoch; the training and
    its training-set curve untouched."""
    held_out = points[:25] * 0.5
    every = {
        k: train_replicas(
            ModelSpec(hidden=(6,)),
            points,
            TrainingSpec(epochs=7, seeds=2, held_out_every=k),
            "held-out",
            held_out=held_out,
        )
        for k in (1, 3)
    }
    sparse, dense = every[3].curves, every[1].curves
    evaluated = sparse.dropna(subset=["test_loss"])
    assert sorted(set(evaluated["epoch"])) == [0, 3, 6, 7]
    assert len(evaluated) == 2 * 4 and len(sparse) == 2 * 8
    assert sparse["train_loss"].equals(dense["train_loss"])
    assert evaluated["test_loss"].equals(dense.loc[evaluated.index, "test_loss"])
    assert every[3].losses.equals(every[1].losses)
    for a, b in zip(every[3].final_states, every[1].final_states, strict=True):
        assert all(torch.equal(a[name], b[name]) for name in a)


def test_a_training_stopped_between_held_out_evaluations_evaluates_its_last_record(points):
    """The plateau rule stops at epoch 26 (2 epochs per record), not a multiple of
    held_out_every=4: the last record still holds the held-out MSE."""
    spec = TrainingSpec(
        epochs=60,
        record_every=2,
        schedule="cosine",
        plateau_window=4,
        plateau_tolerance=0.05,
        seeds=2,
        learning_rate=0.01,
        held_out_every=4,
    )
    result = train_replicas(
        ModelSpec(hidden=(6,)), points, spec, "stop", held_out=points[:10] * 0.5
    )
    curves = result.curves
    assert curves["epoch"].max() == 26
    last = curves[curves["epoch"] == 26]
    assert last["test_loss"].notna().all()
    assert curves.loc[curves["epoch"] == 24, "test_loss"].notna().all()
    assert curves.loc[curves["epoch"] == 22, "test_loss"].isna().all()
