"""The LightningModule (the loss and the optimiser around stacked autoencoder replicas) and
the LightningDataModule of their training points.

The models are tiny (at most a few thousand parameters), so a training step costs less than
Lightning's per-step bookkeeping. The module therefore uses manual optimisation and takes
one *epoch* per Lightning step: the loader yields the epoch's mini-batches together and
``training_step`` performs one optimiser step per mini-batch. Semantics (one update per
mini-batch, fresh shuffle per epoch) are those of the usual loop; the overhead is paid once
per epoch instead of once per batch. Each mini-batch step is taken by
``aeflow.core.steps.MiniBatchSteps``, so ``trainer.global_step`` counts optimiser steps.
A long full-batch training (part (e)) takes several epochs per Lightning step
(``record_every``, the interval of its evaluations), a learning-rate schedule stepped
once per epoch, and may stop on a plateau of its training MSE (Lightning's
``EarlyStopping`` on the score of ``core.plateau``, which the module logs).

The module is built once, from its hyper-parameters alone (``replicas.build_autoencoder``,
every random draw from per-seed generators), for training and retraining alike: the
network trains from exactly the weights those hyper-parameters describe, and
``AutoencoderModule.load_from_checkpoint(path)`` (or ``AutoencoderModule(**hyper_parameters)``
for the initial weights) rebuilds it; ``.replica(k)`` gives replica k as an ``Autoencoder``.

``ReplicaData`` holds the training points and the loader; its settings (batch size,
shuffle, drop_last, batch-order seeds, epochs per item, training-set size, shared or
per-replica samples) are saved in every checkpoint (``datamodule_hyper_parameters``), its
state (where each replica's shuffling generator stands) too. A training resumed from a
job's state (``core.trainer.fit`` with a ``core.state.TrainingState``) gets its weights,
optimiser, schedule and loop counters from Lightning, the batch order from the
DataModule's state and the loss records from the module's ``resume_state``: it ends with
the bytes an uninterrupted training ends with.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import EarlyStopping

from aeflow.autoencoder.batches import ReplicaEpochBatches, ShuffledBatches
from aeflow.autoencoder.data import replica_points
from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.replicas import GroupedAutoencoders, Network, build_autoencoder
from aeflow.core.curves import divergence_onsets
from aeflow.core.plateau import Plateau
from aeflow.core.steps import MiniBatchSteps

log = logging.getLogger(__name__)


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


class CosineToZero:
    """The learning-rate factor of epoch e (0-based) of ``epochs``: (1 + cos(pi e /
    epochs)) / 2, from 1 at the first epoch towards 0 at the last (``LambdaLR``'s
    ``lr_lambda``; an object, so that the scheduler's state pickles)."""

    def __init__(self, epochs: int) -> None:
        if epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        self.epochs = epochs

    def __call__(self, epoch: int) -> float:
        return 0.5 * (1.0 + math.cos(math.pi * min(epoch, self.epochs) / self.epochs))


# What the module logs after each record when it has a stopping rule: the rule's
# ``Plateau.stop_score``, below the tolerance once every replica's training MSE plateaued.
PLATEAU_SCORE = "plateau_score"


def plateau_stopping(plateau: Plateau, steps: int) -> EarlyStopping:
    """Lightning's EarlyStopping for the rule of ``core.plateau``: stop at the first record
    whose ``PLATEAU_SCORE`` is below the tolerance (``stopping_threshold``). Its patience
    (``steps`` + 1 checks) never runs out: the rule is the threshold alone."""
    return EarlyStopping(
        monitor=PLATEAU_SCORE,
        mode="min",
        stopping_threshold=plateau.tolerance,
        patience=steps + 1,
        check_finite=False,  # inf before a full window
        check_on_train_epoch_end=True,
    )


def reconstruction_losses(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE over the last two axes (batch, coordinate): one per replica for (R, B, d)."""
    return (output - target).square().mean(dim=(-2, -1))


class AutoencoderModule(pl.LightningModule):
    """Reconstruction (MSE) training of seed replicas of one autoencoder, trained at once
    (one replica: a lone training); records every batch loss without a host sync.

    Batches are (R, B, d), one mini-batch per replica; the loss is one per replica.
    """

    def __init__(
        self,
        model: dict,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        seeds: list[int] | tuple[int, ...] = (0,),
        trainable: str = "all",
        run_name: str = "",
        group_sizes: list[int] | None = None,
        group_learning_rates: list[float] | None = None,
        stop_on_divergence: bool = True,
        encoder_init: dict | None = None,
        decoder_state: dict[str, torch.Tensor] | None = None,
        schedule: str = "constant",
        schedule_epochs: int | None = None,
        record_every: int = 1,
        stopping: dict | None = None,
        held_out_every: int = 1,
    ) -> None:
        """``model``: ``ModelSpec`` keyword arguments; ``seeds``: one initial-weight seed
        per replica (also its name in loss tables and messages).
        ``trainable="encoder"`` freezes the decoder (part (g)).
        ``group_sizes`` and ``group_learning_rates`` (a sweep chunk): the replicas split
        into consecutive groups (the seeds of one trial each), each trained with its own
        learning rate; ``stop_on_divergence=False`` lets a diverging replica run on (its
        loss turns NaN; the others are unaffected) instead of failing the job.
        ``encoder_init`` (``mean``, ``std``, ``seeds``: one per replica) and
        ``decoder_state`` (the stacked decoder weights to start from) describe part (g)'s
        starting point: encoders redrawn N(mean, std), biases 0, decoders given.
        ``schedule``: the learning rate per epoch, ``"constant"`` or ``"cosine"`` (from the
        learning rate to 0 over ``schedule_epochs``, ``CosineToZero``). ``record_every``:
        the epochs one Lightning step takes (the loader's items hold as many), and the
        interval of the evaluations. ``stopping`` (``window`` epochs, ``tolerance``): stop
        once every replica's training MSE plateaued (``core.plateau``; needs evaluation
        sets). ``held_out_every``: the held-out set is evaluated at the records whose epoch
        is a multiple of it and at the last (its MSE is NaN at the others); the training
        set at every record. All of these are saved in the checkpoints
        (``build_autoencoder`` reads the network's)."""
        super().__init__()
        if trainable not in ("all", "encoder"):
            raise ValueError(f"trainable must be 'all' or 'encoder', got {trainable!r}")
        if schedule not in ("constant", "cosine"):
            raise ValueError(f"schedule must be 'constant' or 'cosine', got {schedule!r}")
        if schedule == "cosine" and not schedule_epochs:
            raise ValueError("a cosine schedule needs schedule_epochs")
        if held_out_every < 1:
            raise ValueError(f"held_out_every must be >= 1, got {held_out_every}")
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.autoencoder: Network = build_autoencoder(self.hparams)
        if trainable == "encoder":
            self.autoencoder.freeze_decoder()
        # Detached (R,) loss tensors; stacked once at the end instead of .item() per step.
        self.batch_losses: list[torch.Tensor] = []
        # With evaluation sets attached: per epoch (0 = untrained), the MSE over the whole
        # training set and the held-out set, per replica (R, 2): what optimisers are
        # compared on; (R, 3) with validation points, their MSE third (recorded only:
        # neither the updates nor the stopping rule read it).
        self.epoch_losses: list[torch.Tensor] = []
        # Whether the records above came from a job's saved state (load_resume_state).
        self.resumed = False

    def attach_evaluation(
        self, train: torch.Tensor, test: torch.Tensor, validation: torch.Tensor | None = None
    ) -> AutoencoderModule:
        """Evaluate the full training and held-out sets ((n, d) each, or (R, n, d): each
        replica its own) after every epoch, and the ``validation`` points if given (part
        (e); recorded only); they move with the module but are not saved in its
        checkpoints."""
        self.register_buffer("eval_train", train, persistent=False)
        self.register_buffer("eval_test", test, persistent=False)
        if validation is not None:
            self.register_buffer("eval_validation", validation, persistent=False)
        return self

    @torch.no_grad()
    def evaluate(self, held_out: bool = True) -> torch.Tensor:
        """(replicas, 2): MSE over the full training set and over the held-out set (NaN
        without ``held_out``: not evaluated); (replicas, 3) with validation points
        attached, their MSE third."""
        losses = []
        sets = [self.eval_train, self.eval_test if held_out else None]
        if hasattr(self, "eval_validation"):
            sets.append(self.eval_validation)
        for points in sets:
            if points is None:
                nan = torch.full((self.replicas,), float("nan"), device=self.eval_train.device)
                losses.append(nan)
                continue
            if points.dim() == 2:  # one set shared by every replica
                points = points.expand(self.replicas, *points.shape)
            losses.append(reconstruction_losses(self.autoencoder(points), points))
        return torch.stack(losses, dim=1)

    @property
    def replicas(self) -> int:
        return len(self.hparams.seeds)

    def replica(self, k: int = 0) -> Autoencoder:
        """Replica ``k`` (initial seed ``seeds[k]``) as a plain ``Autoencoder``: a copy of
        its current weights, in eval mode on the CPU."""
        state = self.autoencoder.replica_state(k)
        return Autoencoder.from_state(
            self.autoencoder.spec, {name: tensor.cpu() for name, tensor in state.items()}
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.autoencoder(x)

    def on_train_start(self) -> None:
        if self.hparams.stopping and not hasattr(self, "eval_train"):
            raise ValueError("a stopping rule needs evaluation sets (attach_evaluation)")
        every = self.hparams.record_every
        if self.resumed:
            log.info(
                "%s: resumed from its saved state after epoch %d of %d",
                self.hparams.run_name,
                self.current_epoch * every,
                self.trainer.max_epochs * every,
            )
            # Restored on the CPU; the new records join them on the module's device.
            self.batch_losses = _on(self.batch_losses, self.device)
            self.epoch_losses = _on(self.epoch_losses, self.device)
            return
        # A job log line that says the optimiser is about to step (imports are over).
        log.info("%s: epoch 1 started", self.hparams.run_name)
        if hasattr(self, "eval_train"):
            self.epoch_losses = [self.evaluate()]

    def resume_state(self) -> dict[str, torch.Tensor]:
        """What a resumed training needs beside Lightning's own checkpoint: the loss records
        so far, the batch losses (steps, R) and the evaluations (records, R, 2 or 3)."""
        return {
            name: torch.stack(records)
            for name, records in (
                ("batch_losses", self.batch_losses),
                ("epoch_losses", self.epoch_losses),
            )
            if records
        }

    def load_resume_state(self, state: dict[str, torch.Tensor]) -> None:
        """The records of ``resume_state``, training resumes after them."""
        self.batch_losses = list(state["batch_losses"].unbind()) if "batch_losses" in state else []
        self.epoch_losses = list(state["epoch_losses"].unbind()) if "epoch_losses" in state else []
        self.resumed = True

    def training_step(self, epochs: list[list[torch.Tensor]], batch_idx: int) -> None:
        """``epochs``: ``record_every`` epochs of mini-batches (``ReplicaEpochBatches``),
        one update per mini-batch, the learning rate scheduled per epoch."""
        first = len(self.batch_losses)
        scheduler = self.lr_schedulers()
        with MiniBatchSteps(self) as updates:  # each one counts in trainer.global_step
            for epoch_batches in epochs:
                for batch in epoch_batches:
                    losses = reconstruction_losses(self.autoencoder(batch), batch)
                    # Replicas share no parameters: the sum gives each exactly its own
                    # gradient.
                    updates.take(losses.sum())
                    self.batch_losses.append(losses.detach())
                if scheduler is not None:
                    scheduler.step()
        self._check_finite(first, len(epochs[0]))

    def on_train_batch_end(self, outputs, batch, batch_idx: int) -> None:
        """After each step's updates: the whole-set MSEs of every replica, recorded (the
        curves, the stopping rule) and logged as the replicas' means, so that any Lightning
        callback or logger can read them (``train_mse``, ``test_mse``, ``validation_mse``)."""
        if not hasattr(self, "eval_train"):
            return
        epoch = (self.current_epoch + 1) * self.hparams.record_every
        last = self.current_epoch + 1 == self.trainer.max_epochs
        held_out = last or epoch % self.hparams.held_out_every == 0
        with torch.no_grad():
            record = self.evaluate(held_out)
        self.epoch_losses.append(record)
        names = ("train_mse", "test_mse", "validation_mse")[: record.shape[1]]
        logged = dict(zip(names, record.mean(dim=0), strict=True))
        if not held_out:
            del logged["test_mse"]
        self.log_dict(logged, on_step=True)
        if plateau := self.plateau():
            # In float64, as the summaries apply the rule: a float32 score could round
            # across the tolerance.
            score = torch.tensor(plateau.stop_score(self._train_records()), dtype=torch.float64)
            self.log(PLATEAU_SCORE, score, on_step=True)

    def plateau(self) -> Plateau | None:
        """The stopping rule (None: trains to its last epoch)."""
        stopping = self.hparams.stopping
        if not stopping:
            return None
        return Plateau(stopping["window"], stopping["tolerance"], self.hparams.record_every)

    def _train_records(self) -> np.ndarray:
        """(records, R): every replica's training MSE at each record so far."""
        return torch.stack(self.epoch_losses)[:, :, 0].double().cpu().numpy()

    def configure_callbacks(self) -> list[pl.Callback]:
        plateau = self.plateau()
        return [plateau_stopping(plateau, self.trainer.max_epochs)] if plateau else []

    def on_train_end(self) -> None:
        if self.epoch_losses and bool(self.epoch_losses[-1][:, 1].isnan().all()):
            # Stopped early between two held-out evaluations: the last record gets one
            # (the weights have not moved since it was taken).
            self.epoch_losses[-1] = self.evaluate()
        plateau = self.plateau()
        if plateau and self.trainer.should_stop:
            log.info(
                "%s: every replica's training MSE plateaued (best improved < %g over %d "
                "epochs); stopped at epoch %d",
                self.hparams.run_name,
                plateau.tolerance,
                plateau.window,
                (len(self.epoch_losses) - 1) * plateau.every,
            )

    def _check_finite(self, first: int, per_epoch: int) -> None:
        # One check per Lightning step keeps the inner loop free of host synchronisation.
        if not self.hparams.stop_on_divergence:
            return
        onsets = divergence_onsets(torch.stack(self.batch_losses[first:]))
        if not onsets:
            return
        # The first bad step, and of the replicas that went bad there the first.
        replica, offset = min(onsets.items(), key=lambda item: (item[1], item[0]))
        value = float(self.batch_losses[first + offset][replica])
        seed = f" (seed {self.hparams.seeds[replica]})" if self.replicas > 1 else ""
        raise TrainingDiverged(
            f"training of {self.hparams.run_name!r} diverged: loss is {value} at step "
            f"{first + offset}{seed} (epoch {(first + offset) // per_epoch}); lower "
            "training.learning_rate"
        )

    def configure_optimizers(self) -> torch.optim.Optimizer | dict:
        # Frozen parameters (the decoder during encoder retraining) stay out.
        network = self.autoencoder
        rates = self.hparams.group_learning_rates
        if rates:
            params = [
                {"params": _trainable(_group(network, g).parameters()), "lr": rate}
                for g, rate in enumerate(rates)
            ]
        else:
            params = _trainable(network.parameters())
        optimizer = make_optimizer(self.hparams.optimizer, params, self.hparams.learning_rate)
        if self.hparams.schedule == "constant":
            return optimizer
        # Manual optimisation: training_step steps it once per epoch.
        factor = CosineToZero(self.hparams.schedule_epochs)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
        return {"optimizer": optimizer, "lr_scheduler": scheduler}


class ReplicaData(pl.LightningDataModule):
    """The training points of R replicas and their loader: replica k draws its mini-batches
    of ``points`` ((n, d) shared, or (R, n, d): its own ``points[k]``) in the order of a
    generator of its own seeded ``seeds[k]`` (``ShuffledBatches``), and one item holds
    ``record_every`` epochs of all replicas' batches (``ReplicaEpochBatches``).

    Its settings are its hyper-parameters, saved in every checkpoint; its state is where
    each replica's generator stands (saved at every checkpoint, restored when a training
    resumes, so that the batch order goes on as it would have)."""

    def __init__(
        self,
        points: torch.Tensor,
        batch_size: int,
        shuffle: bool,
        drop_last: bool,
        seeds: list[int],
        record_every: int = 1,
    ) -> None:
        super().__init__()
        self.save_hyperparameters(
            {
                "batch_size": batch_size,
                "shuffle": shuffle,
                "drop_last": drop_last,
                "seeds": list(seeds),
                "record_every": record_every,
                "n_train": points.shape[-2],
                "samples": "per replica" if points.dim() == 3 else "shared",
            }
        )
        self.per_replica = [
            ShuffledBatches(replica_points(points, k), batch_size, shuffle, drop_last, seed=seed)
            for k, seed in enumerate(seeds)
        ]
        self.batches = ReplicaEpochBatches(self.per_replica, record_every)

    def batch_sizes(self) -> list[int]:
        """The sizes of one epoch's mini-batches, in order (every replica's)."""
        return self.per_replica[0].batch_sizes()

    def train_dataloader(self) -> ReplicaEpochBatches:
        return self.batches

    def state_dict(self) -> dict[str, list[torch.Tensor]]:
        return {"generators": [b.generator.get_state() for b in self.per_replica]}

    def load_state_dict(self, state_dict: dict[str, list[torch.Tensor]]) -> None:
        states = state_dict["generators"]
        if len(states) != len(self.per_replica):
            raise ValueError(f"{len(states)} generator states for {len(self.per_replica)} replicas")
        for batches, state in zip(self.per_replica, states, strict=True):
            batches.generator.set_state(state)


def _on(records: list[torch.Tensor], device: torch.device) -> list[torch.Tensor]:
    """``records`` on ``device`` (moved at once: they may be many small tensors)."""
    if not records or records[0].device == device:
        return records
    return list(torch.stack(records).to(device).unbind())


def _group(network: Network, g: int) -> torch.nn.Module:
    """Group ``g`` of the replicas (the whole network when it has one group)."""
    if isinstance(network, GroupedAutoencoders):
        return network.groups[g]
    if g != 0:
        raise IndexError(f"group {g} of 1")
    return network


def _trainable(parameters) -> list[torch.nn.Parameter]:
    return [p for p in parameters if p.requires_grad]
