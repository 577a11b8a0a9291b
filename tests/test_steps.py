"""Per-mini-batch updates: the direct torch path learns exactly what Lightning's wrappers
learn, both count every update in ``trainer.global_step``, and the wrappers are used
whenever something hooks into them."""

import pandas as pd
import pytest
import pytorch_lightning as pl
import torch

import aeflow.core.steps as steps
from aeflow.autoencoder.batches import ReplicaEpochBatches, ShuffledBatches
from aeflow.autoencoder.data import make_samples
from aeflow.autoencoder.lit import AutoencoderModule
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.autoencoder.training import train_replicas
from aeflow.playground.settings import DataSpec, FitSpec, NetworkSpec, PlaygroundSpec
from aeflow.playground.training import train_chunk


@pytest.fixture(scope="module")
def points() -> torch.Tensor:
    samples = make_samples(40, 0, (-2.0, 2.0), (-1.0, 1.0), seed=0)
    return torch.tensor(samples[["x", "y"]].to_numpy(), dtype=torch.float32)


@pytest.fixture
def through_lightning(monkeypatch):
    """Every update through manual_backward and LightningOptimizer.step."""
    monkeypatch.setattr(steps, "wrappers_needed", lambda module: True)


def _loader(points, seeds=(0,)):
    return ReplicaEpochBatches([ShuffledBatches(points, 8, seed=seed) for seed in seeds])


def _lean_trainer(epochs, **settings):
    return pl.Trainer(
        max_epochs=epochs, logger=False, enable_checkpointing=False, enable_progress_bar=False,
        enable_model_summary=False, **settings,
    )  # fmt: skip


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
    return train_chunk([("xor", spec)], "steps")


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
    loader = _loader(points)
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
        trainer.fit(module, train_dataloaders=_loader(data))
    assert seen == [False, False, True]  # mixed precision scales the loss: wrappers


# --- the Lightning internals MiniBatchSteps relies on (a failure here after a Lightning
# upgrade means steps.py must change, not the test)


def test_global_step_reads_the_internal_step_counter(points, monkeypatch):
    """``step_counter`` is what ``trainer.global_step`` reads, and Lightning's own
    optimiser steps count in it."""
    module = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict(), learning_rate=0.01)
    trainer = _lean_trainer(2)
    trainer.fit(module, train_dataloaders=_loader(points))
    assert not steps.wrappers_needed(module)  # the direct path was taken
    counter = steps.step_counter(trainer)
    assert trainer.global_step == counter.total.completed == 2 * 5
    counter.increment_by(3)
    assert trainer.global_step == 2 * 5 + 3
    # Through Lightning's wrappers, Lightning itself counts there.
    monkeypatch.setattr(steps, "wrappers_needed", lambda module: True)
    wrapped = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict(), learning_rate=0.01)
    trainer = _lean_trainer(2)
    trainer.fit(wrapped, train_dataloaders=_loader(points))
    assert steps.step_counter(trainer).total.completed == trainer.global_step == 2 * 5


class _AllHooks(pl.Callback):
    """Counts every callback hook Lightning calls."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        for name in dir(pl.Callback):
            if name.startswith("on_") and callable(getattr(pl.Callback, name)):
                setattr(self, name, self._counter(name))

    def _counter(self, name):
        def hook(*args, **kwargs):
            self.calls[name] = self.calls.get(name, 0) + 1

        return hook


def test_the_hooks_lightning_calls_per_update_are_the_step_hooks(points):
    """The direct path skips exactly what Lightning's wrappers call per update: if a new
    Lightning calls another hook per optimiser step, STEP_HOOKS must list it (and a
    callback overriding any step hook sends the updates through the wrappers)."""
    recorder = _AllHooks()
    module = AutoencoderModule(ModelSpec(hidden=(4,)).to_dict(), learning_rate=0.01)
    trainer = _lean_trainer(3, callbacks=[recorder])
    trainer.fit(module, train_dataloaders=_loader(points))  # 3 epochs x 5 updates
    assert steps.wrappers_needed(module)
    per_update = {name for name, count in recorder.calls.items() if count == 3 * 5}
    assert per_update == set(steps.STEP_HOOKS)
    assert max(count for name, count in recorder.calls.items() if name not in per_update) <= 3
