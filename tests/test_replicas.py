"""Seed replicas: each trains exactly as a lone training with its seed; the stacked layers
keep one checkpoint layout (``autoencoder.encoder.0.weight``: replicas x out x in) whatever
the seed count, and initial weights come from per-seed generators, not the global state."""

import pytest
import torch

from aeflow.autoencoder.data import make_replica_samples, make_samples
from aeflow.autoencoder.models import Autoencoder, StackedAutoencoder, init_autoencoder
from aeflow.autoencoder.replicas import GroupedAutoencoders, build_autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas
from aeflow.core.modules import count_parameters
from aeflow.core.stacked import StackedLinear

AE1 = ModelSpec(hidden=(20, 10))


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_each_replica_equals_a_lone_training_with_its_seed(points, optimizer):
    spec = AE1
    training = TrainingSpec(epochs=5, seed=3, seeds=3, optimizer=optimizer, learning_rate=0.01)
    together = train_replicas(spec, points, training, run_name="replicas")
    assert sorted(together.losses["seed"].unique()) == [3, 4, 5]
    for k, seed in enumerate((3, 4, 5)):
        alone = train_replicas(
            spec,
            points,
            TrainingSpec(epochs=5, seed=seed, optimizer=optimizer, learning_rate=0.01),
            run_name=f"seed {seed}",
        )
        replica = together.losses[together.losses["seed"] == seed].reset_index(drop=True)
        assert replica[["step", "epoch", "examples_seen"]].equals(
            alone.losses[["step", "epoch", "examples_seen"]]
        )
        assert (replica["loss"] - alone.losses["loss"]).abs().max() < 1e-6
        for name, value in init_autoencoder(spec, seed).state_dict().items():
            assert torch.equal(alone.initial_state[name], value)
            assert torch.equal(together.initial_states[k][name], value)
        for name, value in alone.final_state.items():
            assert torch.allclose(together.final_states[k][name], value, atol=1e-6)


def test_with_a_sample_per_replica_each_replica_equals_a_lone_training_on_its_sample():
    """data.per_replica_samples: replica k of a stacked training (training seed k, data
    sample k) is a lone training with seed k on sample k, evaluation sets included."""
    samples = make_replica_samples(24, 10, (-2.0, 2.0), (-1.0, 1.0), seed=0, samples=3)

    def split(name: str) -> torch.Tensor:
        parts = [part for _, part in samples[samples["split"] == name].groupby("sample")]
        return torch.stack([torch.tensor(p[["x", "y"]].to_numpy()).float() for p in parts])

    train, test = split("train"), split("test")
    spec, common = ModelSpec(hidden=(8,)), {"epochs": 4, "learning_rate": 0.01, "batch_size": 6}
    together = train_replicas(
        spec, train, TrainingSpec(seed=0, seeds=3, **common), "samples", held_out=test
    )
    for k in range(3):
        alone = train_replicas(
            spec, train[k], TrainingSpec(seed=k, **common), f"sample {k}", held_out=test[k]
        )
        replica = together.losses[together.losses["seed"] == k].reset_index(drop=True)
        assert (replica["loss"] - alone.losses["loss"]).abs().max() < 1e-6
        curve = together.curves[together.curves["seed"] == k].reset_index(drop=True)
        for column in ("train_loss", "test_loss"):
            assert (curve[column] - alone.curves[column]).abs().max() < 1e-6
        for name, value in alone.final_state.items():
            assert torch.allclose(together.final_states[k][name], value, atol=1e-6)
    # The samples differ, so do the replicas' whole-set losses at the start.
    first = together.curves[together.curves["epoch"] == 0]["train_loss"]
    assert first.nunique() == 3


def test_replicas_differ_from_each_other(points):
    result = train_replicas(ModelSpec(hidden=(8,)), points, TrainingSpec(epochs=2, seeds=2), "r")
    by_seed = result.losses.groupby("seed")["loss"].apply(list)
    assert by_seed.iloc[0] != by_seed.iloc[1]


