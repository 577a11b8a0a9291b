"""Training autoencoders through pytorch-lightning's Trainer, with lean settings."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aeflow.autoencoder.data import replica_points, replicas_points
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.settings import ModelSpec, TrainingSpec
from aeflow.core.curves import CURVE_COLUMNS, curve_table, warn_divergence
from aeflow.core.modules import count_parameters
from aeflow.core.stacked import stack_states
from aeflow.core.state import TrainingState

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
    # test_loss (held-out set), seed, and with validation points validation_loss; empty
    # without evaluation sets.
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


def _states(module) -> list[dict[str, torch.Tensor]]:
    return [module.replica(k).state_dict() for k in range(module.replicas)]


def _fit(
    module,
    seeds: list[int],
    points: torch.Tensor,
    spec: TrainingSpec,
    initial_checkpoint: Path | None = None,
    final_checkpoint: Path | None = None,
    state: TrainingState | None = None,
) -> TrainingResult:
    """Train ``module`` (its replicas initialised from ``seeds``) on ``points`` (one set
    (n, 2) for all, or replica k's own ``points[k]`` of (R, n, 2)), replica k with the batch
    order of training seed ``seeds[k]``, through Lightning's Trainer (lean settings), with
    the job's ``state`` (saved every few epochs, resumed from if there); tabulate the
    losses."""
    from aeflow.autoencoder.lit import ReplicaData
    from aeflow.core.trainer import fit

    data = ReplicaData(
        points, spec.batch_size, spec.shuffle, spec.drop_last, seeds, spec.record_every
    )
    batch_sizes = data.batch_sizes()
    _log_start(module, spec, len(batch_sizes))
    initial_states = _states(module)
    # One Lightning step takes record_every epochs (then evaluates): Lightning's epochs.
    outcome = fit(
        module,
        data,
        spec.epochs // spec.record_every,
        spec.accelerator,
        initial_checkpoint,
        final_checkpoint,
        state=state,
    )
    module.cpu()
    losses = loss_table(torch.stack(module.batch_losses).cpu(), batch_sizes, seeds)
    curves = (
        _curves(torch.stack(module.epoch_losses), sum(batch_sizes), seeds, spec.record_every)
        if module.epoch_losses
        else None
    )
    steps = outcome.global_step - outcome.first_step  # taken by this fit
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


def _curves(records: torch.Tensor, per_epoch: int, seeds: list[int], every: int) -> pd.DataFrame:
    """The curve table of ``records`` (records, R, 2 or 3: train, test and, when validation
    points were attached, validation): CURVE_COLUMNS and seed, then validation_loss."""
    curves = curve_table(records[:, :, :2], per_epoch, {"seed": seeds}, every=every)
    curves = curves[[*CURVE_COLUMNS, "seed"]]
    if records.shape[2] > 2:  # seed-major, as curve_table's rows
        validation = records[:, :, 2].T.reshape(-1).detach().cpu().double().numpy()
        curves = curves.assign(validation_loss=validation)
    return curves


def with_validation_column(curves: pd.DataFrame) -> pd.DataFrame:
    """``curves`` with a ``validation_loss`` column (``tables.RECORDED_CURVES``): NaN
    throughout when the training had no validation points."""
    if "validation_loss" in curves:
        return curves
    return curves.assign(validation_loss=float("nan"))


def _log_start(module, spec: TrainingSpec, batches: int) -> None:
    network = module.autoencoder
    log.info(
        "training %s: %d replica(s) (seeds %s) x %d parameters (%d trainable), "
        "%d epochs x %d batches of %d, %s lr=%g (%s)%s",
        module.hparams.run_name,
        module.replicas,
        list(module.hparams.seeds),
        count_parameters(network) // module.replicas,
        count_parameters(network, trainable_only=True) // module.replicas,
        spec.epochs,
        batches,
        spec.batch_size,
        spec.optimizer,
        spec.learning_rate,
        spec.schedule,
        (
            f"; stops once every replica's training MSE improved < {spec.plateau_tolerance:g} "
            f"over {spec.plateau_window} epochs (checked every {spec.record_every})"
            if spec.plateau_window
            else ""
        ),
    )


def _schedule_hparams(spec: TrainingSpec) -> dict:
    """The module's schedule, step, stopping and evaluation hyper-parameters (none for the
    defaults: a constant rate, one epoch per step, no stopping rule, the held-out set
    evaluated at every record)."""
    hparams: dict = {}
    if spec.held_out_every != 1:
        hparams["held_out_every"] = spec.held_out_every
    if spec.schedule != "constant":
        hparams.update(schedule=spec.schedule, schedule_epochs=spec.epochs)
    if spec.record_every != 1:
        hparams["record_every"] = spec.record_every
    if spec.stopping():
        hparams["stopping"] = spec.stopping()
    return hparams


def replica_seeds(spec: TrainingSpec) -> list[int]:
    """Training seeds of the replicas: ``seed``, ``seed + 1``, ... from replica
    ``first_replica`` on (a block of a run's replicas, ``core.blocks``)."""
    return [spec.seed + spec.first_replica + k for k in range(spec.seeds)]


def train_replicas(
    model_spec: ModelSpec,
    train_points: torch.Tensor,
    spec: TrainingSpec,
    run_name: str,
    initial_checkpoint: Path | None = None,
    final_checkpoint: Path | None = None,
    held_out: torch.Tensor | None = None,
    validation: torch.Tensor | None = None,
    state: TrainingState | None = None,
) -> TrainingResult:
    """Train ``spec.seeds`` independent replicas, each exactly as a lone training with its
    seed would (own initial weights, own batch order; ``spec.seeds == 1`` is that lone
    training), vectorised in one Lightning run. Writes Lightning checkpoints of the
    untrained and trained module when paths are given. With ``held_out`` points, the
    result's ``curves`` hold the loss over the whole training set and the held-out set
    after every epoch; with ``validation`` points too (part (e)), their loss as well
    (``validation_loss``), recorded only: training and stopping are the same without them.
    Points of one sample per replica ((samples, n, 2), ``data``): replica k trains and is
    evaluated on sample k. With a job's ``state`` (``core.state``), the training so far is
    saved there every few epochs, and a training killed before its end resumes from it."""
    from aeflow.autoencoder.lit import AutoencoderModule

    seeds = replica_seeds(spec)
    train_points = replicas_points(train_points, len(seeds))
    held_out = None if held_out is None else replicas_points(held_out, len(seeds))
    if validation is not None:
        if held_out is None:
            raise ValueError("validation points are evaluated beside held-out points")
        validation = replicas_points(validation, len(seeds))
    module = AutoencoderModule(
        model_spec.to_dict(),
        spec.optimizer,
        spec.learning_rate,
        seeds,
        run_name=run_name,
        **_schedule_hparams(spec),
    )
    if held_out is not None:
        module.attach_evaluation(train_points, held_out, validation)
    return _fit(module, seeds, train_points, spec, initial_checkpoint, final_checkpoint, state)


def retrain_encoder(
    models: list[Autoencoder],
    points: torch.Tensor,
    init: dict,
    spec: TrainingSpec,
    run_name: str,
    final_checkpoint: Path | None = None,
    state: TrainingState | None = None,
) -> tuple[TrainingResult, pd.DataFrame]:
    """Part (g), per seed replica: replica k keeps the trained decoder of ``models[k]``,
    frozen; its encoder is re-initialised (``init``: mean, std, and seed + k) and
    retrained, with the batch order of training seed ``spec.seed + k`` (k from
    ``spec.first_replica``, a block's first replica). All replicas
    train at once; ``models`` are left as they are. The module's hyper-parameters hold the
    decoders and the encoders' distribution and seeds, so the checkpoint describes the
    starting weights exactly. Returns the training result and each point's latent code
    before and after, per replica (x, y, z_before, z_after, seed)."""
    from aeflow.autoencoder.analysis import encode, latent_shift_table
    from aeflow.autoencoder.lit import AutoencoderModule

    first = spec.first_replica  # a block of the variant's replicas (core.blocks)
    seeds = [spec.seed + first + k for k in range(len(models))]
    points = replicas_points(points, len(models))  # replica k's own sample, if several
    module = AutoencoderModule(
        models[0].spec.to_dict(),
        spec.optimizer,
        spec.learning_rate,
        seeds,
        trainable="encoder",
        run_name=run_name,
        encoder_init={
            "mean": init["mean"],
            "std": init["std"],
            "seeds": [init["seed"] + first + k for k in range(len(models))],
        },
        decoder_state=stack_states([model.decoder.state_dict() for model in models]),
    )
    result = _fit(module, seeds, points, spec, final_checkpoint=final_checkpoint, state=state)
    shifts = [
        latent_shift_table(xy, encode(model, xy), encode(module.replica(k), xy)).assign(seed=seed)
        for k, (model, seed) in enumerate(zip(models, seeds, strict=True))
        for xy in [replica_points(points, k)]
    ]
    return result, pd.concat(shifts, ignore_index=True)


@dataclass
class TrialChunkResult:
    curves: pd.DataFrame  # trial, seed, epoch, examples_seen, train_loss, test_loss
    metrics: pd.DataFrame  # trial, seed, parameters, final losses, gap, diverged
    seconds: float
    global_step: int


def train_trial_chunk(
    trials: list[tuple[str, ModelSpec, TrainingSpec]],
    train_points: torch.Tensor,
    held_out: torch.Tensor,
    run_name: str,
    checkpoint: Path | None = None,
    state: TrainingState | None = None,
) -> TrialChunkResult:
    """Train the trials of one sweep chunk together: every trial's seed replicas, each with
    the trial's own learning rate (one optimiser parameter group per trial), exactly as
    each trial would train alone. The trials must share the architecture, optimiser,
    epochs, loader and accelerator (``sweeps.chunk_key``). A diverging replica does not
    stop the others; its losses are NaN and its metrics say ``diverged``. With a job's
    ``state``, a chunk killed before its end resumes from it."""
    from aeflow.autoencoder.lit import AutoencoderModule, ReplicaData
    from aeflow.core.trainer import fit

    model_spec, first = trials[0][1], trials[0][2]
    shared = ("optimizer", "epochs", "batch_size", "shuffle", "drop_last", "accelerator")
    mixed = [
        name
        for name, model, spec in trials
        if model != model_spec or any(getattr(spec, k) != getattr(first, k) for k in shared)
    ]
    if mixed:
        raise ValueError(f"trials {mixed} cannot share a chunk with {trials[0][0]!r}")
    seeds = [replica_seeds(spec) for _, _, spec in trials]
    flat_seeds = [seed for trial_seeds in seeds for seed in trial_seeds]
    if train_points.dim() == 3:  # one sample per replica: a trial's replica k on sample k
        own = [k for trial_seeds in seeds for k in range(len(trial_seeds))]
        train_points, held_out = train_points[own], held_out[own]
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
    data = ReplicaData(train_points, first.batch_size, first.shuffle, first.drop_last, flat_seeds)
    parameters = count_parameters(module.replica(0))
    log.info(
        "training %s: %d trials, %d networks of %s (%d parameters each), %d epochs x %d "
        "batches of %d, %s, learning rates %s",
        run_name,
        len(trials),
        len(flat_seeds),
        model_spec.to_dict(),
        parameters,
        first.epochs,
        len(data.batch_sizes()),
        first.batch_size,
        first.optimizer,
        [spec.learning_rate for _, _, spec in trials],
    )
    outcome = fit(
        module, data, first.epochs, first.accelerator, final_checkpoint=checkpoint, state=state
    )
    module.cpu()
    per_epoch = torch.stack(module.epoch_losses).cpu()  # (epochs + 1, replicas, 2)
    names = [
        name for (name, _, _), trial_seeds in zip(trials, seeds, strict=True) for _ in trial_seeds
    ]
    per_replica = {"trial": names, "seed": flat_seeds}
    curves = curve_table(per_epoch, sum(data.batch_sizes()), per_replica)
    curves = curves[["trial", *CURVE_COLUMNS, "seed"]]
    final = per_epoch[-1].double().numpy()  # (replicas, 2)
    diverged = np.zeros(len(flat_seeds), dtype=bool)
    diverged[warn_divergence(log, run_name, per_epoch, names, flat_seeds)] = True
    metrics = pd.DataFrame(
        {
            "trial": names,
            "seed": flat_seeds,
            "parameters": parameters,
            "diverged": diverged,
            "train_mse": final[:, 0],
            "test_mse": final[:, 1],
            "gap": final[:, 1] - final[:, 0],
        }
    )
    log.info("trained %s in %.1f s (%d steps)", run_name, outcome.seconds, outcome.global_step)
    return TrialChunkResult(curves, metrics, outcome.seconds, outcome.global_step)
