"""Trained autoencoders back from the workflow's (Lightning) checkpoints, torch only.

The Lightning way needs no helper: ``AutoencoderModule.load_from_checkpoint(path)``, then
``.replica(k)``. Analysis jobs use these readers instead and skip Lightning's import time;
both build the network with ``replicas.build_autoencoder`` from the saved
hyper-parameters.
"""

from __future__ import annotations

import os

from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.replicas import build_autoencoder
from aeflow.core.checkpoints import load_network, read_checkpoint


def load_replicas(path: str | os.PathLike[str]) -> list[Autoencoder]:
    """Every seed replica stored at ``path``, in seed order, in eval mode on the CPU."""
    network, _ = load_network(path, "autoencoder", build_autoencoder)
    return [
        Autoencoder.from_state(network.spec, network.replica_state(k))
        for k in range(network.replicas)
    ]


def load_replica_seeds(path: str | os.PathLike[str]) -> list[int]:
    """The seeds of the replicas stored at ``path``, in the order ``load_replicas`` gives
    them (replica k's initial-weight seed: ``training.seed + k`` for a run's models)."""
    hyper_parameters, _ = read_checkpoint(path)
    return [int(seed) for seed in hyper_parameters["seeds"]]


def load_autoencoder(path: str | os.PathLike[str], replica: int = 0) -> Autoencoder:
    """Replica ``replica`` (the first by default) stored at ``path``."""
    return load_replicas(path)[replica]
