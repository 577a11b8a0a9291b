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

import io
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import nn

from aeflow.core.atomic import atomic_path

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


def canonical(value: object) -> object:
    """``value`` with every ``str`` interned, dicts, lists and tuples rebuilt (same types),
    so that a checkpoint's bytes depend on its content only: ``torch.save`` pickles a string
    once per object, and equal content built two ways would otherwise give other bytes."""
    kind = type(value)
    if kind is str:
        return sys.intern(value)
    if kind in (dict, OrderedDict):
        rebuilt = kind((canonical(k), canonical(v)) for k, v in value.items())
        # A module's state dict keeps its layers' versions as an attribute (_metadata).
        for name, attribute in getattr(value, "__dict__", {}).items():
            setattr(rebuilt, name, canonical(attribute))
        return rebuilt
    if kind in (list, tuple):
        return kind(canonical(v) for v in value)
    return value


# What a checkpoint of blocks that trained for different lengths keeps: the weights and
# settings (each block's own checkpoint holds its training state).
MODEL_KEYS = (
    VERSION_KEY,
    "state_dict",
    "hparams_name",
    "hyper_parameters",
    "datamodule_hparams_name",
    "datamodule_hyper_parameters",
)


def gather_checkpoints(
    paths: Sequence[str | os.PathLike[str]], keep: int, training_state: bool = True
) -> dict:
    """One Lightning checkpoint of the first ``keep`` replicas of several checkpoints of
    one run's replica blocks (``core.blocks``), in order: every per-replica tensor (the
    weights, the optimiser's moments: replica axis first), per-replica list (the
    DataModule's generators) and ``seeds`` hyper-parameter concatenated, everything else
    (loop counters, settings) the blocks' own, which must agree. It loads as if one job
    had trained them all. Without ``training_state`` (blocks that stopped at epochs of
    their own), only the weights and settings (``MODEL_KEYS``)."""
    payloads = [torch.load(p, map_location="cpu", weights_only=True) for p in paths]
    if not training_state:
        payloads = [{k: p[k] for k in MODEL_KEYS if k in p} for p in payloads]
    first = _joined(payloads, str(paths[0])) if len(payloads) > 1 else payloads[0]
    seeds = list(first["hyper_parameters"]["seeds"])
    if keep > len(seeds):
        raise ValueError(f"{keep} replicas asked of blocks that hold {len(seeds)}")
    return _kept(first, keep)


def _joined(payloads: list, where: str, key: str = "") -> Any:
    """The blocks' values of one checkpoint entry as one value: per-replica tensors (replica
    axis first), lists of per-replica tensors and ``seeds`` lists concatenated; the rest
    must agree."""
    first = payloads[0]
    if isinstance(first, torch.Tensor) and first.dim() > 0:
        return torch.cat(payloads)
    if isinstance(first, dict):
        rebuilt = type(first)(
            (k, _joined([p[k] for p in payloads], where, f"{key}.{k}")) for k in first
        )
        for name, attribute in getattr(first, "__dict__", {}).items():
            setattr(rebuilt, name, attribute)
        return rebuilt
    if isinstance(first, list) and key.endswith("optimizer_states"):
        return [_joined([p[i] for p in payloads], where, f"{key}.{i}") for i in range(len(first))]
    if _per_replica_list(first, key):
        return [item for p in payloads for item in p]
    return _same(payloads, where, key)


def _per_replica_list(value: Any, key: str) -> bool:
    """The ``seeds`` of hyper-parameters, or a list of per-replica states (the DataModule's
    generators)."""
    if not isinstance(value, list) or not value:
        return False
    return key.endswith(".seeds") or isinstance(value[0], torch.Tensor)


def _same(values: list, where: str, key: str) -> Any:
    first = values[0]
    for other in values[1:]:
        equal = torch.equal(first, other) if isinstance(first, torch.Tensor) else first == other
        if not equal:
            raise ValueError(f"{where}: the replica blocks differ in {key!r}")
    return first


def _kept(value: Any, keep: int, key: str = "") -> Any:
    """``value`` with its per-replica entries cut to the first ``keep`` replicas."""
    if isinstance(value, torch.Tensor):
        return value[:keep].clone() if value.dim() else value
    if isinstance(value, dict):
        rebuilt = type(value)((k, _kept(v, keep, f"{key}.{k}")) for k, v in value.items())
        for name, attribute in getattr(value, "__dict__", {}).items():
            setattr(rebuilt, name, attribute)
        return rebuilt
    if isinstance(value, list) and key.endswith("optimizer_states"):
        return [_kept(v, keep, f"{key}.{i}") for i, v in enumerate(value)]
    if _per_replica_list(value, key):
        return value[:keep]
    return value


def save_checkpoint(checkpoint: dict, path: str | os.PathLike[str]) -> None:
    """``checkpoint`` (canonical strings) at ``path``, written atomically. Saved to memory
    first, as Lightning does: ``torch.save`` to a file names the archive's folder after the
    file, here a temporary name, and the bytes would differ from write to write."""
    buffer = io.BytesIO()
    torch.save(canonical(checkpoint), buffer)
    with atomic_path(path) as partial:
        partial.write_bytes(buffer.getvalue())
