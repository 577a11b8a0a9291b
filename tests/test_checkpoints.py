"""Every checkpoint is Lightning's own: load_from_checkpoint(path) gives the trained module
back, and Lightning's step count is the number of optimiser steps taken."""

import pytest
import torch

from aeflow.autoencoder.checkpoints import load_autoencoder, load_replicas
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import retrain_encoder, train_replicas
from aeflow.playground.checkpoints import load_classifier
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_batch

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


@pytest.mark.parametrize("seeds", [1, 3])
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
        for k in range(seeds):
            replica = module.replica(k)
            assert _same_weights(replica, states[k]) and _same_weights(readers[k], states[k])
            with torch.no_grad():
                assert torch.equal(replica(points), readers[k](points))
    # The trained weights are not the initial ones.
    assert not _same_weights(load_autoencoder(trained), result.initial_state)


def test_the_retrained_encoder_checkpoint_loads_with_its_frozen_decoder(tmp_path, points):
    from aeflow.autoencoder.lit import AutoencoderModule

    trained = train_replicas(AE1, points, TrainingSpec(epochs=2), "base")
    model = load_autoencoder_from_state(trained.final_state)
    decoder_before = {k: v.clone() for k, v in model.decoder.state_dict().items()}
    init = {"mean": 0.0, "std": 1.0, "seed": 1}
    path = tmp_path / "retrained.ckpt"
    result, _ = retrain_encoder([model], points, init, TrainingSpec(epochs=2), "re", path)
    module = AutoencoderModule.load_from_checkpoint(path)
    assert module.hparams.trainable == "encoder"
    assert _same_weights(module.replica(0), result.final_state)
    assert _same_weights(module.replica(0).decoder, decoder_before)
    assert result.global_step == 2 * 5  # 40 points in batches of 8: 5 steps per epoch


def load_autoencoder_from_state(state):
    from aeflow.autoencoder.models import Autoencoder

    model = Autoencoder(AE1)
    model.load_state_dict(state)
    return model


def test_playground_checkpoints_load_the_lightning_way(tmp_path):
    from aeflow.playground.lit import ClassifierModule

    spec = PlaygroundSpec(
        DataSpec(dataset="gauss", n_samples=60, seed=1),
        NetworkSpec((4,), "tanh", ("x1", "x2")),
        FitSpec(epochs=3, learning_rate=0.03, batch_size=10, seeds=2),
    )
    fast = PlaygroundSpec(spec.data, spec.network, FitSpec(epochs=3, learning_rate=0.3, seeds=2))
    path = tmp_path / "model.ckpt"
    result = train_batch([("slow", spec), ("fast", fast)], "ckpt", checkpoint=path)
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
