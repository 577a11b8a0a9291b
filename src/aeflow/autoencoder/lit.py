"""The LightningModule: holds the loss and the optimiser around a plain Autoencoder.

The models are tiny (at most a few thousand parameters), so a training step costs less than
Lightning's per-step bookkeeping. The module therefore uses manual optimisation and takes
one *epoch* per Lightning step: the loader yields the epoch's mini-batches together and
``training_step`` performs one optimiser step per mini-batch. Semantics (one update per
mini-batch, fresh shuffle per epoch) are those of the usual loop; the overhead is paid once
per epoch instead of once per batch. Each mini-batch step is taken by
``aeflow.core.steps.MiniBatchSteps``, so ``trainer.global_step`` counts optimiser steps.

Checkpoints are Lightning's own: ``AutoencoderModule.load_from_checkpoint(path)`` rebuilds
the module (single model or seed replicas) from its saved hyper-parameters.
"""

from __future__ import annotations

import logging

import pytorch_lightning as pl
import torch

from aeflow.autoencoder.models import Autoencoder, init_autoencoder
from aeflow.autoencoder.replicas import ReplicatedAutoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.steps import MiniBatchSteps
from aeflow.core.trainer import TrainingDiverged, make_optimizer

log = logging.getLogger(__name__)


def reconstruction_losses(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE over the last two axes (batch, coordinate): a scalar, or one per replica."""
    return (output - target).square().mean(dim=(-2, -1))


class AutoencoderModule(pl.LightningModule):
    """Reconstruction (MSE) training of one autoencoder, or of independent seed replicas
    trained at once; records every batch loss without a host sync.

    ``model``: ``ModelSpec`` keyword arguments; ``seeds``: one initial-weight seed per
    replica (one seed: a plain ``Autoencoder``, batches (B, d); several: a
    ``ReplicatedAutoencoder``, batches (R, B, d), one loss per replica).
    ``trainable="encoder"`` freezes the decoder (part (g)).
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
    ) -> None:
        """``group_sizes`` and ``group_learning_rates`` (a sweep batch): the replicas split
        into consecutive groups (the seeds of one trial each), each trained with its own
        learning rate; ``stop_on_divergence=False`` lets a diverging replica run on (its
        loss turns NaN; the others are unaffected) instead of failing the job."""
        super().__init__()
        if trainable not in ("all", "encoder"):
            raise ValueError(f"trainable must be 'all' or 'encoder', got {trainable!r}")
        self.save_hyperparameters()
        self.automatic_optimization = False
        spec = ModelSpec(**model)
        models = [init_autoencoder(spec, seed) for seed in seeds]
        self.autoencoder: Autoencoder | ReplicatedAutoencoder = (
            models[0]
            if len(models) == 1 and not group_sizes
            else ReplicatedAutoencoder(models, group_sizes)
        )
        if trainable == "encoder":
            self.freeze_decoder()
        # Detached loss tensors; stacked once at the end instead of .item() per step.
        self.batch_losses: list[torch.Tensor] = []
        # With evaluation sets attached: per epoch (0 = untrained), the MSE over the whole
        # training set and the held-out set, per replica: what optimisers are compared on.
        self.epoch_losses: list[torch.Tensor] = []

    def attach_evaluation(self, train: torch.Tensor, test: torch.Tensor) -> AutoencoderModule:
        """Evaluate the full training and held-out sets ((n, d) each) after every epoch;
        they move with the module but are not saved in its checkpoints."""
        self.register_buffer("eval_train", train, persistent=False)
        self.register_buffer("eval_test", test, persistent=False)
        return self

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """(2, replicas): MSE over the full training set and over the held-out set."""
        losses = []
        for points in (self.eval_train, self.eval_test):
            if self.replicas > 1:
                points = points.expand(self.replicas, *points.shape)
            losses.append(reconstruction_losses(self.autoencoder(points), points).reshape(-1))
        return torch.stack(losses)

    @property
    def replicas(self) -> int:
        return len(self.hparams.seeds)

    def replica(self, k: int = 0) -> Autoencoder:
        """Replica ``k`` (initial seed ``seeds[k]``) as a plain ``Autoencoder``: a copy of
        its current weights, in eval mode on the CPU."""
        if not 0 <= k < self.replicas:
            raise IndexError(f"replica {k} of {self.replicas}")
        network = self.autoencoder
        if isinstance(network, Autoencoder):
            state = network.state_dict()
        else:
            state = network.replica_state_dicts()[k]
        model = Autoencoder(network.spec)
        model.load_state_dict({name: tensor.detach().cpu() for name, tensor in state.items()})
        return model.eval()

    def freeze_decoder(self) -> None:
        for name, parameter in self.autoencoder.named_parameters():
            if _is_decoder(self.autoencoder, name):
                parameter.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.autoencoder(x)

    def on_train_start(self) -> None:
        # A job log line that says the optimiser is about to step (imports are over).
        log.info("%s: epoch 1 started", self.hparams.run_name)
        if hasattr(self, "eval_train"):
            self.epoch_losses = [self.evaluate()]

    def training_step(self, epoch_batches: list[torch.Tensor], batch_idx: int) -> None:
        first = len(self.batch_losses)
        with MiniBatchSteps(self) as updates:  # each one counts in trainer.global_step
            for batch in epoch_batches:
                losses = reconstruction_losses(self.autoencoder(batch), batch)
                # Replicas share no parameters: the sum gives each exactly its own gradient.
                updates.take(losses.sum())
                self.batch_losses.append(losses.detach())
        self._check_finite(first)
        if hasattr(self, "eval_train"):
            self.epoch_losses.append(self.evaluate())

    def _check_finite(self, first: int) -> None:
        # One check per epoch keeps the inner loop free of host synchronisation.
        if not self.hparams.stop_on_divergence:
            return
        epoch_losses = torch.stack(self.batch_losses[first:])
        finite = torch.isfinite(epoch_losses)
        if not bool(finite.all()):
            # First bad step, and with seed replicas (steps x replicas) the first bad one.
            bad = (~finite).nonzero()[0]
            offset = int(bad[0])
            replica = f" (seed {self.hparams.seeds[int(bad[1])]})" if len(bad) > 1 else ""
            raise TrainingDiverged(
                f"training of {self.hparams.run_name!r} diverged: loss is "
                f"{float(epoch_losses[tuple(bad)])} at step {first + offset}{replica} "
                f"(epoch {self.current_epoch}); lower training.learning_rate"
            )

    def configure_optimizers(self) -> torch.optim.Optimizer:
        # Frozen parameters (the decoder during encoder retraining) stay out.
        if self.hparams.group_learning_rates:
            network = self.autoencoder
            groups = [
                {"params": network.group_parameters(g), "lr": rate}
                for g, rate in enumerate(self.hparams.group_learning_rates)
            ]
            return make_optimizer(self.hparams.optimizer, groups, self.hparams.learning_rate)
        params = [p for p in self.autoencoder.parameters() if p.requires_grad]
        return make_optimizer(self.hparams.optimizer, params, self.hparams.learning_rate)


def _is_decoder(network: Autoencoder | ReplicatedAutoencoder, name: str) -> bool:
    if isinstance(network, ReplicatedAutoencoder):
        index = int(name.split(".")[1]) % len(network.names)
        return network.names[index].startswith("decoder.")
    return name.startswith("decoder.")
