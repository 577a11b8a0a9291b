"""Saving and loading autoencoder weights together with the architecture that made them."""

from __future__ import annotations

import os

import torch

from aeflow.atomic import atomic_path
from aeflow.models import Autoencoder, ModelSpec

FORMAT = "aeflow-autoencoder/1"


def save_autoencoder(
    state_dict: dict[str, torch.Tensor], spec: ModelSpec, path: str | os.PathLike[str]
) -> None:
    """Write weights and architecture atomically."""
    payload = {"format": FORMAT, "model": spec.to_dict(), "state_dict": state_dict}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def load_autoencoder(path: str | os.PathLike[str]) -> Autoencoder:
    """Rebuild the autoencoder stored at ``path`` (in eval mode, on the CPU)."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path}: not an aeflow checkpoint (format {payload.get('format')!r})")
    model = Autoencoder(ModelSpec(**payload["model"]))
    model.load_state_dict(payload["state_dict"])
    return model.eval()
