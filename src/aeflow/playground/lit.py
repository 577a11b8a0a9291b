"""The LightningModule of the Playground networks: loss, the Playground's optimiser, and
the per-epoch loss read-out.

One module trains R networks of one shape together (the slices: trials x seed replicas,
each with its own data, initial weights, point order, learning rate and regularisation).
Like ``aeflow.autoencoder.lit.AutoencoderModule`` it takes one epoch per Lightning step
(the networks are tiny; Lightning's per-step overhead would dominate) and steps the
optimiser once per mini-batch through Lightning's wrapper (so ``trainer.global_step``
counts the updates). After each epoch it evaluates every network's loss on its full
training and test sets, as the Playground's loss read-out does.

``ClassifierModule.load_from_checkpoint(path).network.replica(k)`` gives slice k back; the
data sets are not part of the checkpoint (``attach_data`` before training).
"""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from aeflow.playground.models import PlaygroundNetworks, features, square_loss
from aeflow.playground.optim import PlaygroundSGD
from aeflow.playground.settings import NetworkSpec


class ClassifierModule(pl.LightningModule):
    def __init__(
        self,
        network: dict,
        slices: list[dict],
        regression: bool = False,
        run_name: str = "",
    ) -> None:
        """``network``: ``NetworkSpec`` keyword arguments, shared by all slices;
        ``slices``: per network, ``trial``, ``seed`` (initial weights), ``learning_rate``,
        ``regularization`` and ``regularization_rate``."""
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.network = PlaygroundNetworks(NetworkSpec(**network), len(slices), regression)
        self.network.initialise_([s["seed"] for s in slices])
        # Per-epoch (R, 2) train/test losses, kept on the module's device: no host sync
        # per epoch. Epoch 0 (untrained) is recorded in on_train_start, after Lightning
        # has moved the module to its device.
        self.epoch_losses: list[torch.Tensor] = []
        self.dead_links: list[torch.Tensor] = [
            torch.zeros_like(w, dtype=torch.bool) for w in self.network.weights
        ]

    def attach_data(self, train: torch.Tensor, test: torch.Tensor) -> ClassifierModule:
        """``train`` (R, n, 3) and ``test`` (R, m, 3): x1, x2, label rows per network; they
        move with the module but are not saved in its checkpoints."""
        self.register_buffer("train_set", self.feature_rows(train), persistent=False)
        self.register_buffer("test_set", self.feature_rows(test), persistent=False)
        return self

    def feature_rows(self, rows: torch.Tensor) -> torch.Tensor:
        """(R, n, 3) x1, x2, label rows -> (R, n, F + 1): the network's input features, then
        the label. Batches of these rows feed ``objective``."""
        inputs = features(rows[..., :2], self.network.spec.features)
        return torch.cat([inputs, rows[..., 2:]], dim=-1)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.network(points)

    def objective(self, batch: torch.Tensor) -> torch.Tensor:
        """Sum over networks of each one's mean loss on its (R, size, F + 1) batch of
        ``feature_rows``: the gradient of slice r is its own batch-averaged error
        derivative."""
        return square_loss(self.network.from_features(batch[..., :-1]), batch[..., -1]).sum()

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """(R, 2): each network's loss on its full training and test set."""
        return torch.stack(
            [
                square_loss(self.network.from_features(s[..., :-1]), s[..., -1])
                for s in (self.train_set, self.test_set)
            ],
            dim=1,
        )

    def on_train_start(self) -> None:
        self.epoch_losses = [self.evaluate()]

    def training_step(self, epoch_batches: list[torch.Tensor], batch_idx: int) -> None:
        optimizer = self.optimizers()  # Lightning's wrapper: each step counts in global_step
        for batch in epoch_batches:
            optimizer.zero_grad(set_to_none=True)
            self.manual_backward(self.objective(batch))
            optimizer.step()
        # A diverging network only spoils its own slice: the summary reports it.
        self.epoch_losses.append(self.evaluate())

    def on_train_end(self) -> None:
        # Links L1 switched off for good (the optimiser's state), for the weights table.
        self.dead_links = self.optimizers().optimizer.dead_links()

    def configure_optimizers(self) -> torch.optim.Optimizer:
        slices = self.hparams.slices
        return PlaygroundSGD(
            list(self.network.weights),
            list(self.network.biases),
            [s["learning_rate"] for s in slices],
            [s["regularization"] for s in slices],
            [s["regularization_rate"] for s in slices],
        )
