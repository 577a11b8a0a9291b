"""pytorch-lightning's Trainer with lean settings, shared by every training in the package.

No logger, no progress bar, no model summary: jobs write their own outputs atomically, and
their logs stay readable. Lightning's checkpoints are written by the callbacks here: the
untrained module's when training starts, and, given a job's state folder
(``core.state.TrainingState``), the training so far every few epochs, from which a killed
job's rerun resumes (``trainer.fit(ckpt_path=...)``) to the same bytes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import Checkpoint
from pytorch_lightning.plugins.environments import SLURMEnvironment

from aeflow.core.atomic import atomic_path
from aeflow.core.checkpoints import canonical
from aeflow.core.numerics import GPU_NOTE
from aeflow.core.state import TrainingState

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


# The checkpoint entry of what a module keeps outside its state dict (its records), in the
# state checkpoints only.
RESUME_KEY = "aeflow_resume"


class _CanonicalCheckpoint(pl.Callback):
    """Every checkpoint's strings interned (its containers rebuilt around them), so that its
    bytes depend on its content only. ``torch.save`` pickles a string once per object: the
    keys of an optimiser state restored from a checkpoint are strings of their own where an
    uninterrupted training's share one object with the loop state's, and the same content
    would give other bytes."""

    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict
    ) -> None:
        rebuilt = canonical(checkpoint)
        checkpoint.clear()
        checkpoint.update(rebuilt)


class _CheckpointAtStart(pl.Callback):
    """Lightning's checkpoint of the untrained module, written when training starts; with a
    ``state``, also kept there, and a resumed training copies it from there (the module it
    starts with is no longer the untrained one)."""

    def __init__(self, path: Path, state: TrainingState | None, resumed: bool) -> None:
        self.path, self.state, self.resumed = path, state, resumed

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if self.resumed:
            shutil.copyfile(self.state.initial, self.path)
            return
        trainer.save_checkpoint(self.path)
        if self.state:
            with atomic_path(self.state.initial) as kept:
                shutil.copyfile(self.path, kept)


class _SaveState(Checkpoint):
    """Lightning's checkpoint of the training so far (``trainer.save_checkpoint``: weights,
    optimiser and schedule, loop counters, the DataModule's state), written atomically to
    ``state.last`` after every ``every``-th epoch but the last, with the module's
    ``resume_state()`` (what it keeps outside its state dict: its loss records) under
    ``RESUME_KEY``; restored by ``load_resume_state`` when a fit resumes from it.

    A ``Checkpoint`` to Lightning: it runs after ``EarlyStopping`` at an epoch's end, and
    saves nothing at the epoch where that stopped the training (its end is near; a state
    saved there would resume into epochs the training never took).

    Lightning's ``ModelCheckpoint`` is not used: with ``save_last=True, save_top_k=0`` it
    writes ``last.ckpt`` only when training ends; it writes through a temporary file in the
    system's temporary folder (not atomic across file systems); and its own state (the
    absolute path of its folder) would enter every checkpoint, init and trained included.
    """

    def __init__(self, state: TrainingState, every: int) -> None:
        self.state, self.every = state, every
        self._saving = False
        self.first_step = 0  # the optimiser steps already taken when training (re)started

    def on_train_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self.first_step = trainer.global_step

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        done = trainer.current_epoch + 1
        if done % self.every or done >= trainer.max_epochs or trainer.should_stop:
            return
        self._saving = True
        try:
            with atomic_path(self.state.last) as path:
                trainer.save_checkpoint(path)
        finally:
            self._saving = False

    def on_save_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict
    ) -> None:
        if self._saving and hasattr(pl_module, "resume_state"):
            # Canonical like the rest (_CanonicalCheckpoint ran before: a Checkpoint, this
            # callback comes last).
            checkpoint[RESUME_KEY] = canonical(pl_module.resume_state())

    def on_load_checkpoint(
        self, trainer: pl.Trainer, pl_module: pl.LightningModule, checkpoint: dict
    ) -> None:
        if RESUME_KEY in checkpoint:
            pl_module.load_resume_state(checkpoint[RESUME_KEY])


@dataclass
class FitOutcome:
    seconds: float  # of this fit (a resumed training: since it resumed)
    global_step: int  # optimiser steps taken, as Lightning counts them
    first_step: int = 0  # those already taken when it resumed (0: started afresh)


def fit(
    module: pl.LightningModule,
    data: Iterable | pl.LightningDataModule,
    epochs: int,
    accelerator: str,
    initial_checkpoint: str | os.PathLike[str] | None = None,
    final_checkpoint: str | os.PathLike[str] | None = None,
    precision: str = "32-true",
    state: TrainingState | None = None,
) -> FitOutcome:
    """Train ``module`` for ``epochs`` passes over ``data`` (a loader, or a DataModule whose
    ``train_dataloader`` gives it).

    Optionally writes Lightning checkpoints of the module before and after training; both
    appear under their names only once training has succeeded (a killed job leaves none).
    ``precision`` is Lightning's ("64-true" trains in float64). With a ``state``, the
    training so far is saved there every ``state.interval(epochs)`` epochs, and a training
    whose state is there (same key) resumes from it; the caller removes the state once the
    job's outputs are written (``state.clear()``).
    """
    quiet_lightning()
    if accelerator != "cpu" and torch.cuda.is_available():
        logging.getLogger(__name__).warning(GPU_NOTE)
    resume = state.resume_point(initial_checkpoint is not None) if state else None
    with contextlib.ExitStack() as outputs:
        initial = (
            outputs.enter_context(atomic_path(initial_checkpoint)) if initial_checkpoint else None
        )
        final = outputs.enter_context(atomic_path(final_checkpoint)) if final_checkpoint else None
        callbacks: list[pl.Callback] = []
        if initial:
            callbacks.append(_CheckpointAtStart(initial, state, resume is not None))
        saver = _SaveState(state, state.interval(epochs)) if state else None
        if saver:
            callbacks.append(saver)
        # After the others have added their parts (but _SaveState, a Checkpoint, which
        # Lightning runs last: it makes its own part canonical).
        callbacks.append(_CanonicalCheckpoint())
        trainer = pl.Trainer(
            max_epochs=epochs,
            accelerator=accelerator,
            devices=1,
            logger=False,
            enable_checkpointing=saver is not None,  # no checkpoint callback but ours
            enable_progress_bar=False,
            enable_model_summary=False,
            num_sanity_val_steps=0,
            deterministic=True,
            precision=precision,
            callbacks=callbacks,
            # Snakemake resubmits failed jobs; Lightning must not requeue them itself.
            plugins=[SLURMEnvironment(auto_requeue=False)] if SLURMEnvironment.detect() else None,
        )
        if isinstance(data, pl.LightningDataModule):
            loaders = {"datamodule": data}
        else:
            loaders = {"train_dataloaders": data}
        start = time.perf_counter()
        trainer.fit(module, **loaders, ckpt_path=resume)
        seconds = time.perf_counter() - start
        if final:
            trainer.save_checkpoint(final)
    return FitOutcome(seconds, trainer.global_step, saver.first_step if saver else 0)
