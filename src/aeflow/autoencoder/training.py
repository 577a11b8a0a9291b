"""Training autoencoders through pytorch-lightning's Trainer, with lean settings."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.replicas import ReplicaEpochBatches, ReplicatedAutoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.core.batches import EpochBatches, ShuffledBatches
from aeflow.core.modules import count_parameters

log = logging.getLogger(__name__)
Path = str | os.PathLike[str]


@dataclass
class TrainingResult:
    """Weights before/after (one state dict per seed replica) and the loss history."""

    initial_states: list[dict[str, torch.Tensor]]
    final_states: list[dict[str, torch.Tensor]]
    losses: pd.DataFrame  # step, epoch, examples_seen, loss, seed (mini-batch losses)
    seconds: float
    global_step: int  # optimiser steps, as Lightning's Trainer counted them
    # Per epoch (0 = untrained): epoch, examples_seen, train_loss (full training set),
    # test_loss (held-out set), seed; empty without evaluation sets.
    curves: pd.DataFrame | None = None

    @property
    def initial_state(self) -> dict[str, torch.Tensor]:
        return self.initial_states[0]

    @property
    def final_state(self) -> dict[str, torch.Tensor]:
        return self.final_states[0]


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


def curve_table(
    epoch_losses: torch.Tensor, examples_per_epoch: int, seeds: list[int]
) -> pd.DataFrame:
    """Per-epoch full-set losses (epochs + 1, 2, replicas) as rows of epoch, examples seen,
    train_loss, test_loss and seed; seed-major order."""
    epochs = np.arange(len(epoch_losses))
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "epoch": epochs,
                    "examples_seen": epochs * examples_per_epoch,
                    "train_loss": epoch_losses[:, 0, k].double().numpy(),
                    "test_loss": epoch_losses[:, 1, k].double().numpy(),
                    "seed": seed,
                }
            )
            for k, seed in enumerate(seeds)
        ],
        ignore_index=True,
    )


def _states(module) -> list[dict[str, torch.Tensor]]:
    return [module.replica(k).state_dict() for k in range(module.replicas)]


def _fit(
    module,
    loader: Iterable,
    spec: TrainingSpec,
    batch_sizes: list[int],
    batch_seeds: list[int],
    initial_checkpoint: Path | None = None,
    final_checkpoint: Path | None = None,
) -> TrainingResult:
    """Run Lightning's Trainer (lean settings) over ``loader``; tabulate the losses."""
    from aeflow.core.trainer import fit

    initial_states = _states(module)
    outcome = fit(
        module, loader, spec.epochs, spec.accelerator, initial_checkpoint, final_checkpoint
    )
    module.cpu()
    losses = loss_table(torch.stack(module.batch_losses).cpu(), batch_sizes, batch_seeds)
    curves = (
        curve_table(torch.stack(module.epoch_losses).cpu(), sum(batch_sizes), batch_seeds)
        if module.epoch_losses
        else None
    )
    steps = losses["step"].nunique()
    last = losses.loc[losses["epoch"] == losses["epoch"].max(), "loss"].mean()
    log.info(
        "trained %s in %.1f s (%.0f steps/s, global_step %d); last-epoch mean loss %.6g",
        module.hparams.run_name,
        outcome.seconds,
        steps / outcome.seconds,
        outcome.global_step,
        last,
    )
    return TrainingResult(
        initial_states, _states(module), losses, outcome.seconds, outcome.global_step, curves
    )


def _log_start(module, spec: TrainingSpec, batches: ShuffledBatches) -> None:
    network = module.replica(0)
    log.info(
        "training %s: %d replica(s) (seeds %s) x %d parameters (%d trainable), "
        "%d epochs x %d batches of %d, %s lr=%g",
        module.hparams.run_name,
        module.replicas,
        list(module.hparams.seeds),
        count_parameters(network),
        count_parameters(network, trainable_only=True),
        spec.epochs,
        len(batches),
        spec.batch_size,
        spec.optimizer,
        spec.learning_rate,
    )


