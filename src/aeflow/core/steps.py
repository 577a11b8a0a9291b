"""Optimiser steps per mini-batch inside one Lightning training step.

The modules of this package take one *epoch* per Lightning step and update once per
mini-batch (manual optimisation). Lightning's wrappers around each update
(``manual_backward`` and ``LightningOptimizer.step``: hooks, profiler and precision
plumbing) cost a fixed overhead per update of the order of the update itself for these
tiny networks. When they have nothing to do (plain 32- or 64-bit precision on one device, and
neither the module nor a callback hooks backward or optimiser steps), ``MiniBatchSteps``
calls torch directly and records the updates in Lightning's step counter, so that
``trainer.global_step`` counts them either way; otherwise it goes through the wrappers.

Two Lightning internals are relied on, each guarded by a test in tests/test_steps.py that
fails if a Lightning upgrade changes it: the counter ``trainer.global_step`` reads in
manual optimisation (``step_counter``), and the list of hooks the wrappers call around an
update (``STEP_HOOKS``).
"""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.plugins.precision import DoublePrecision, Precision
from pytorch_lightning.strategies import SingleDeviceStrategy
from pytorch_lightning.utilities.model_helpers import is_overridden

# Hooks Lightning's wrappers call around an update: if anything overrides one, use them.
# (A test records every hook Lightning calls per update and compares them with this.)
STEP_HOOKS = ("on_before_backward", "on_after_backward", "on_before_optimizer_step")


def wrappers_needed(module: pl.LightningModule) -> bool:
    """Whether Lightning's per-update wrappers would do more than call torch."""
    trainer = module.trainer
    if type(trainer.precision_plugin) not in (Precision, DoublePrecision):
        return True  # mixed precision scales the loss and unscales the gradients
    if not isinstance(trainer.strategy, SingleDeviceStrategy):
        return True  # distributed strategies synchronise gradients in backward
    hooked = [
        (name, instance, parent)
        for name in STEP_HOOKS
        for instance, parent in [
            (module, pl.LightningModule),
            *((callback, pl.Callback) for callback in trainer.callbacks),
        ]
    ]
    return any(is_overridden(name, instance, parent) for name, instance, parent in hooked)


class MiniBatchSteps:
    """One epoch's updates: ``take(loss)`` zeroes the gradients, back-propagates ``loss``
    and steps the module's optimiser (keyword arguments go to its ``step``).

    Use as a context manager around the epoch: on exit the direct updates are added to
    Lightning's count of optimiser steps (``trainer.global_step``).
    """

    def __init__(self, module: pl.LightningModule, direct: bool | None = None) -> None:
        self.module = module
        self.wrapped = module.optimizers()  # Lightning's wrapper
        self.direct = not wrappers_needed(module) if direct is None else direct
        self.taken = 0

    def take(self, loss: torch.Tensor, **step_arguments: Any) -> None:
        if self.direct:
            optimizer = self.wrapped.optimizer
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step(**step_arguments)
            self.taken += 1
            return
        self.wrapped.zero_grad(set_to_none=True)
        self.module.manual_backward(loss)
        self.wrapped.step(**step_arguments)  # counted by Lightning itself

    def __enter__(self) -> MiniBatchSteps:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.taken:
            step_counter(self.module.trainer).increment_by(self.taken)
            self.taken = 0


def step_counter(trainer: pl.Trainer) -> Any:
    """Lightning's progress tracker of manual optimiser steps: ``trainer.global_step`` is
    its ``total.completed``, and ``LightningOptimizer.step`` increments it (a Lightning
    internal; no public API sets the step count)."""
    return trainer.fit_loop.epoch_loop.manual_optimization.optim_step_progress
