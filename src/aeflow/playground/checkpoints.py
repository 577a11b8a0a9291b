"""Trained Playground classifiers back from the workflow's (Lightning) checkpoints, torch
only. The Lightning way: ``ClassifierModule.load_from_checkpoint(path).network``."""

from __future__ import annotations

import os

from aeflow.core.checkpoints import read_checkpoint, submodule_state
from aeflow.playground.models import PlaygroundClassifier
from aeflow.playground.settings import NetworkSpec


def load_classifier(path: str | os.PathLike[str]) -> PlaygroundClassifier:
    """The trained network stored at ``path``, in eval mode on the CPU."""
    hyper_parameters, state = read_checkpoint(path)
    network = PlaygroundClassifier(NetworkSpec(**hyper_parameters["network"]))
    network.load_state_dict(submodule_state(state, "network"))
    return network.eval()
