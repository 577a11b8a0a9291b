"""Per-mini-batch updates: the direct torch path learns exactly what Lightning's wrappers
learn, both count every update in ``trainer.global_step``, and the wrappers are used
whenever something hooks into them."""

import pandas as pd
import pytest
import pytorch_lightning as pl
import torch

import aeflow.core.steps as steps
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.lit import AutoencoderModule
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas
from aeflow.core.batches import EpochBatches, ShuffledBatches
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_batch


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


@pytest.fixture
def through_lightning(monkeypatch):
    """Every update through manual_backward and LightningOptimizer.step."""
    monkeypatch.setattr(steps, "wrappers_needed", lambda module: True)


def _autoencoder(points):
    spec = TrainingSpec(epochs=6, batch_size=8, seeds=2, learning_rate=0.01)
    return train_replicas(ModelSpec(hidden=(6,)), points, spec, run_name="steps")


def _playground():
    spec = PlaygroundSpec(
        DataSpec(dataset="xor", n_samples=40, train_ratio=0.5, seed=2),
        NetworkSpec((3,), "tanh", ("x1", "x2")),
        FitSpec(epochs=5, learning_rate=0.1, batch_size=6, regularization="l1",
                regularization_rate=0.01, seeds=2),
    )  # fmt: skip
    return train_batch([("xor", spec)], "steps")


def test_direct_updates_equal_lightnings_and_count_in_global_step(points, monkeypatch):
    direct_ae, direct_pg = _autoencoder(points), _playground()
    monkeypatch.setattr(steps, "wrappers_needed", lambda module: True)
    wrapped_ae, wrapped_pg = _autoencoder(points), _playground()
    pd.testing.assert_frame_equal(direct_ae.losses, wrapped_ae.losses, check_exact=True)
    pd.testing.assert_frame_equal(direct_pg.curves, wrapped_pg.curves, check_exact=True)
    pd.testing.assert_frame_equal(direct_pg.weights, wrapped_pg.weights, check_exact=True)
    assert direct_ae.global_step == wrapped_ae.global_step == 6 * 5  # 40 points, batch 8
    assert direct_pg.global_step == wrapped_pg.global_step == 5 * 3  # 20 points, batch 6


class _CountBackward(pl.Callback):
    def __init__(self) -> None:
        self.calls = 0

    def on_before_backward(self, trainer, pl_module, loss) -> None:
        self.calls += 1


def test_a_callback_hooking_backward_gets_lightnings_wrappers(points):
    module = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict(), learning_rate=0.01)
    counter = _CountBackward()
    trainer = pl.Trainer(
        max_epochs=3, logger=False, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, callbacks=[counter],
    )  # fmt: skip
    loader = EpochBatches(ShuffledBatches(points, 8, seed=0))
    trainer.fit(module, train_dataloaders=loader)
    assert counter.calls == 3 * 5  # every update went through manual_backward
    assert trainer.global_step == 3 * 5
    assert steps.wrappers_needed(module)


def test_plain_precision_on_one_device_needs_no_wrappers(points):
    seen = []

    class Probe(pl.Callback):
        def on_train_start(self, trainer, pl_module) -> None:
            seen.append(steps.wrappers_needed(pl_module))

    for precision in ("32-true", "64-true", "bf16-mixed"):
        module = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict())
        trainer = pl.Trainer(
            max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
            enable_model_summary=False, callbacks=[Probe()], precision=precision,
        )  # fmt: skip
        data = points.double() if precision == "64-true" else points
        trainer.fit(module, train_dataloaders=EpochBatches(ShuffledBatches(data, 8, seed=0)))
    assert seen == [False, False, True]  # mixed precision scales the loss: wrappers
