"""Stacked linear layers: R independent ``nn.Linear`` layers of one shape as one module.

Both parts train many small networks of one shape at once (seed replicas, trials). Their
layers are ``StackedLinear``s: the weight of layer l is one tensor of shape
(R, out, in) (replica axis first, then ``nn.Linear``'s own layout), its bias (R, out),
and the layer runs as one batched matrix product (``torch.baddbmm``) for all R networks,
each on its own inputs (R, B, in). The layers sit where a lone network has its
``nn.Linear``s (inside the usual ``nn.Sequential``), so a checkpoint's keys read like the
lone network's (``encoder.0.weight``, ``layers.1.bias``) whatever R is, and slice k of
every tensor is network k: ``replica_state(state, k)``.

No operation mixes slices, so the gradient of a summed loss gives each network exactly
the gradient of its own loss. The layers are created zero-filled: each part draws its
initial weights itself, network k from a ``torch.Generator`` seeded with its own seed
(no global random state).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn


def stacked_linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """(R, B, in) inputs through R linear maps, weight (R, out, in), bias (R, out) or None:
    (R, B, out), in one batched matrix product."""
    weight_t = weight.transpose(1, 2)  # (R, in, out)
    if bias is None:
        return torch.bmm(x, weight_t)
    return torch.baddbmm(bias.unsqueeze(1), x, weight_t)


class StackedLinear(nn.Module):
    """R independent linear layers of one shape; ``forward``: (R, B, in) -> (R, B, out).

    ``weight``: (R, out, in), ``bias``: (R, out) (None with ``bias=False``), zero-filled.
    """

    def __init__(
        self,
        replicas: int,
        in_features: int,
        out_features: int,
        bias: bool = True,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        if replicas < 1:
            raise ValueError(f"a stacked layer needs at least one replica, got {replicas}")
        self.replicas = replicas
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.zeros(replicas, out_features, in_features, dtype=dtype))
        self.bias = nn.Parameter(torch.zeros(replicas, out_features, dtype=dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return stacked_linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"replicas={self.replicas}, in_features={self.in_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


def stacked_layers(module: nn.Module) -> list[StackedLinear]:
    """The ``StackedLinear``s of ``module``, in forward (definition) order."""
    return [layer for layer in module.modules() if isinstance(layer, StackedLinear)]


def replica_state(state: Mapping[str, Tensor], k: int) -> dict[str, Tensor]:
    """Slice ``k`` of every tensor of a stacked state dict: network k's own state dict,
    under the same names (detached copies)."""
    return {name: tensor[k].detach().clone() for name, tensor in state.items()}


def stack_states(states: Sequence[Mapping[str, Tensor]]) -> dict[str, Tensor]:
    """The stacked state dict of networks with these state dicts (one per replica)."""
    return {name: torch.stack([state[name] for state in states]) for name in states[0]}
