"""pytorch-lightning's Trainer with lean settings, shared by every training in the package.

No logger, no checkpoint callbacks, no progress bar, no model summary: jobs write their own
outputs atomically, and their logs stay readable.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.plugins.environments import SLURMEnvironment

from aeflow.core.atomic import atomic_path
from aeflow.core.numerics import GPU_NOTE


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def make_optimizer(
    name: str, params: list[torch.nn.Parameter] | list[dict], learning_rate: float
) -> torch.optim.Optimizer:
    """Adam or plain SGD; the fused kernels are used (one kernel for all parameters).
    ``params`` may be torch's parameter groups (dicts with their own ``lr``)."""
    if name == "adam":
        return torch.optim.Adam(params, lr=learning_rate, fused=True)
    if name == "sgd":
        return torch.optim.SGD(params, lr=learning_rate, fused=True)
    raise ValueError(f"unknown optimizer {name!r}")


def quiet_lightning() -> None:
    """Silence Lightning's banner lines ("GPU available ...") and hints in job logs."""
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")
    warnings.filterwarnings("ignore", message=".*The `srun` command is available.*")


class _CheckpointAtStart(pl.Callback):
    """Lightning's checkpoint of the untrained module, written when training starts."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        trainer.save_checkpoint(self.path)


@dataclass
class FitOutcome:
    seconds: float
    global_step: int  # optimiser steps taken, as Lightning counts them


def fit(
    module: pl.LightningModule,
    loader: Iterable,
    epochs: int,
    accelerator: str,
    initial_checkpoint: str | os.PathLike[str] | None = None,
    final_checkpoint: str | os.PathLike[str] | None = None,
    precision: str = "32-true",
) -> FitOutcome:
    """Train ``module`` for ``epochs`` passes over ``loader``.

    Optionally writes Lightning checkpoints of the module before and after training; both
    appear under their names only once training has succeeded (a killed job leaves none).
    ``precision`` is Lightning's ("64-true" trains in float64).
    """
    quiet_lightning()
    if accelerator != "cpu" and torch.cuda.is_available():
        logging.getLogger(__name__).warning(GPU_NOTE)
    with contextlib.ExitStack() as outputs:
        initial = (
            outputs.enter_context(atomic_path(initial_checkpoint)) if initial_checkpoint else None
        )
        final = outputs.enter_context(atomic_path(final_checkpoint)) if final_checkpoint else None
        trainer = pl.Trainer(
            max_epochs=epochs,
            accelerator=accelerator,
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
            deterministic=True,
            precision=precision,
            callbacks=[_CheckpointAtStart(initial)] if initial else [],
            # Snakemake resubmits failed jobs; Lightning must not requeue them itself.
            plugins=[SLURMEnvironment(auto_requeue=False)] if SLURMEnvironment.detect() else None,
        )
        start = time.perf_counter()
        trainer.fit(module, train_dataloaders=loader)
        seconds = time.perf_counter() - start
        if final:
            trainer.save_checkpoint(final)
    return FitOutcome(seconds, trainer.global_step)
