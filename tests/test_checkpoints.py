"""Every checkpoint is Lightning's own: load_from_checkpoint(path) gives the trained module
back, and Lightning's step count is the number of optimiser steps taken."""

import pandas as pd
import pytest
import torch

from aeflow.autoencoder.analysis import decoder_fit, stored_decoder_fit
from aeflow.autoencoder.checkpoints import load_autoencoder, load_replica_seeds, load_replicas
from aeflow.autoencoder.data import load_points, make_replica_samples, make_samples
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import retrain_encoder, train_replicas
from aeflow.core.atomic import write_csv
from aeflow.playground.checkpoints import load_classifier, load_networks
from aeflow.playground.models import PlaygroundNetworks
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_chunk

LIGHTNING_KEYS = {
    "state_dict",
    "hyper_parameters",
    "pytorch-lightning_version",
    "epoch",
    "global_step",
    "optimizer_states",
}
AE1 = ModelSpec(hidden=(20, 10))


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


def _same_weights(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> bool:
    return all(torch.equal(tensor, state[name]) for name, tensor in model.state_dict().items())


@pytest.mark.parametrize("seeds", [1, 5])
def test_autoencoder_checkpoints_load_the_lightning_way(tmp_path, points, seeds):
    from aeflow.autoencoder.lit import AutoencoderModule

    spec = TrainingSpec(epochs=3, batch_size=8, seeds=seeds)
    init, trained = tmp_path / "init.ckpt", tmp_path / "trained.ckpt"
    result = train_replicas(AE1, points, spec, "ckpt", init, trained)
    # 40 points in batches of 8: 5 optimiser steps per epoch, counted by Lightning.
    assert result.global_step == 3 * 5
    payload = torch.load(trained, weights_only=False)
    assert set(payload) >= LIGHTNING_KEYS and payload["global_step"] == 15
    assert len(payload["optimizer_states"]) == 1
    assert torch.load(init, weights_only=False)["global_step"] == 0

    for path, states in ((init, result.initial_states), (trained, result.final_states)):
        module = AutoencoderModule.load_from_checkpoint(path)
        assert module.replicas == seeds and list(module.hparams.seeds) == list(range(seeds))
        readers = load_replicas(path)  # the torch-only reader agrees
        assert load_replica_seeds(path) == list(range(seeds))
        for k in range(seeds):
            replica = module.replica(k)
            assert _same_weights(replica, states[k]) and _same_weights(readers[k], states[k])
            with torch.no_grad():
                assert torch.equal(replica(points), readers[k](points))
    # The trained weights are not the initial ones.
    assert not _same_weights(load_autoencoder(trained), result.initial_state)


@pytest.mark.parametrize("seeds", [1, 5])
def test_checkpoint_keys_name_the_layer_whatever_the_seed_count(tmp_path, points, seeds):
    path = tmp_path / "trained.ckpt"
    train_replicas(AE1, points, TrainingSpec(epochs=1, seeds=seeds), "keys", final_checkpoint=path)
    state = torch.load(path, weights_only=True)["state_dict"]
    shapes = {name: tuple(tensor.shape) for name, tensor in state.items()}
    # Encoder 2 -> 20 -> 10 -> 1 and decoder 1 -> 10 -> 20 -> 2 (Sequential indices 0, 2, 4).
    assert shapes == {
        "autoencoder.encoder.0.weight": (seeds, 20, 2),
        "autoencoder.encoder.0.bias": (seeds, 20),
        "autoencoder.encoder.2.weight": (seeds, 10, 20),
        "autoencoder.encoder.2.bias": (seeds, 10),
        "autoencoder.encoder.4.weight": (seeds, 1, 10),
        "autoencoder.encoder.4.bias": (seeds, 1),
        "autoencoder.decoder.0.weight": (seeds, 10, 1),
        "autoencoder.decoder.0.bias": (seeds, 10),
        "autoencoder.decoder.2.weight": (seeds, 20, 10),
        "autoencoder.decoder.2.bias": (seeds, 20),
        "autoencoder.decoder.4.weight": (seeds, 2, 20),
        "autoencoder.decoder.4.bias": (seeds, 2),
    }


def test_the_hyper_parameters_rebuild_the_initial_weights(tmp_path, points):
    from aeflow.autoencoder.lit import AutoencoderModule

    path = tmp_path / "trained.ckpt"
    spec = TrainingSpec(epochs=2, seeds=3, seed=4)
    result = train_replicas(AE1, points, spec, "rebuild", final_checkpoint=path)
    hyper_parameters = torch.load(path, weights_only=True)["hyper_parameters"]
    for rebuilt in (AutoencoderModule(**hyper_parameters), AutoencoderModule(**hyper_parameters)):
        for k in range(3):
            assert _same_weights(rebuilt.replica(k), result.initial_states[k])
    # Building a module draws from its own generators, not the global random state.
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    AutoencoderModule(**hyper_parameters)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("seeds", [1, 3])
def test_the_retrained_encoder_checkpoint_loads_with_its_frozen_decoder(tmp_path, points, seeds):
    from aeflow.autoencoder.lit import AutoencoderModule

    base = tmp_path / "base.ckpt"
    train_replicas(AE1, points, TrainingSpec(epochs=2, seeds=seeds), "base", final_checkpoint=base)
    models = load_replicas(base)
    init = {"mean": 0.0, "std": 1.0, "seed": 1}
    path = tmp_path / "retrained.ckpt"
    spec = TrainingSpec(epochs=2, seeds=seeds)
    result, _ = retrain_encoder(models, points, init, spec, "re", path)
    module = AutoencoderModule.load_from_checkpoint(path)
    assert module.hparams.trainable == "encoder"
    assert result.global_step == 2 * 5  # 40 points in batches of 8: 5 steps per epoch
    # The hyper-parameters alone (no source checkpoint) rebuild the starting weights:
    # the trained decoders and the encoders drawn N(mean, std) from seeds 1, 2, ...
    hyper_parameters = torch.load(path, weights_only=True)["hyper_parameters"]
    assert hyper_parameters["encoder_init"] == {"mean": 0.0, "std": 1.0, "seeds": [1, 2, 3][:seeds]}
    rebuilt = AutoencoderModule(**hyper_parameters)
    for k, model in enumerate(models):
        assert _same_weights(module.replica(k), result.final_states[k])
        assert _same_weights(module.replica(k).decoder, model.decoder.state_dict())
        assert _same_weights(rebuilt.replica(k), result.initial_states[k])
        assert not any(p.requires_grad for p in rebuilt.autoencoder.decoder.parameters())


def test_the_stored_decoder_fit_takes_replicas_and_seeds_from_the_checkpoints(tmp_path):
    samples = tmp_path / "samples.csv"
    write_csv(make_replica_samples(40, 20, (-2.0, 2.0), (-1.0, 1.0), seed=0), samples)
    spec = TrainingSpec(epochs=1, batch_size=8, seed=3, seeds=2)
    init, trained = tmp_path / "init.ckpt", tmp_path / "trained.ckpt"
    train_replicas(AE1, load_points(samples), spec, "fit", init, trained)
    assert load_replica_seeds(init) == load_replica_seeds(trained) == [3, 4]
    sweep = {"margin": 0.1, "bound_points": 201, "z_range": "auto", "n_points": 8}
    stored = stored_decoder_fit({"before": init, "after": trained}, samples, sweep)
    direct = decoder_fit(
        {"before": load_replicas(init), "after": load_replicas(trained)},
        {split: load_points(samples, split) for split in ("train", "test")},
        [3, 4],
        margin=0.1,
        grid_points=201,
        z_range="auto",
        n_points=8,
    )
    for table, expected in zip(stored, direct, strict=True):
        pd.testing.assert_frame_equal(table, expected)
    assert set(stored[1]["seed"]) == {3, 4}


def test_playground_checkpoints_load_the_lightning_way(tmp_path):
    from aeflow.playground.lit import ClassifierModule

    spec = PlaygroundSpec(
        DataSpec(dataset="gauss", n_samples=60, seed=1),
        NetworkSpec((4,), "tanh", ("x1", "x2")),
        FitSpec(epochs=3, learning_rate=0.03, batch_size=10, seeds=2),
    )
    fast = PlaygroundSpec(spec.data, spec.network, FitSpec(epochs=3, learning_rate=0.3, seeds=2))
    path = tmp_path / "model.ckpt"
    result = train_chunk([("slow", spec), ("fast", fast)], "ckpt", checkpoint=path)
    payload = torch.load(path, weights_only=False)
    # 30 training points in batches of 10: 3 steps per epoch (all networks step together).
    assert set(payload) >= LIGHTNING_KEYS and payload["global_step"] == 3 * 3
    networks = ClassifierModule.load_from_checkpoint(path).network.eval()
    grid = torch.tensor([[0.0, 0.0], [1.0, -2.0]])
    slices = payload["hyper_parameters"]["slices"]
    assert [(s["trial"], s["seed"]) for s in slices] == [
        ("slow", 0), ("slow", 1), ("fast", 0), ("fast", 1)
    ]  # fmt: skip
    for r, entry in enumerate(slices):
        lightning = networks.replica(r)
        reader = load_classifier(path, entry["trial"], entry["seed"])
        weights = result.weights
        mine = weights[(weights["trial"] == entry["trial"]) & (weights["seed"] == entry["seed"])]
        first = mine[mine["layer"] == 1].sort_values(["target", "source"])["weight"].to_numpy()
        assert torch.allclose(
            reader.layers[0].weight.double().flatten(), torch.tensor(first), atol=1e-7
        )
        with torch.no_grad():
            assert torch.equal(lightning(grid), reader(grid))
    with pytest.raises(KeyError, match="no network of trial 'slow' seed 7"):
        load_classifier(path, "slow", 7)


def test_playground_keys_name_the_layer_and_the_hyper_parameters_rebuild_the_start(tmp_path):
    from aeflow.playground.lit import ClassifierModule

    spec = PlaygroundSpec(
        DataSpec(dataset="xor", n_samples=40, seed=2),
        NetworkSpec((4, 3), "tanh", ("x1", "x2")),
        FitSpec(epochs=2, learning_rate=0.1, batch_size=5, seeds=2),
    )
    path = tmp_path / "model.ckpt"
    train_chunk([("t", spec)], "keys", checkpoint=path, precision="64-true")
    payload = torch.load(path, weights_only=True)
    shapes = {name: tuple(t.shape) for name, t in payload["state_dict"].items()}
    assert shapes == {
        "network.layers.0.weight": (2, 4, 2),
        "network.layers.0.bias": (2, 4),
        "network.layers.1.weight": (2, 3, 4),
        "network.layers.1.bias": (2, 3),
        "network.layers.2.weight": (2, 1, 3),
        "network.layers.2.bias": (2, 1),
    }
    # Trained in float64, and the torch-only reader keeps it so.
    assert payload["hyper_parameters"]["dtype"] == "float64"
    networks, _ = load_networks(path)
    for name, tensor in networks.state_dict().items():
        assert torch.equal(tensor, payload["state_dict"][f"network.{name}"])
    # The hyper-parameters rebuild the initial weights: the Playground's draw per seed.
    rebuilt = ClassifierModule(**payload["hyper_parameters"]).network
    start = PlaygroundNetworks(spec.network, 2).double().initialise_([0, 1])
    for name, tensor in start.state_dict().items():
        assert torch.equal(rebuilt.state_dict()[name], tensor)
