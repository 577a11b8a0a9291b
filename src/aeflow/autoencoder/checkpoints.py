"""Trained autoencoders back from the workflow's (Lightning) checkpoints, torch only.

The Lightning way needs no helper: ``AutoencoderModule.load_from_checkpoint(path)``, then
``.replica(k)``. Analysis jobs use these readers instead and skip Lightning's import time.
"""

from __future__ import annotations

import os

from aeflow.autoencoder.models import Autoencoder
from aeflow.autoencoder.replicas import ReplicatedAutoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.checkpoints import read_checkpoint, submodule_state


def load_replicas(path: str | os.PathLike[str]) -> list[Autoencoder]:
    """Every seed replica stored at ``path``, in seed order, in eval mode on the CPU."""
    hyper_parameters, state = read_checkpoint(path)
    spec = ModelSpec(**hyper_parameters["model"])
    network = submodule_state(state, "autoencoder")
    models = [Autoencoder(spec) for _ in hyper_parameters["seeds"]]
    if len(models) == 1:
        models[0].load_state_dict(network)
        return [models[0].eval()]
    replicated = ReplicatedAutoencoder(models)
    replicated.load_state_dict(network)
    for model, replica_state in zip(models, replicated.replica_state_dicts(), strict=True):
        model.load_state_dict(replica_state)
    return [model.eval() for model in models]


def load_autoencoder(path: str | os.PathLike[str], replica: int = 0) -> Autoencoder:
    """Replica ``replica`` (the first by default) stored at ``path``."""
    return load_replicas(path)[replica]
