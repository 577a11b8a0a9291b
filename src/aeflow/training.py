"""Training an autoencoder through pytorch-lightning's Trainer, with lean settings."""

from __future__ import annotations

import copy
import logging
import time
import warnings
from dataclasses import dataclass

import pandas as pd
import torch

from aeflow.batches import ShuffledBatches
from aeflow.models import Autoencoder, ModelSpec, count_parameters
from aeflow.settings import TrainingSpec

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    initial_state: dict[str, torch.Tensor]
    final_state: dict[str, torch.Tensor]
    losses: pd.DataFrame  # step, epoch, examples_seen, loss
    seconds: float


def init_autoencoder(spec: ModelSpec, seed: int) -> Autoencoder:
    """A freshly initialised autoencoder; the weights depend on ``seed`` alone."""
    torch.manual_seed(seed)
    return Autoencoder(spec)


def _quiet_lightning() -> None:
    # Lightning's banner lines ("GPU available ...") and hints would drown the job logs.
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*does not have many workers.*")
    warnings.filterwarnings("ignore", message=".*smaller than the logging interval.*")
    warnings.filterwarnings("ignore", message=".*LeafSpec.*")


def loss_table(batch_losses: torch.Tensor, batches_per_epoch: int, batch_size: int) -> pd.DataFrame:
    """Per-batch loss curve with its step, epoch and cumulative examples seen."""
    steps = torch.arange(len(batch_losses))
    return pd.DataFrame(
        {
            "step": steps.numpy(),
            "epoch": (steps // batches_per_epoch).numpy(),
            "examples_seen": ((steps + 1) * batch_size).numpy(),
            "loss": batch_losses.double().numpy(),
        }
    )


def train_autoencoder(
    model: Autoencoder,
    train_points: torch.Tensor,
    spec: TrainingSpec,
    run_name: str,
) -> TrainingResult:
    """Fit ``model`` in place on ``train_points`` (reconstruction MSE) and return its history."""
    import pytorch_lightning as pl

    from aeflow.lit import AutoencoderModule

    _quiet_lightning()
    batches = ShuffledBatches(
        train_points, spec.batch_size, spec.shuffle, spec.drop_last, seed=spec.seed
    )
    initial_state = copy.deepcopy(model.state_dict())
    module = AutoencoderModule(model, spec.optimizer, spec.learning_rate, run_name)
    trainer = pl.Trainer(
        max_epochs=spec.epochs,
        accelerator=spec.accelerator,
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        deterministic=True,
    )
    log.info(
        "training %s: %d parameters (%d trainable), %d epochs x %d batches of %d, %s lr=%g",
        run_name,
        count_parameters(model),
        count_parameters(model, trainable_only=True),
        spec.epochs,
        len(batches),
        spec.batch_size,
        spec.optimizer,
        spec.learning_rate,
    )
    start = time.perf_counter()
    trainer.fit(module, train_dataloaders=batches)
    seconds = time.perf_counter() - start
    model.cpu()
    losses = loss_table(torch.stack(module.batch_losses).cpu(), len(batches), spec.batch_size)
    log.info(
        "trained %s in %.1f s (%.0f steps/s); last-epoch mean loss %.6g",
        run_name,
        seconds,
        len(losses) / seconds,
        losses.loc[losses["epoch"] == losses["epoch"].max(), "loss"].mean(),
    )
    return TrainingResult(initial_state, copy.deepcopy(model.state_dict()), losses, seconds)
