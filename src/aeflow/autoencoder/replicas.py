"""Independent replicas of one autoencoder, trained at once on a leading replica axis.

The parameters of R models are stacked into tensors of shape (R, ...) and each layer runs as
one batched matrix product (``baddbmm``) for all replicas, each on its own mini-batch
(``torch.func.vmap`` does the same with far more per-call overhead). The summed
loss gives each replica exactly the gradient of its own loss, and Adam and SGD update
element-wise, so replica k follows the same trajectory as a lone training with its seed
(up to floating-point reassociation in the batched matrix products).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.func import stack_module_state

from aeflow.autoencoder.models import Autoencoder
from aeflow.core.batches import ShuffledBatches


class ReplicatedAutoencoder(nn.Module):
    """R copies of one architecture with stacked parameters; forward maps (R, B, d).

    ``group_sizes`` splits the replicas into consecutive groups (e.g. the seeds of each
    trial of a sweep batch), each with parameter tensors of its own, so that an optimiser
    can give each group its own learning rate; the forward pass joins them.
    """

    def __init__(self, models: list[Autoencoder], group_sizes: list[int] | None = None) -> None:
        super().__init__()
        self.spec = models[0].spec
        self.replicas = len(models)
        self.group_sizes = list(group_sizes or [len(models)])
        if sum(self.group_sizes) != len(models) or min(self.group_sizes) < 1:
            raise ValueError(f"group sizes {self.group_sizes} do not split {len(models)} models")
        starts = np.cumsum([0, *self.group_sizes])
        groups = [stack_module_state(models[a:b])[0] for a, b in itertools.pairwise(starts)]
        self.names = list(groups[0])
        # ParameterDict keys may not contain dots. Group g's parameter i is at
        # g * len(names) + i.
        self.stacked = nn.ParameterList(
            [nn.Parameter(group[name]) for group in groups for name in self.names]
        )
        # (parameter-name prefix or None, activation) per layer, in forward order.
        self.layers: list[tuple[str, nn.Module | None]] = []
        for part in ("encoder", "decoder"):
            for name, module in _layers(getattr(models[0], part), part):
                if isinstance(module, nn.Linear):
                    self.layers.append((name, None))
                else:
                    self.layers.append(("", copy.deepcopy(module)))

    def group_parameters(self, group: int) -> list[nn.Parameter]:
        """The parameters of one group (in ``names`` order)."""
        count = len(self.names)
        return list(self.stacked)[group * count : (group + 1) * count]

    def _params(self) -> dict[str, torch.Tensor]:
        if len(self.group_sizes) == 1:
            return dict(zip(self.names, self.stacked, strict=True))
        count = len(self.names)
        return {
            name: torch.cat([self.stacked[g * count + i] for g in range(len(self.group_sizes))])
            for i, name in enumerate(self.names)
        }

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        params = self._params()
        for prefix, activation in self.layers:
            if activation is not None:
                x = activation(x)
                continue
            weight_t = params[f"{prefix}.weight"].transpose(1, 2)  # (R, in, out)
            bias = params.get(f"{prefix}.bias")
            x = (
                torch.bmm(x, weight_t)
                if bias is None
                else torch.baddbmm(bias.unsqueeze(1), x, weight_t)
            )
        return x

    def replica_state_dicts(self) -> list[dict[str, torch.Tensor]]:
        """One ordinary ``Autoencoder`` state dict per replica (detached copies)."""
        return [
            {name: tensor[k].detach().clone() for name, tensor in self._params().items()}
            for k in range(self.replicas)
        ]


def _layers(module: nn.Module, prefix: str) -> list[tuple[str, nn.Module]]:
    """The leaf layers of an encoder/decoder (a Linear or a Sequential) with their names."""
    if isinstance(module, nn.Sequential):
        return [(f"{prefix}.{name}", child) for name, child in module.named_children()]
    return [(prefix, module)]


class ReplicaEpochBatches:
    """One item per epoch: that epoch's mini-batches, each stacked over replicas (R, B, d).

    Every replica shuffles with its own generator, in the order a lone training with the
    same seed would see.
    """

    def __init__(self, per_replica: list[ShuffledBatches]) -> None:
        self.per_replica = per_replica

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[list[torch.Tensor]]:
        epochs = [list(batches) for batches in self.per_replica]
        yield [torch.stack(step) for step in zip(*epochs, strict=True)]
