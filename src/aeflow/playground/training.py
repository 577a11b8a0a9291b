"""One Playground training through Lightning, and the tables it leaves behind."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from aeflow.core.batches import EpochBatches, ShuffledBatches
from aeflow.core.modules import count_parameters
from aeflow.playground.data import DOMAIN, make_points
from aeflow.playground.models import PlaygroundClassifier
from aeflow.playground.settings import PlaygroundSpec

log = logging.getLogger(__name__)
BOUNDARY_GRID = 101  # points per axis of the decision-boundary map over DOMAIN


@dataclass
class PlaygroundResult:
    points: pd.DataFrame  # x1, x2, label, split, output (of the trained network)
    curves: pd.DataFrame  # epoch, examples_seen, train_loss, test_loss (epoch 0: untrained)
    boundary: pd.DataFrame  # x1, x2, output over a grid of the input domain
    weights: pd.DataFrame  # layer, target, source, weight
    state: dict[str, torch.Tensor]
    seconds: float


def as_tensor(points: pd.DataFrame, split: str) -> torch.Tensor:
    """(n, 3) float tensor of x1, x2, label of one split."""
    chosen = points[points["split"] == split]
    return torch.tensor(chosen[["x1", "x2", "label"]].to_numpy(), dtype=torch.float32)


@torch.no_grad()
def boundary_table(network: PlaygroundClassifier, grid: int = BOUNDARY_GRID) -> pd.DataFrame:
    """The network's output over a grid x grid lattice of the Playground's input domain."""
    axis = torch.linspace(*DOMAIN, grid)
    x1, x2 = torch.meshgrid(axis, axis, indexing="xy")
    points = torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)
    output = network(points)
    return pd.DataFrame(
        {"x1": points[:, 0].numpy(), "x2": points[:, 1].numpy(), "output": output.double().numpy()}
    )


def weight_table(network: PlaygroundClassifier) -> pd.DataFrame:
    """Every weight (no biases) as rows layer (1 = first), target unit, source unit, weight."""
    frames = []
    for layer, matrix in enumerate(network.weight_matrices(), start=1):
        values = matrix.detach().double().numpy()
        target, source = np.indices(values.shape)
        frames.append(
            pd.DataFrame(
                {
                    "layer": layer,
                    "target": target.ravel(),
                    "source": source.ravel(),
                    "weight": values.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def train_classifier(
    spec: PlaygroundSpec, run_name: str, checkpoint: str | os.PathLike[str] | None = None
) -> PlaygroundResult:
    """Generate the data set, train the classifier with plain SGD, tabulate the outcome.
    With ``checkpoint``, the trained module is saved there as a Lightning checkpoint."""
    from aeflow.core.trainer import fit
    from aeflow.playground.lit import ClassifierModule

    points = make_points(spec.data)
    train, test = as_tensor(points, "train"), as_tensor(points, "test")
    module = ClassifierModule(
        spec.network.to_dict(),
        spec.fit.learning_rate,
        spec.fit.regularization,
        spec.fit.regularization_rate,
        spec.fit.seed,
        run_name,
    ).attach_data(train, test)
    network = module.network
    # The Playground keeps a last, smaller batch; so do we.
    batches = ShuffledBatches(
        train, spec.fit.batch_size, shuffle=True, drop_last=False, seed=spec.fit.seed
    )
    log.info(
        "training %s: %s, %d train / %d test points, %d parameters, %d epochs x %d batches, "
        "lr=%g, regularization %s (rate %g)",
        run_name,
        spec.network.to_dict(),
        len(train),
        len(test),
        count_parameters(network),
        spec.fit.epochs,
        len(batches),
        spec.fit.learning_rate,
        spec.fit.regularization,
        spec.fit.regularization_rate,
    )
    seconds = fit(
        module,
        EpochBatches(batches),
        spec.fit.epochs,
        spec.fit.accelerator,
        final_checkpoint=checkpoint,
    ).seconds
    network.cpu()
    with torch.no_grad():
        inputs = torch.tensor(points[["x1", "x2"]].to_numpy(), dtype=torch.float32)
        points = points.assign(output=network(inputs).double().numpy())
    losses = torch.stack(module.epoch_losses).cpu().double().numpy()
    epochs = np.arange(len(losses))
    curves = pd.DataFrame(
        {
            "epoch": epochs,
            "examples_seen": epochs * len(train),
            "train_loss": losses[:, 0],
            "test_loss": losses[:, 1],
        }
    )
    log.info(
        "trained %s in %.1f s; final train loss %.4g, test loss %.4g",
        run_name,
        seconds,
        losses[-1, 0],
        losses[-1, 1],
    )
    return PlaygroundResult(
        points,
        curves,
        boundary_table(network),
        weight_table(network),
        {k: v.detach().clone() for k, v in network.state_dict().items()},
        seconds,
    )