def train_autoencoder(
    model: Autoencoder,
    train_points: torch.Tensor,
    spec: TrainingSpec,
    run_name: str,
    trainable: str = "all",
    final_checkpoint: Path | None = None,
) -> TrainingResult:
    """Fit ``model`` in place on ``train_points`` (reconstruction MSE) and return its history.

    The batch order comes from ``spec.seed``; the initial weights are whatever ``model``
    holds (see ``init_autoencoder``), so retraining can start from a prepared model.
    """
    from aeflow.autoencoder.lit import AutoencoderModule

    module = AutoencoderModule(
        model.spec.to_dict(), spec.optimizer, spec.learning_rate, [spec.seed], trainable, run_name
    )
    module.autoencoder = model
    if trainable == "encoder":
        module.freeze_decoder()
    batches = ShuffledBatches(
        train_points, spec.batch_size, spec.shuffle, spec.drop_last, seed=spec.seed
    )
    _log_start(module, spec, batches)
    return _fit(
        module,
        EpochBatches(batches),
        spec,
        batches.batch_sizes(),
        [spec.seed],
        final_checkpoint=final_checkpoint,
    )


def replica_seeds(spec: TrainingSpec) -> list[int]:
    """Training seeds of the replicas: ``seed``, ``seed + 1``, ..."""
    return [spec.seed + k for k in range(spec.seeds)]


def train_replicas(
    model_spec: ModelSpec,
    train_points: torch.Tensor,
    spec: TrainingSpec,
    run_name: str,
    initial_checkpoint: Path | None = None,
    final_checkpoint: Path | None = None,
    held_out: torch.Tensor | None = None,
) -> TrainingResult:
    """Train ``spec.seeds`` independent replicas, each exactly as a lone training with its
    seed would (own initial weights, own batch order), vectorised in one Lightning run.
    Writes Lightning checkpoints of the untrained and trained module when paths are given.
    With ``held_out`` points, the result's ``curves`` hold the loss over the whole training
    set and the held-out set after every epoch."""
    from aeflow.autoencoder.lit import AutoencoderModule

    seeds = replica_seeds(spec)
    module = AutoencoderModule(
        model_spec.to_dict(), spec.optimizer, spec.learning_rate, seeds, run_name=run_name
    )
    if held_out is not None:
        module.attach_evaluation(train_points, held_out)
    per_replica = [
        ShuffledBatches(train_points, spec.batch_size, spec.shuffle, spec.drop_last, seed=seed)
        for seed in seeds
    ]
    loader = EpochBatches(per_replica[0]) if len(seeds) == 1 else ReplicaEpochBatches(per_replica)
    _log_start(module, spec, per_replica[0])
    return _fit(
        module,
        loader,
        spec,
        per_replica[0].batch_sizes(),
        seeds,
        initial_checkpoint,
        final_checkpoint,
    )


def retrain_encoder(
    models: list[Autoencoder],
    points: torch.Tensor,
    init: dict,
    spec: TrainingSpec,
    run_name: str,
    final_checkpoint: Path | None = None,
) -> tuple[TrainingResult, pd.DataFrame]:
    """Part (g), per seed replica: replica k keeps its own trained decoder, frozen; its
    encoder is re-initialised (``init``: mean, std, and seed + k) and retrained in place,
    with the batch order of training seed ``spec.seed + k``. All replicas train at once.
    Returns the training result and each point's latent code before and after, per
    replica (x, y, z_before, z_after, seed)."""
    from aeflow.autoencoder.analysis import (
        encode,
        latent_shift_table,
        reinitialise_encoder_freeze_decoder,
    )
    from aeflow.autoencoder.lit import AutoencoderModule

    seeds = [spec.seed + k for k in range(len(models))]
    codes_before = [encode(model, points) for model in models]
    for k, model in enumerate(models):
        reinitialise_encoder_freeze_decoder(model, init["mean"], init["std"], init["seed"] + k)
    if len(models) == 1:
        result = train_autoencoder(
            models[0].train(), points, spec, run_name, "encoder", final_checkpoint
        )
    else:
        module = AutoencoderModule(
            models[0].spec.to_dict(), spec.optimizer, spec.learning_rate, seeds, "encoder", run_name
        )
        module.autoencoder = ReplicatedAutoencoder(models)
        module.freeze_decoder()
        per_replica = [
            ShuffledBatches(points, spec.batch_size, spec.shuffle, spec.drop_last, seed=seed)
            for seed in seeds
        ]
        _log_start(module, spec, per_replica[0])
        result = _fit(
            module,
            ReplicaEpochBatches(per_replica),
            spec,
            per_replica[0].batch_sizes(),
            seeds,
            final_checkpoint=final_checkpoint,
        )
        for model, state in zip(models, result.final_states, strict=True):
            model.load_state_dict(state)
    shifts = [
        latent_shift_table(points, before, encode(model, points)).assign(seed=seed)
        for model, before, seed in zip(models, codes_before, seeds, strict=True)
    ]
    return result, pd.concat(shifts, ignore_index=True)


