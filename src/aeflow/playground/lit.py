"""The LightningModule of the Playground networks: loss, the Playground's optimiser, and
the per-epoch loss read-out.

One module trains R networks of one shape together (the slices: trials x seed replicas,
each with its own data (training and test sets may differ in size), hidden activation,
initial weights, point order, learning rate and regularisation).
Like ``aeflow.autoencoder.lit.AutoencoderModule`` it takes one epoch per Lightning step
(the networks are tiny; Lightning's per-step overhead would dominate) and steps the
optimiser once per mini-batch (``aeflow.core.steps.MiniBatchSteps``: ``trainer.global_step``
counts the updates). After each epoch it evaluates every network's loss on its full
training and test sets, as the Playground's loss read-out does.

``ClassifierModule.load_from_checkpoint(path).network.replica(k)`` gives slice k back; the
data sets are not part of the checkpoint (``attach_data`` before training). Their settings
are: ``PlaygroundData``, the DataModule that feeds the training, saves each trial's data
settings and the batch settings as its hyper-parameters, and where its point orders stand
as its state, so that a training resumed from a saved state (``core.state``) goes on as it
would have.
"""

from __future__ import annotations

import logging

import pytorch_lightning as pl
import torch

from aeflow.core.steps import MiniBatchSteps
from aeflow.playground.models import build_networks, features, square_loss
from aeflow.playground.optim import PlaygroundSGD
from aeflow.playground.schedule import PlaygroundSchedule, Step

log = logging.getLogger(__name__)


def _mean_weights(rows: torch.Tensor, sizes: list[int] | None) -> torch.Tensor | None:
    """(R, n) weights 1 / size of each network's own rows, 0 past them; None when every
    network has all n rows (the loss is then the plain mean)."""
    count = rows.shape[1]
    if sizes is None or all(size == count for size in sizes):
        return None
    filled = torch.arange(count).unsqueeze(0) < torch.tensor(sizes).unsqueeze(1)
    share = torch.tensor([1.0 / size for size in sizes], dtype=torch.float64)
    return (filled * share.unsqueeze(1)).to(rows.dtype)


def _losses(
    output: torch.Tensor, target: torch.Tensor, weights: torch.Tensor | None
) -> torch.Tensor:
    """(R,) the Playground's loss per network, over its own rows when ``weights`` (one
    weight per row, summing to 1 per network) mark them."""
    if weights is None:
        return square_loss(output, target)
    return 0.5 * ((output - target).square() * weights).sum(dim=-1)


