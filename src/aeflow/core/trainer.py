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

# Warnings a lean fit raises that say nothing about the training, by message (Lightning's
# documented way to silence its hints). tests/test_trainer.py checks that Lightning still
# emits each of them, so that a filter does not outlive its warning, and that a fit
# raises no other warning.
LIGHTNING_NOISE = (
    # Lightning's pytree helper (batch flattening) builds torch's deprecated LeafSpec.
    r".*LeafSpec.*",
    # srun found on PATH while not running under srun (SLURM login node, sbatch jobs).
    r".*The `srun` command is available.*",
)


def quiet_lightning() -> None:
    """Silence Lightning's banner lines ("GPU available ...") and hints in job logs."""
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for message in LIGHTNING_NOISE:
        warnings.filterwarnings("ignore", message=message)


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