@pytest.mark.parametrize("replicas", [1, 5])
def test_stacked_keys_are_the_lone_networks_with_a_replica_axis(replicas):
    for spec in (AE1, ModelSpec(hidden=(50, 50)), ModelSpec(linear=True)):
        lone = Autoencoder(spec).state_dict()
        stacked = StackedAutoencoder(spec, replicas).state_dict()
        assert list(stacked) == list(lone)  # encoder.0.weight ... decoder.4.bias
        for name, tensor in lone.items():
            assert stacked[name].shape == (replicas, *tensor.shape)
    keys = list(StackedAutoencoder(AE1, replicas).state_dict())
    assert keys[:2] == ["encoder.0.weight", "encoder.0.bias"]
    assert list(StackedAutoencoder(ModelSpec(linear=True), replicas).state_dict()) == [
        "encoder.weight",
        "decoder.weight",
    ]


@pytest.mark.parametrize(
    ("spec", "parameters"),
    [(AE1, 563), (ModelSpec(hidden=(50, 50)), 5503), (ModelSpec(linear=True), 4)],
)
def test_every_replica_has_the_parameter_count_of_its_variant(spec, parameters):
    assert count_parameters(StackedAutoencoder(spec, 5)) == 5 * parameters
    assert count_parameters(GroupedAutoencoders(spec, [2, 3])) == 5 * parameters


def test_each_layer_is_one_batched_matrix_product_for_all_replicas(monkeypatch):
    network = StackedAutoencoder(AE1, 4).initialise_([0, 1, 2, 3])
    calls = []
    real = torch.baddbmm
    monkeypatch.setattr(torch, "baddbmm", lambda *a, **k: calls.append(1) or real(*a, **k))
    x = torch.randn(4, 7, 2)
    out = network(x)
    assert len(calls) == 6  # three layers each way, for all four replicas at once
    for k in range(4):
        lone = Autoencoder.from_state(AE1, network.replica_state(k))
        assert torch.allclose(out[k], lone(x[k]), atol=1e-6)


def test_initial_weights_depend_on_the_seed_alone_and_leave_the_global_state_alone():
    state = torch.random.get_rng_state()
    stacked = StackedAutoencoder(AE1, 3).initialise_([7, 8, 7])
    grouped = GroupedAutoencoders(AE1, [1, 2]).initialise_([8, 9, 7])
    assert torch.equal(torch.random.get_rng_state(), state)
    for name, tensor in stacked.state_dict().items():
        assert torch.equal(tensor[0], tensor[2])  # same seed, same weights
        assert not torch.equal(tensor[0], tensor[1])
        assert torch.equal(tensor[1], init_autoencoder(AE1, 8).state_dict()[name])
        assert torch.equal(grouped.replica_state(0)[name], tensor[1])  # whatever R, position
        assert torch.equal(grouped.replica_state(2)[name], tensor[0])
    # torch's default nn.Linear initialisation: U(-1/sqrt(in), 1/sqrt(in)).
    first = stacked.encoder[0]
    assert isinstance(first, StackedLinear) and first.weight.abs().max() <= 1 / 2**0.5
    assert first.weight.std() > 0.3


def test_grouped_replicas_compute_what_one_stack_computes():
    seeds = [0, 1, 2, 3, 4]
    grouped = GroupedAutoencoders(AE1, [2, 3]).initialise_(seeds)
    stacked = StackedAutoencoder(AE1, 5).initialise_(seeds)
    keys = list(grouped.state_dict())
    assert keys[0] == "groups.0.encoder.0.weight" and keys[-1] == "groups.1.decoder.4.bias"
    x = torch.randn(5, 6, 2)
    with torch.no_grad():
        assert torch.allclose(grouped(x), stacked(x), atol=1e-6)


def test_the_builder_takes_the_hyper_parameters_it_is_given():
    hyper_parameters = {"model": AE1.to_dict(), "seeds": [0, 1, 2], "group_sizes": [1, 2]}
    assert isinstance(build_autoencoder(hyper_parameters), GroupedAutoencoders)
    with pytest.raises(ValueError, match="do not split"):
        build_autoencoder({**hyper_parameters, "group_sizes": [1, 1]})
    single = build_autoencoder({"model": AE1.to_dict(), "seeds": [4], "group_sizes": [1]})
    assert isinstance(single, StackedAutoencoder) and single.replicas == 1