class ClassifierModule(pl.LightningModule):
    def __init__(
        self,
        network: dict,
        slices: list[dict],
        regression: bool = False,
        run_name: str = "",
        dtype: str = "float32",
    ) -> None:
        """``network``: ``NetworkSpec`` keyword arguments, shared by all slices;
        ``slices``: per network, ``trial``, ``seed`` (initial weights), ``learning_rate``,
        ``regularization``, ``regularization_rate`` and optionally its own hidden
        ``activation``; ``dtype``: of the weights ("float64" to train in 64 bits, drawn in
        it from the start). The networks are built from these alone
        (``models.build_networks``)."""
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.network = build_networks(self.hparams)
        # Per-epoch (R, 2) train/test losses, kept on the module's device: no host sync
        # per epoch. Epoch 0 (untrained) is recorded in on_train_start, after Lightning
        # has moved the module to its device.
        self.epoch_losses: list[torch.Tensor] = []
        self.dead_links: list[torch.Tensor] = [
            torch.zeros_like(w, dtype=torch.bool) for w in self.network.weights
        ]
        # Whether the records above came from a job's saved state (load_resume_state).
        self.resumed = False

    def attach_data(
        self,
        train: torch.Tensor,
        test: torch.Tensor,
        train_sizes: list[int] | None = None,
        test_sizes: list[int] | None = None,
    ) -> ClassifierModule:
        """``train`` (R, n, 3) and ``test`` (R, m, 3): x1, x2, label rows per network; they
        move with the module but are not saved in its checkpoints. Networks whose sets are
        smaller give their sizes (``train_sizes``, ``test_sizes``): rows past them are
        padding, left out of every loss."""
        self.register_buffer("train_set", self.feature_rows(train), persistent=False)
        self.register_buffer("test_set", self.feature_rows(test), persistent=False)
        for name, rows, sizes in (
            ("train_weights", train, train_sizes),
            ("test_weights", test, test_sizes),
        ):
            self.register_buffer(name, _mean_weights(rows, sizes), persistent=False)
        return self

    def feature_rows(self, rows: torch.Tensor) -> torch.Tensor:
        """(R, n, 3) x1, x2, label rows -> (R, n, F + 1): the network's input features, then
        the label. Batches of these rows feed ``objective``."""
        inputs = features(rows[..., :2], self.network.spec.features)
        return torch.cat([inputs, rows[..., 2:]], dim=-1)

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        return self.network(points)

    def objective(self, step: Step) -> torch.Tensor:
        """Sum over networks of each one's mean loss on its batch of ``feature_rows`` (a
        ``schedule.Step``): the gradient of slice r is its own batch-averaged error
        derivative, and zero for a network the step leaves out."""
        rows = step.rows
        output = self.network.from_features(rows[..., :-1], step.subset)
        return _losses(output, rows[..., -1], step.weights).sum()

    @torch.no_grad()
    def evaluate(self) -> torch.Tensor:
        """(R, 2): each network's loss on its full training and test set."""
        return torch.stack(
            [
                _losses(self.network.from_features(s[..., :-1]), s[..., -1], weights)
                for s, weights in (
                    (self.train_set, self.train_weights),
                    (self.test_set, self.test_weights),
                )
            ],
            dim=1,
        )

    def on_train_start(self) -> None:
        if self.resumed:
            log.info(
                "%s: resumed from its saved state after epoch %d of %d",
                self.hparams.run_name,
                self.current_epoch,
                self.trainer.max_epochs,
            )
            # Restored on the CPU; the new records join them on the module's device.
            self.epoch_losses = [losses.to(self.device) for losses in self.epoch_losses]
            return
        log.info("%s: epoch 1 started", self.hparams.run_name)
        self.epoch_losses = [self.evaluate()]

    def resume_state(self) -> dict[str, torch.Tensor]:
        """What a resumed training needs beside Lightning's checkpoint: the per-epoch
        losses so far (epochs + 1, R, 2)."""
        return {"epoch_losses": torch.stack(self.epoch_losses)}

    def load_resume_state(self, state: dict[str, torch.Tensor]) -> None:
        """The records of ``resume_state``; training resumes after them."""
        self.epoch_losses = list(state["epoch_losses"].unbind())
        self.resumed = True

    def training_step(self, epoch_steps: list[Step], batch_idx: int) -> None:
        with MiniBatchSteps(self) as updates:  # each one counts in trainer.global_step
            for step in epoch_steps:
                updates.take(self.objective(step), active=step.active)
        # A diverging network only spoils its own slice: the summary reports it.
        self.epoch_losses.append(self.evaluate())

    def on_train_end(self) -> None:
        # Links L1 switched off for good (the optimiser's state), for the weights table.
        self.dead_links = self.optimizers().optimizer.dead_links()

    def configure_optimizers(self) -> torch.optim.Optimizer:
        slices = self.hparams.slices
        return PlaygroundSGD(
            self.network.weights,
            self.network.biases,
            [s["learning_rate"] for s in slices],
            [s["regularization"] for s in slices],
            [s["regularization_rate"] for s in slices],
        )


class PlaygroundData(pl.LightningDataModule):
    """The training rows of R networks in the Playground's order (``PlaygroundSchedule``):
    one item per epoch, its update steps. Its hyper-parameters (in every checkpoint): the
    batch size, each network's seed and training-set size, whether orders are redrawn each
    epoch, and each trial's data settings (``data``: trial -> ``DataSpec`` fields, from
    which its points are generated). Its state: each network's order, its generator and
    the points carried into the next epoch."""

    def __init__(
        self,
        train: torch.Tensor,
        batch_size: int,
        seeds: list[int],
        reshuffle: bool,
        sizes: list[int],
        data: dict[str, dict],
    ) -> None:
        super().__init__()
        self.save_hyperparameters(
            {
                "batch_size": batch_size,
                "seeds": list(seeds),
                "reshuffle": reshuffle,
                "train_sizes": list(sizes),
                "data": data,
            }
        )
        self.schedule = PlaygroundSchedule(train, batch_size, list(seeds), reshuffle, sizes)

    def train_dataloader(self) -> PlaygroundSchedule:
        return self.schedule

    def transfer_batch_to_device(
        self, batch: list[Step], device: torch.device, dataloader_idx: int
    ) -> list[Step]:
        # Lightning's default walks every field of every step each epoch (~1 ms); on the
        # CPU, where the schedule builds them, there is nothing to move.
        on_device = all(
            tensor.device == device for step in batch for tensor in step if tensor is not None
        )
        if on_device:
            return batch
        return super().transfer_batch_to_device(batch, device, dataloader_idx)

    def state_dict(self) -> dict:
        schedule = self.schedule
        return {
            "generators": [g.get_state() for g in schedule.generators],
            "order": list(schedule.order),
            "carry": list(schedule.carry),
            "epochs_started": schedule.epochs_started,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        schedule = self.schedule
        if len(state_dict["generators"]) != len(schedule.generators):
            raise ValueError(
                f"{len(state_dict['generators'])} generator states for "
                f"{len(schedule.generators)} networks"
            )
        for generator, state in zip(schedule.generators, state_dict["generators"], strict=True):
            generator.set_state(state)
        schedule.order = list(state_dict["order"])
        schedule.carry = list(state_dict["carry"])
        schedule.epochs_started = state_dict["epochs_started"]
        schedule.forget_repeating()
