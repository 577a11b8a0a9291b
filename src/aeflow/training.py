"""Training an autoencoder through pytorch-lightning's Trainer, with lean settings."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aeflow.batches import EpochBatches, ShuffledBatches
from aeflow.models import Autoencoder, count_parameters
from aeflow.replicas import ReplicaEpochBatches, ReplicatedAutoencoder
from aeflow.settings import ModelSpec, TrainingSpec

log = logging.getLogger(__name__)


@dataclass
class TrainingResult:
    """Weights before/after (one state dict per seed replica) and the loss history."""

    initial_states: list[dict[str, torch.Tensor]]
    final_states: list[dict[str, torch.Tensor]]
    losses: pd.DataFrame  # step, epoch, examples_seen, loss, seed
    seconds: float

    @property
    def initial_state(self) -> dict[str, torch.Tensor]:
        return self.initial_states[0]

    @property
    def final_state(self) -> dict[str, torch.Tensor]:
        return self.final_states[0]


def init_autoencoder(spec: ModelSpec, seed: int) -> Autoencoder:
    """A freshly initialised autoencoder; the weights depend on ``seed`` alone."""
    torch.manual_seed(seed)
    return Autoencoder(spec)


def loss_table(
    batch_losses: torch.Tensor, batch_sizes: list[int], seeds: list[int]
) -> pd.DataFrame:
    """Per-batch loss curves (steps x replicas) as rows of step, epoch, examples seen,
    loss and the replica's training seed; seed-major order.

    ``batch_sizes``: the sizes of one epoch's batches, in order (a last, smaller batch
    when ``drop_last`` is off), so ``examples_seen`` counts the points actually used.
    """
    batch_losses = batch_losses.reshape(len(batch_losses), len(seeds))
    steps = np.arange(len(batch_losses))
    epochs = steps // len(batch_sizes)
    examples_seen = np.cumsum(np.resize(np.asarray(batch_sizes, dtype=np.int64), len(steps)))
    frames = [
        pd.DataFrame(
            {
                "step": steps,
                "epoch": epochs,
                "examples_seen": examples_seen,
                "loss": batch_losses[:, k].double().numpy(),
                "seed": seed,
            }
        )
        for k, seed in enumerate(seeds)
    ]
    return pd.concat(frames, ignore_index=True)


def _fit(
    model: Autoencoder | ReplicatedAutoencoder,
    loader: Iterable,
    spec: TrainingSpec,
    run_name: str,
) -> tuple[torch.Tensor, float]:
    """Run Lightning's Trainer (lean settings) over ``loader``; per-step losses and seconds."""
    from aeflow.lit import AutoencoderModule
    from aeflow.trainer import fit

    module = AutoencoderModule(model, spec.optimizer, spec.learning_rate, run_name)
    seconds = fit(module, loader, spec.epochs, spec.accelerator)
    model.cpu()
    return torch.stack(module.batch_losses).cpu(), seconds


def _log_done(run_name: str, losses: pd.DataFrame, seconds: float) -> None:
    steps = losses["step"].nunique()
    last = losses.loc[losses["epoch"] == losses["epoch"].max(), "loss"].mean()
    log.info(
        "trained %s in %.1f s (%.0f steps/s); last-epoch mean loss %.6g",
        run_name,
        seconds,
        steps / seconds,
        last,
    )


def train_autoencoder(
    model: Autoencoder,
    train_points: torch.Tensor,
    spec: TrainingSpec,
    run_name: str,
) -> TrainingResult:
    """Fit ``model`` in place on ``train_points`` (reconstruction MSE) and return its history.

    The batch order comes from ``spec.seed``; the initial weights are whatever ``model``
    holds (see ``init_autoencoder``), so retraining can start from a prepared model.
    """
    batches = ShuffledBatches(
        train_points, spec.batch_size, spec.shuffle, spec.drop_last, seed=spec.seed
    )
    initial_state = copy.deepcopy(model.state_dict())
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
    batch_losses, seconds = _fit(model, EpochBatches(batches), spec, run_name)
    losses = loss_table(batch_losses, batches.batch_sizes(), [spec.seed])
    _log_done(run_name, losses, seconds)
    return TrainingResult([initial_state], [copy.deepcopy(model.state_dict())], losses, seconds)


def replica_seeds(spec: TrainingSpec) -> list[int]:
    """Training seeds of the replicas: ``seed``, ``seed + 1``, ..."""
    return [spec.seed + k for k in range(spec.seeds)]


def train_replicas(
    model_spec: ModelSpec, train_points: torch.Tensor, spec: TrainingSpec, run_name: str
) -> TrainingResult:
    """Train ``spec.seeds`` independent replicas, each exactly as a lone training with its
    seed would (own initial weights, own batch order), vectorised in one Lightning run."""
    seeds = replica_seeds(spec)
    if len(seeds) == 1:
        return train_autoencoder(
            init_autoencoder(model_spec, seeds[0]), train_points, spec, run_name
        )
    models = [init_autoencoder(model_spec, seed) for seed in seeds]
    initial_states = [copy.deepcopy(m.state_dict()) for m in models]
    replicated = ReplicatedAutoencoder(models)
    per_replica = [
        ShuffledBatches(train_points, spec.batch_size, spec.shuffle, spec.drop_last, seed=seed)
        for seed in seeds
    ]
    log.info(
        "training %s: %d replicas (seeds %d..%d) x %d parameters, %d epochs x %d batches of %d,"
        " %s lr=%g",
        run_name,
        len(seeds),
        seeds[0],
        seeds[-1],
        count_parameters(models[0]),
        spec.epochs,
        len(per_replica[0]),
        spec.batch_size,
        spec.optimizer,
        spec.learning_rate,
    )
    batch_losses, seconds = _fit(replicated, ReplicaEpochBatches(per_replica), spec, run_name)
    losses = loss_table(batch_losses, per_replica[0].batch_sizes(), seeds)
    _log_done(run_name, losses, seconds)
    return TrainingResult(initial_states, replicated.replica_state_dicts(), losses, seconds)


def retrain_encoder(
    model: Autoencoder,
    points: torch.Tensor,
    init: dict,
    spec: TrainingSpec,
    run_name: str,
) -> tuple[TrainingResult, pd.DataFrame]:
    """Part (g): keep ``model``'s trained decoder frozen, re-initialise its encoder
    (``init``: mean, std, seed) and retrain it in place. Returns the training result and
    each point's latent code before and after (x, y, z_before, z_after)."""
    from aeflow.analysis import encode, latent_shift_table, reinitialise_encoder_freeze_decoder

    codes_before = encode(model, points)
    reinitialise_encoder_freeze_decoder(model, init["mean"], init["std"], init["seed"])
    result = train_autoencoder(model.train(), points, spec, run_name)
    return result, latent_shift_table(points, codes_before, encode(model, points))
