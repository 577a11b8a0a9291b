"""Trained Playground networks back from the workflow's (Lightning) checkpoints, torch
only, with the builder the module itself uses (``models.build_networks``). The Lightning
way: ``ClassifierModule.load_from_checkpoint(path).network``."""

from __future__ import annotations

import os
from pathlib import Path

from aeflow.core.checkpoints import load_network
from aeflow.playground.models import PlaygroundClassifier, PlaygroundNetworks, build_networks


def load_networks(path: str | os.PathLike[str]) -> tuple[PlaygroundNetworks, list[dict]]:
    """All networks of a chunk of trials and their slices (trial, seed, optimiser settings)."""
    networks, hyper_parameters = load_network(path, "network", build_networks)
    return networks, list(hyper_parameters["slices"])


def load_classifier(path: str | os.PathLike[str], trial: str, seed: int) -> PlaygroundClassifier:
    """The trained network of ``trial`` and ``seed`` in the checkpoint at ``path``, or in
    one of the checkpoints in the folder ``path`` (a chunk's ``models``: one per group)."""
    paths = sorted(Path(path).glob("*.ckpt")) if Path(path).is_dir() else [Path(path)]
    found = set()
    for checkpoint in paths:
        networks, slices = load_networks(checkpoint)
        for r, entry in enumerate(slices):
            if entry["trial"] == trial and entry["seed"] == seed:
                return networks.replica(r)
        found |= {(s["trial"], s["seed"]) for s in slices}
    raise KeyError(f"no network of trial {trial!r} seed {seed} in {path}; it holds {sorted(found)}")
