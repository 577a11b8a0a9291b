"""Reading Lightning checkpoints without Lightning (torch only), for analysis jobs.

Every checkpoint the workflow writes is Lightning's own (``trainer.save_checkpoint``):
``state_dict``, ``hyper_parameters``, ``pytorch-lightning_version``, ``epoch``,
``global_step``, optimiser states. ``SomeModule.load_from_checkpoint(path)`` is the way
back to a trained module; ``load_network`` serves jobs that need only the weights and
would otherwise pay Lightning's import time. It rebuilds the network with the builder the
module itself uses (from the saved hyper-parameters, torch only) and loads the saved
weights into it, so both ways give the same network.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import torch
from torch import nn

VERSION_KEY = "pytorch-lightning_version"


def read_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The saved hyper-parameters and state dict of a Lightning checkpoint, on the CPU."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or VERSION_KEY not in payload:
        raise ValueError(f"{path}: not a Lightning checkpoint (no {VERSION_KEY!r})")
    return dict(payload.get("hyper_parameters", {})), payload["state_dict"]


def submodule_state(state: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The entries of a module's state dict that belong to its sub-module ``prefix``."""
    return {k.removeprefix(f"{prefix}."): v for k, v in state.items() if k.startswith(f"{prefix}.")}


def load_network(
    path: str | os.PathLike[str], attribute: str, build: Callable[[Mapping[str, Any]], nn.Module]
) -> tuple[nn.Module, dict[str, Any]]:
    """The network a Lightning module holds as ``attribute``, from the checkpoint at
    ``path``, in eval mode on the CPU, and the module's hyper-parameters: ``build`` (the
    module's own builder) makes it from the hyper-parameters, then it takes the saved
    weights over (dtype included)."""
    hyper_parameters, state = read_checkpoint(path)
    network = build(hyper_parameters)
    network.load_state_dict(submodule_state(state, attribute), assign=True)
    return network.eval(), hyper_parameters