@dataclass
class TrialBatchResult:
    curves: pd.DataFrame  # trial, seed, epoch, examples_seen, train_loss, test_loss
    metrics: pd.DataFrame  # trial, seed, parameters, final losses, gap, diverged
    seconds: float
    global_step: int


def train_trial_batch(
    trials: list[tuple[str, ModelSpec, TrainingSpec]],
    train_points: torch.Tensor,
    held_out: torch.Tensor,
    run_name: str,
    checkpoint: Path | None = None,
) -> TrialBatchResult:
    """Train the trials of one sweep batch together: every trial's seed replicas, each with
    the trial's own learning rate (one optimiser parameter group per trial), exactly as
    each trial would train alone. The trials must share the architecture, optimiser,
    epochs, loader and accelerator (``sweeps.batch_key``). A diverging replica does not
    stop the others; its losses are NaN and its metrics say ``diverged``."""
    from aeflow.autoencoder.lit import AutoencoderModule
    from aeflow.core.trainer import fit

    model_spec, first = trials[0][1], trials[0][2]
    shared = ("optimizer", "epochs", "batch_size", "shuffle", "drop_last", "accelerator")
    mixed = [
        name
        for name, model, spec in trials
        if model != model_spec or any(getattr(spec, k) != getattr(first, k) for k in shared)
    ]
    if mixed:
        raise ValueError(f"trials {mixed} cannot share a batch with {trials[0][0]!r}")
    seeds = [replica_seeds(spec) for _, _, spec in trials]
    flat_seeds = [seed for trial_seeds in seeds for seed in trial_seeds]
    module = AutoencoderModule(
        model_spec.to_dict(),
        first.optimizer,
        first.learning_rate,
        flat_seeds,
        run_name=run_name,
        group_sizes=[len(s) for s in seeds],
        group_learning_rates=[spec.learning_rate for _, _, spec in trials],
        stop_on_divergence=False,
    ).attach_evaluation(train_points, held_out)
    per_replica = [
        ShuffledBatches(train_points, first.batch_size, first.shuffle, first.drop_last, seed=seed)
        for seed in flat_seeds
    ]
    log.info(
        "training %s: %d trials, %d networks of %s (%d parameters each), %d epochs x %d "
        "batches of %d, %s, learning rates %s",
        run_name,
        len(trials),
        len(flat_seeds),
        model_spec.to_dict(),
        count_parameters(module.replica(0)),
        first.epochs,
        len(per_replica[0]),
        first.batch_size,
        first.optimizer,
        [spec.learning_rate for _, _, spec in trials],
    )
    outcome = fit(
        module,
        ReplicaEpochBatches(per_replica),
        first.epochs,
        first.accelerator,
        final_checkpoint=checkpoint,
    )
    module.cpu()
    per_epoch = torch.stack(module.epoch_losses).cpu()  # (epochs + 1, 2, replicas)
    names = [
        name for (name, _, _), trial_seeds in zip(trials, seeds, strict=True) for _ in trial_seeds
    ]
    curves = curve_table(per_epoch, sum(per_replica[0].batch_sizes()), flat_seeds)
    curves.insert(0, "trial", np.repeat(names, len(per_epoch)))
    parameters = count_parameters(module.replica(0))
    final = per_epoch[-1].double().numpy()
    finite = torch.isfinite(per_epoch).all(dim=(0, 1)).numpy()
    metrics = pd.DataFrame(
        {
            "trial": names,
            "seed": flat_seeds,
            "parameters": parameters,
            "diverged": ~finite,
            "train_mse": final[0],
            "test_mse": final[1],
            "gap": final[1] - final[0],
        }
    )
    for r in np.flatnonzero(~finite):
        log.warning("%s: trial %r seed %d diverged", run_name, names[r], flat_seeds[r])
    log.info("trained %s in %.1f s (%d steps)", run_name, outcome.seconds, outcome.global_step)
    return TrialBatchResult(curves, metrics, outcome.seconds, outcome.global_step)
