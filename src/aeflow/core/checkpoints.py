"""Reading Lightning checkpoints without Lightning (torch only), for analysis jobs.

Every checkpoint the workflow writes is Lightning's own (``trainer.save_checkpoint``):
``state_dict``, ``hyper_parameters``, ``pytorch-lightning_version``, ``epoch``,
``global_step``, optimiser states. ``SomeModule.load_from_checkpoint(path)`` is the way
back to a trained module; this reader serves jobs that need only the weights and would
otherwise pay Lightning's import time.
"""

from __future__ import annotations

import os
from typing import Any

import torch

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
