"""The LightningModule of the Playground classifier: loss, penalty and optimiser.

Like ``aeflow.lit.AutoencoderModule`` it takes one epoch per Lightning step (the networks
are tiny; Lightning's per-step overhead would dominate) and steps plain SGD, the
Playground's optimiser, once per mini-batch. After each epoch it evaluates the loss on the
full training and test sets, as the Playground's loss read-out does.
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from aeflow.lit import TrainingDiverged, make_optimizer
from aeflow.playground.network import PlaygroundClassifier, penalty, square_loss


class ClassifierModule(pl.LightningModule):
    def __init__(
        self,
        network: PlaygroundClassifier,
        learning_rate: float,
        regularization: str,
        regularization_rate: float,
        train: torch.Tensor,
        test: torch.Tensor,
        run_name: str,
    ) -> None:
        """``train`` and ``test``: (n, 3) tensors of x1, x2, label."""
        super().__init__()
        self.automatic_optimization = False
        self.network = network
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.regularization_rate = regularization_rate
        self.run_name = run_name
        self.register_buffer("train_set", train, persistent=False)
        self.register_buffer("test_set", test, persistent=False)
        # Per-epoch (train loss, test loss) as tensors on the module's device; the
        # finiteness check is the one host sync per epoch. Epoch 0 (untrained) is recorded
        # in on_train_start, after Lightning has moved the module to its device.
        self.epoch_losses: list[torch.Tensor] = []

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.network(points)

    def objective(self, batch: torch.Tensor) -> torch.Tensor:
        """Data loss of a batch of (x1, x2, label) rows plus the regularisation penalty."""
        data_loss = square_loss(self.network(batch[:, :2]), batch[:, 2])
        weights = self.network.weight_matrices()
        return data_loss + penalty(weights, self.regularization, self.regularization_rate)

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """(train loss, test loss) on the full sets, without the penalty."""
        return torch.stack(
            [square_loss(self.network(s[:, :2]), s[:, 2]) for s in (self.train_set, self.test_set)]
        )

    def on_train_start(self) -> None:
        self.epoch_losses = [self.evaluate()]

    def training_step(self, epoch_batches: list[torch.Tensor], batch_idx: int) -> None:
        optimizer = self.optimizers().optimizer
        for batch in epoch_batches:
            optimizer.zero_grad(set_to_none=True)
            self.manual_backward(self.objective(batch))
            optimizer.step()
        losses = self.evaluate()
        self.epoch_losses.append(losses)
        if not bool(torch.isfinite(losses).all()):
            raise TrainingDiverged(
                f"playground run {self.run_name!r} diverged: loss is {losses.tolist()} in "
                f"epoch {self.current_epoch + 1}; lower training.learning_rate"
            )

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return make_optimizer("sgd", list(self.network.parameters()), self.learning_rate)
