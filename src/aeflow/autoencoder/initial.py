"""Part (c)'s reference: how untrained networks order the plane.

The sheet says the random initialisation gives random code distributions and training
orders the plane along one direction. A handful of trained replicas against as many
untrained ones cannot decide that; ``initial_orders`` draws many untrained networks of a
variant's architecture (no training, so they are cheap) and measures the order each
one's code gives the training points, the reference a trained code's |rho| is placed in
(``summary.init_order_extras``).

Draw i is initialised exactly as a trained replica with seed ``seed + INIT_SEED_OFFSET +
i`` would be (``StackedAutoencoder.initialise_``, torch's default initialisation, one
generator per network), where ``seed`` is the variant's training seed. The trained
replicas use ``seed, seed + 1, ...`` (one per replica), so the draws collide with them
only with more than ``INIT_SEED_OFFSET`` replicas. All draws are one stacked network and
their codes one batched forward pass.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from aeflow.autoencoder.data import replica_points
from aeflow.autoencoder.models import StackedAutoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.stats import rank_correlation

INIT_SEED_OFFSET = 1_000_000  # draw i's seed: the variant's training seed + this + i
INITIAL_DRAWS = 1000  # config latent_reference.draws' default


def initial_seeds(seed: int, draws: int) -> list[int]:
    """The seeds of the reference draws of a variant with training seed ``seed``."""
    return [seed + INIT_SEED_OFFSET + i for i in range(draws)]


@torch.no_grad()
def initial_codes(spec: ModelSpec, points: torch.Tensor, seeds: list[int]) -> np.ndarray:
    """The first latent coordinate each untrained network (one per seed) gives ``points``
    (n, 2): shape (len(seeds), n), in one batched forward pass of the encoders."""
    network = StackedAutoencoder(spec, len(seeds)).initialise_(seeds)
    stacked = points.to(torch.float32).expand(len(seeds), *points.shape)
    return network.encoder(stacked)[..., 0].double().numpy()


def initial_orders(
    spec: ModelSpec, points: torch.Tensor, seed: int, draws: int = INITIAL_DRAWS
) -> pd.DataFrame:
    """Part (c)'s reference distribution: ``draws`` untrained networks of ``spec``, draw i
    seeded ``seed + INIT_SEED_OFFSET + i`` (module docstring), each encoding the training
    points of data sample 0 (``points``: (n, 2), or (samples, n, 2)). One row per draw:
    draw, seed, rho_zx, rho_zy (Spearman's rank correlation of the code z with x and
    with y, ``core.stats.rank_correlation``; NaN where a network's code is constant)."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    own = replica_points(points, 0)
    seeds = initial_seeds(seed, draws)
    codes = initial_codes(spec, own, seeds)
    xy = own.double().numpy()
    return pd.DataFrame(
        {
            "draw": np.arange(draws),
            "seed": seeds,
            "rho_zx": [rank_correlation(z, xy[:, 0]) for z in codes],
            "rho_zy": [rank_correlation(z, xy[:, 1]) for z in codes],
        }
    )
