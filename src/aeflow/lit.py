"""The LightningModule: holds the loss and the optimiser around a plain Autoencoder.

The models are tiny (at most a few thousand parameters), so a training step costs less than
Lightning's per-step bookkeeping. The module therefore uses manual optimisation and takes
one *epoch* per Lightning step: the loader yields the epoch's mini-batches together and
``training_step`` performs one optimiser step per mini-batch. Semantics (one update per
mini-batch, fresh shuffle per epoch) are those of the usual loop; the overhead is paid once
per epoch instead of once per batch.
"""

from __future__ import annotations

import logging

import pytorch_lightning as pl
import torch

from aeflow.models import Autoencoder
from aeflow.replicas import ReplicatedAutoencoder

log = logging.getLogger(__name__)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


def make_optimizer(
    name: str, params: list[torch.nn.Parameter], learning_rate: float
) -> torch.optim.Optimizer:
    """Adam or plain SGD; the fused kernels are used (one kernel for all parameters)."""
    if name == "adam":
        return torch.optim.Adam(params, lr=learning_rate, fused=True)
    if name == "sgd":
        return torch.optim.SGD(params, lr=learning_rate, fused=True)
    raise ValueError(f"unknown optimizer {name!r}")


def reconstruction_losses(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE over the last two axes (batch, coordinate): a scalar, or one per replica."""
    return (output - target).square().mean(dim=(-2, -1))


class AutoencoderModule(pl.LightningModule):
    """Reconstruction (MSE) training; records every batch loss without a host sync.

    Takes a plain ``Autoencoder`` (batches (B, d), scalar loss) or a
    ``ReplicatedAutoencoder`` (batches (R, B, d), one loss per replica).
    """

    def __init__(
        self,
        autoencoder: Autoencoder | ReplicatedAutoencoder,
        optimizer: str,
        learning_rate: float,
        run_name: str,
    ) -> None:
        super().__init__()
        self.automatic_optimization = False
        self.autoencoder = autoencoder
        self.optimizer_name = optimizer
        self.learning_rate = learning_rate
        self.run_name = run_name
        # Detached loss tensors; stacked once at the end instead of .item() per step.
        self.batch_losses: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.autoencoder(x)

    def on_train_start(self) -> None:
        # A job log line that says the optimiser is about to step (imports are over).
        log.info("%s: epoch 1 started", self.run_name)

    def training_step(self, epoch_batches: list[torch.Tensor], batch_idx: int) -> None:
        # The raw optimiser: Lightning's wrapper adds per-call work and nothing we use here.
        optimizer = self.optimizers().optimizer
        first = len(self.batch_losses)
        for batch in epoch_batches:
            losses = reconstruction_losses(self.autoencoder(batch), batch)
            optimizer.zero_grad(set_to_none=True)
            # Replicas share no parameters: the sum gives each exactly its own gradient.
            self.manual_backward(losses.sum())
            optimizer.step()
            self.batch_losses.append(losses.detach())
        self._check_finite(first)

    def _check_finite(self, first: int) -> None:
        # One check per epoch keeps the inner loop free of host synchronisation.
        epoch_losses = torch.stack(self.batch_losses[first:])
        finite = torch.isfinite(epoch_losses)
        if not bool(finite.all()):
            offset = int((~finite).nonzero()[0, 0])  # first bad step (any replica)
            raise TrainingDiverged(
                f"training of {self.run_name!r} diverged: loss is "
                f"{float(epoch_losses[offset])} at step {first + offset} "
                f"(epoch {self.current_epoch}); lower training.learning_rate"
            )

    def configure_optimizers(self) -> torch.optim.Optimizer:
        # Frozen parameters (e.g. the decoder during encoder retraining) stay out.
        params = [p for p in self.autoencoder.parameters() if p.requires_grad]
        return make_optimizer(self.optimizer_name, params, self.learning_rate)
