"""Trained Playground networks back from the workflow's (Lightning) checkpoints, torch
only. The Lightning way: ``ClassifierModule.load_from_checkpoint(path).network``."""

from __future__ import annotations

import os

from aeflow.core.checkpoints import read_checkpoint, submodule_state
from aeflow.playground.models import PlaygroundClassifier, PlaygroundNetworks
from aeflow.playground.settings import NetworkSpec


def load_networks(path: str | os.PathLike[str]) -> tuple[PlaygroundNetworks, list[dict]]:
    """All networks of a trial batch and their slices (trial, seed, optimiser settings)."""
    hyper_parameters, state = read_checkpoint(path)
    slices = list(hyper_parameters["slices"])
    spec = NetworkSpec(**hyper_parameters["network"])
    networks = PlaygroundNetworks(
        spec,
        len(slices),
        hyper_parameters["regression"],
        [s.get("activation", spec.activation) for s in slices],
    )
    networks.load_state_dict(submodule_state(state, "network"))
    return networks.eval(), slices


def load_classifier(path: str | os.PathLike[str], trial: str, seed: int) -> PlaygroundClassifier:
    """The trained network of ``trial`` and ``seed`` in the batch stored at ``path``."""
    networks, slices = load_networks(path)
    for r, entry in enumerate(slices):
        if entry["trial"] == trial and entry["seed"] == seed:
            return networks.replica(r)
    found = sorted({(s["trial"], s["seed"]) for s in slices})
    raise KeyError(f"no network of trial {trial!r} seed {seed} in {path}; it holds {found}")
