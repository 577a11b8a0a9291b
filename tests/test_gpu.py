"""Training on a GPU gives what training on the CPU gives. Runs wherever CUDA is present
(skipped, and said so, on machines without one, such as CI)."""

import pytest
import torch

from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import retrain_encoder, train_replicas
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_chunk

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine"),
]


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


@pytest.mark.parametrize("seeds", [1, 3])
def test_autoencoder_trains_on_the_gpu_as_on_the_cpu(points, seeds):
    spec = ModelSpec(hidden=(20, 10))
    results = {
        device: train_replicas(
            spec, points, TrainingSpec(epochs=20, seeds=seeds, accelerator=device), "gpu-check"
        )
        for device in ("cpu", "gpu")
    }
    cpu, gpu = results["cpu"], results["gpu"]
    assert cpu.losses[["step", "seed"]].equals(gpu.losses[["step", "seed"]])
    assert gpu.losses["loss"].to_numpy() == pytest.approx(cpu.losses["loss"].to_numpy(), rel=1e-3)
    for state in gpu.final_states:
        assert {tensor.device.type for tensor in state.values()} == {"cpu"}


def test_encoder_retraining_runs_on_the_gpu_as_on_the_cpu(points, tmp_path):
    # The module is built on the CPU from its hyper-parameters (the trained decoders
    # among them), then moved: both devices start from the same weights.
    from aeflow.autoencoder.lit import AutoencoderModule

    spec = ModelSpec(hidden=(20, 10))
    trained = train_replicas(spec, points, TrainingSpec(epochs=5, seeds=2), "base")
    models = [Autoencoder.from_state(spec, state) for state in trained.final_states]
    init = {"mean": 0.0, "std": 1.0, "seed": 1}
    results = {
        device: retrain_encoder(
            models,
            points,
            init,
            TrainingSpec(epochs=10, seeds=2, accelerator=device),
            "gpu-retrain",
            tmp_path / f"{device}.ckpt",
        )[0]
        for device in ("cpu", "gpu")
    }
    cpu, gpu = results["cpu"], results["gpu"]
    for k in range(2):
        for name, value in cpu.initial_states[k].items():
            assert torch.equal(gpu.initial_states[k][name], value)
    assert gpu.losses["loss"].to_numpy() == pytest.approx(cpu.losses["loss"].to_numpy(), rel=1e-3)
    module = AutoencoderModule.load_from_checkpoint(tmp_path / "gpu.ckpt", map_location="cpu")
    for name, value in module.replica(1).state_dict().items():
        assert torch.equal(value, gpu.final_states[1][name])


def test_playground_trains_on_the_gpu_as_on_the_cpu():
    def spec(accelerator: str) -> PlaygroundSpec:
        return PlaygroundSpec(
            DataSpec(dataset="gauss", n_samples=60, seed=1),
            NetworkSpec((4, 4), "tanh", ("x1", "x2")),
            FitSpec(epochs=10, learning_rate=0.03, batch_size=10, seeds=2, accelerator=accelerator),
        )

    cpu, gpu = (train_chunk([("t", spec(device))], device) for device in ("cpu", "gpu"))
    assert len(gpu.curves) == 2 * 11  # epoch 0 (recorded on the GPU) and 10 trained epochs
    for column in ("train_loss", "test_loss"):
        assert gpu.curves[column].to_numpy() == pytest.approx(
            cpu.curves[column].to_numpy(), rel=1e-4
        )
