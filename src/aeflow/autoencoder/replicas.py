"""Independent replicas of one autoencoder, trained at once on a leading replica axis, and
the one builder of a training module's network from its hyper-parameters.

The parameters of R networks are stacked into tensors of shape (R, ...) and each layer
runs as one batched matrix product for all replicas, each on its own mini-batch
(``models.StackedAutoencoder``). The summed loss gives each replica exactly the gradient of
its own loss, and Adam and SGD update element-wise, so replica k follows the same
trajectory as a lone training with its seed (up to floating-point reassociation in the
batched matrix products).

A sweep chunk trains the seed replicas of several trials, each trial with its own learning
rate: an optimiser parameter group per trial, so each trial's replicas need parameter
tensors of their own. ``GroupedAutoencoders`` holds one ``StackedAutoencoder`` per group
(keys ``groups.<g>.encoder.0.weight``: (group size, out, in)) and joins them per layer in
the forward pass, still one batched matrix product per layer.

Checkpoint keys (under the training module's ``autoencoder.``), whatever the seed count:
``encoder.<i>.weight`` (R, out, in) and ``encoder.<i>.bias`` (R, out), the same for the
decoder; a bias-free linear spec has ``encoder.weight`` and ``decoder.weight``; slice k is
an ``Autoencoder``'s state dict (``replica_state(k)``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from aeflow.autoencoder.models import StackedAutoencoder
from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.stacked import StackedLinear, stacked_linear


class GroupedAutoencoders(nn.Module):
    """Consecutive groups of replicas (the seeds of each trial of a sweep chunk), one
    ``StackedAutoencoder`` each; ``forward`` maps (R, B, d) for all R replicas at once."""

    def __init__(self, spec: ModelSpec, group_sizes: Sequence[int]) -> None:
        super().__init__()
        if not group_sizes or min(group_sizes) < 1:
            raise ValueError(f"group sizes must be >= 1, got {list(group_sizes)}")
        self.spec = spec
        self.group_sizes = list(group_sizes)
        self.replicas = sum(self.group_sizes)
        self.groups = nn.ModuleList(StackedAutoencoder(spec, size) for size in group_sizes)
        self._starts = np.cumsum([0, *self.group_sizes])

    def forward(self, x: Tensor) -> Tensor:
        # Per layer, the groups' weights joined: one batched product for all replicas.
        for position in zip(*(group.steps() for group in self.groups), strict=True):
            head = position[0]
            if not isinstance(head, StackedLinear):
                x = head(x)
                continue
            weight = torch.cat([layer.weight for layer in position])
            bias = None if head.bias is None else torch.cat([layer.bias for layer in position])
            x = stacked_linear(x, weight, bias)
        return x

    def _split(self, seeds: Sequence[int]) -> list[Sequence[int]]:
        if len(seeds) != self.replicas:
            raise ValueError(f"{len(seeds)} seeds for {self.replicas} networks")
        return [seeds[a:b] for a, b in itertools.pairwise(self._starts)]

    def initialise_(self, seeds: Sequence[int]) -> GroupedAutoencoders:
        """Replica k from ``seeds[k]``, as ``StackedAutoencoder.initialise_``."""
        for group, group_seeds in zip(self.groups, self._split(seeds), strict=True):
            group.initialise_(group_seeds)
        return self

    def group_parameters(self, group: int) -> list[nn.Parameter]:
        return list(self.groups[group].parameters())

    def replica_state(self, k: int) -> dict[str, Tensor]:
        if not 0 <= k < self.replicas:
            raise IndexError(f"replica {k} of {self.replicas}")
        group = int(np.searchsorted(self._starts, k, side="right")) - 1
        return self.groups[group].replica_state(k - int(self._starts[group]))

    def freeze_decoder(self) -> None:
        for group in self.groups:
            group.freeze_decoder()


Network = StackedAutoencoder | GroupedAutoencoders


def build_autoencoder(hyper_parameters: Mapping) -> Network:
    """The network of an ``AutoencoderModule`` with these hyper-parameters, with its
    initial weights: what the module trains from, and what a checkpoint's weights are
    loaded into (torch only).

    ``model``: ``ModelSpec`` keyword arguments; ``seeds``: one per replica;
    ``group_sizes``: the replicas split into groups (several: a ``GroupedAutoencoders``);
    ``encoder_init`` (``mean``, ``std``, ``seeds``: one per replica): the encoders
    re-initialised N(mean, std), biases 0; ``decoder_state``: the decoders' initial
    weights (a stacked decoder state dict) instead of drawn ones.
    """
    spec = ModelSpec(**hyper_parameters["model"])
    seeds = [int(seed) for seed in hyper_parameters["seeds"]]
    sizes = list(hyper_parameters.get("group_sizes") or [len(seeds)])
    if sum(sizes) != len(seeds):
        raise ValueError(f"group sizes {sizes} do not split {len(seeds)} seeds")
    encoder_init = hyper_parameters.get("encoder_init")
    decoder_state = hyper_parameters.get("decoder_state")
    if len(sizes) > 1:
        if encoder_init or decoder_state:
            raise ValueError("encoder_init and decoder_state take one group of replicas")
        return GroupedAutoencoders(spec, sizes).initialise_(seeds)
    network = StackedAutoencoder(spec, len(seeds)).initialise_(seeds)
    if encoder_init:
        network.initialise_encoder_normal_(
            encoder_init["mean"], encoder_init["std"], encoder_init["seeds"]
        )
    if decoder_state:
        network.decoder.load_state_dict(decoder_state)
    return network
