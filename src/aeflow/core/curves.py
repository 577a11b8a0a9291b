"""Per-epoch loss curves of many networks trained together, and where they diverged: the
tables and warnings both parts' trainings write.

Both training modules record, after every epoch (0 = untrained), each network's loss over
its whole training set and its held-out set: a tensor (epochs + 1, R, 2). (An autoencoder
training may evaluate its held-out set less often: NaN between; ``training.held_out_every``.)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch

CURVE_COLUMNS = ["epoch", "examples_seen", "train_loss", "test_loss"]


def curve_table(
    losses: torch.Tensor,
    examples_per_epoch: int | Sequence[int],
    labels: Mapping[str, Sequence],
    every: int = 1,
) -> pd.DataFrame:
    """``losses`` (records, R, 2: train, test; record i after epoch i x ``every``, 0 =
    untrained) as rows of the ``labels`` columns (one value per network each, e.g. trial
    and seed), epoch, examples seen (``epoch`` times the network's examples per epoch: one
    number for all, or one per network), train_loss and test_loss; network-major order."""
    values = losses.detach().cpu().double().numpy()
    epochs = np.arange(values.shape[0]) * every
    per_network = np.broadcast_to(np.asarray(examples_per_epoch), (values.shape[1],))
    frames = [
        pd.DataFrame(
            {
                **{column: per_net[r] for column, per_net in labels.items()},
                "epoch": epochs,
                "examples_seen": epochs * int(per_network[r]),
                "train_loss": values[:, r, 0],
                "test_loss": values[:, r, 1],
            }
        )
        for r in range(values.shape[1])
    ]
    return pd.concat(frames, ignore_index=True)


def divergence_onsets(losses: torch.Tensor) -> dict[int, int]:
    """For every network whose loss stopped being finite, the first index along the first
    axis where it is not: ``losses`` is (steps or epochs, R, ...), the result maps
    network (position along the second axis) to that index. One host synchronisation
    when everything is finite."""
    bad = ~torch.isfinite(losses.detach().reshape(losses.shape[0], losses.shape[1], -1))
    bad = bad.any(dim=2)  # (T, R)
    if not bool(bad.any()):
        return {}
    first = bad.int().argmax(dim=0)
    return {int(r): int(first[r]) for r in bad.any(dim=0).nonzero().flatten()}


def warn_divergence(
    log: logging.Logger, run_name: str, losses: torch.Tensor, trials: Sequence, seeds: Sequence
) -> list[int]:
    """Name every network whose per-epoch loss (epochs + 1, R, 2) stopped being finite
    (its trial and seed) and the epoch it happened; returns those networks."""
    onsets = divergence_onsets(losses)
    for r, epoch in onsets.items():
        log.warning(
            "%s: trial %r seed %d diverged: loss not finite from epoch %d on (lower its "
            "learning_rate)",
            run_name,
            trials[r],
            seeds[r],
            epoch,
        )
    return sorted(onsets)
