"""pytorch-lightning's Trainer with lean settings, shared by every training in the package.

No logger, no checkpoint callbacks, no progress bar, no model summary: jobs write their own
outputs atomically, and their logs stay readable.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterable

import pytorch_lightning as pl


def quiet_lightning() -> None:
    """Silence Lightning's banner lines ("GPU available ...") and hints in job logs."""
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")
    warnings.filterwarnings("ignore", message=".*The `srun` command is available.*")


def fit(module: pl.LightningModule, loader: Iterable, epochs: int, accelerator: str) -> float:
    """Train ``module`` for ``epochs`` passes over ``loader``; returns the seconds taken."""
    quiet_lightning()
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
    )
    start = time.perf_counter()
    trainer.fit(module, train_dataloaders=loader)
    return time.perf_counter() - start
