"""The LightningModule of the Playground classifier: loss, penalty and optimiser.

Like ``aeflow.autoencoder.lit.AutoencoderModule`` it takes one epoch per Lightning step
(the networks are tiny; Lightning's per-step overhead would dominate) and steps plain SGD,
the Playground's optimiser, once per mini-batch through Lightning's optimiser wrapper (so
``trainer.global_step`` counts the steps). After each epoch it evaluates the loss on the
full training and test sets, as the Playground's loss read-out does.

``ClassifierModule.load_from_checkpoint(path)`` rebuilds a trained module; the data sets
are not part of it (``attach_data`` before training).
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from aeflow.core.trainer import TrainingDiverged, make_optimizer
from aeflow.playground.models import PlaygroundClassifier, penalty, playground_init_, square_loss
from aeflow.playground.settings import NetworkSpec


class ClassifierModule(pl.LightningModule):
    def __init__(
        self,
        network: dict,
        learning_rate: float = 0.03,
        regularization: str = "none",
        regularization_rate: float = 0.0,
        seed: int = 0,
        run_name: str = "",
    ) -> None:
        """``network``: ``NetworkSpec`` keyword arguments; ``seed``: initial weights."""
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.network = playground_init_(PlaygroundClassifier(NetworkSpec(**network)), seed)
        # Per-epoch (train loss, test loss) as tensors on the module's device; the
        # finiteness check is the one host sync per epoch. Epoch 0 (untrained) is recorded
        # in on_train_start, after Lightning has moved the module to its device.
        self.epoch_losses: list[torch.Tensor] = []

    def attach_data(self, train: torch.Tensor, test: torch.Tensor) -> ClassifierModule:
        """``train`` and ``test``: (n, 3) tensors of x1, x2, label; they move with the
        module but are not saved in its checkpoints."""
        self.register_buffer("train_set", train, persistent=False)
        self.register_buffer("test_set", test, persistent=False)
        return self

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.network(points)

    def objective(self, batch: torch.Tensor) -> torch.Tensor:
        """Data loss of a batch of (x1, x2, label) rows plus the regularisation penalty."""
        data_loss = square_loss(self.network(batch[:, :2]), batch[:, 2])
        weights = self.network.weight_matrices()
        return data_loss + penalty(
            weights, self.hparams.regularization, self.hparams.regularization_rate
        )

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """(train loss, test loss) on the full sets, without the penalty."""
        return torch.stack(
            [square_loss(self.network(s[:, :2]), s[:, 2]) for s in (self.train_set, self.test_set)]
        )

    def on_train_start(self) -> None:
        self.epoch_losses = [self.evaluate()]

    def training_step(self, epoch_batches: list[torch.Tensor], batch_idx: int) -> None:
        optimizer = self.optimizers()  # Lightning's wrapper: each step counts in global_step
        for batch in epoch_batches:
            optimizer.zero_grad(set_to_none=True)
            self.manual_backward(self.objective(batch))
            optimizer.step()
        losses = self.evaluate()
        self.epoch_losses.append(losses)
        if not bool(torch.isfinite(losses).all()):
            raise TrainingDiverged(
                f"playground run {self.hparams.run_name!r} diverged: loss is "
                f"{losses.tolist()} in epoch {self.current_epoch + 1}; lower "
                "training.learning_rate"
            )

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return make_optimizer("sgd", list(self.network.parameters()), self.hparams.learning_rate)
