import pytest
import torch

from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.models import init_autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_autoencoder, train_replicas


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_each_replica_equals_a_lone_training_with_its_seed(points, optimizer):
    spec = ModelSpec(hidden=(20, 10))
    training = TrainingSpec(epochs=5, seed=3, seeds=3, optimizer=optimizer, learning_rate=0.01)
    together = train_replicas(spec, points, training, run_name="replicas")
    assert sorted(together.losses["seed"].unique()) == [3, 4, 5]
    for k, seed in enumerate((3, 4, 5)):
        alone = train_autoencoder(
            init_autoencoder(spec, seed),
            points,
            TrainingSpec(epochs=5, seed=seed, optimizer=optimizer, learning_rate=0.01),
            run_name=f"seed {seed}",
        )
        replica = together.losses[together.losses["seed"] == seed].reset_index(drop=True)
        assert replica[["step", "epoch", "examples_seen"]].equals(
            alone.losses[["step", "epoch", "examples_seen"]]
        )
        assert (replica["loss"] - alone.losses["loss"]).abs().max() < 1e-6
        for name, value in alone.initial_state.items():
            assert torch.equal(together.initial_states[k][name], value)
        for name, value in alone.final_state.items():
            assert torch.allclose(together.final_states[k][name], value, atol=1e-6)


def test_replicas_differ_from_each_other(points):
    result = train_replicas(ModelSpec(hidden=(8,)), points, TrainingSpec(epochs=2, seeds=2), "r")
    by_seed = result.losses.groupby("seed")["loss"].apply(list)
    assert by_seed.iloc[0] != by_seed.iloc[1]
