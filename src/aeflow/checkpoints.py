"""Saving and loading autoencoder weights together with the architecture that made them."""

from __future__ import annotations

import os

import torch

from aeflow.atomic import atomic_path
from aeflow.models import Autoencoder, ModelSpec

FORMAT = "aeflow-autoencoder/1"


def save_autoencoder(
    state_dicts: dict[str, torch.Tensor] | list[dict[str, torch.Tensor]],
    spec: ModelSpec,
    path: str | os.PathLike[str],
) -> None:
    """Write the weights (of one model, or of each seed replica) and architecture atomically."""
    replicas = state_dicts if isinstance(state_dicts, list) else [state_dicts]
    payload = {"format": FORMAT, "model": spec.to_dict(), "replicas": replicas}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def _load_payload(path: str | os.PathLike[str]) -> dict:
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != FORMAT:
        raise ValueError(f"{path}: not an aeflow checkpoint (format {payload.get('format')!r})")
    return payload


def _build(payload: dict, state_dict: dict[str, torch.Tensor]) -> Autoencoder:
    model = Autoencoder(ModelSpec(**payload["model"]))
    model.load_state_dict(state_dict)
    return model.eval()


def load_autoencoder(path: str | os.PathLike[str], replica: int = 0) -> Autoencoder:
    """Rebuild one autoencoder stored at ``path`` (in eval mode, on the CPU)."""
    payload = _load_payload(path)
    return _build(payload, payload["replicas"][replica])


def load_replicas(path: str | os.PathLike[str]) -> list[Autoencoder]:
    """Every seed replica stored at ``path``, in seed order."""
    payload = _load_payload(path)
    return [_build(payload, state) for state in payload["replicas"]]
