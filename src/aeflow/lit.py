"""The LightningModule: holds the loss and the optimiser around a plain Autoencoder."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
from torch import nn

from aeflow.models import Autoencoder


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite."""


class AutoencoderModule(pl.LightningModule):
    """Reconstruction (MSE) training; records every batch loss without a host sync."""

    def __init__(
        self, autoencoder: Autoencoder, optimizer: str, learning_rate: float, run_name: str
    ) -> None:
        super().__init__()
        self.autoencoder = autoencoder
        self.optimizer_name = optimizer
        self.learning_rate = learning_rate
        self.run_name = run_name
        self.loss_fn = nn.MSELoss()
        # Detached loss tensors; stacked once at the end instead of .item() per step.
        self.batch_losses: list[torch.Tensor] = []
        self._epoch_start = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.autoencoder(x)

    def training_step(self, batch: torch.Tensor, batch_idx: int) -> torch.Tensor:
        loss = self.loss_fn(self.autoencoder(batch), batch)
        self.batch_losses.append(loss.detach())
        return loss

    def on_train_epoch_end(self) -> None:
        # One check per epoch keeps the hot loop free of synchronisation.
        epoch_losses = torch.stack(self.batch_losses[self._epoch_start :])
        finite = torch.isfinite(epoch_losses)
        if not bool(finite.all()):
            step = self._epoch_start + int((~finite).nonzero()[0, 0])
            raise TrainingDiverged(
                f"training of {self.run_name!r} diverged: loss is "
                f"{float(epoch_losses[step - self._epoch_start])} at step {step} "
                f"(epoch {self.current_epoch}); lower training.learning_rate"
            )
        self._epoch_start = len(self.batch_losses)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        # Frozen parameters (e.g. the decoder during encoder retraining) stay out.
        params = [p for p in self.autoencoder.parameters() if p.requires_grad]
        if self.optimizer_name == "adam":
            return torch.optim.Adam(params, lr=self.learning_rate)
        return torch.optim.SGD(params, lr=self.learning_rate)
