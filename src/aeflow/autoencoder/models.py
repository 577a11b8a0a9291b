"""The autoencoder networks. They know nothing about training.

``Autoencoder`` is one network, ``StackedAutoencoder`` R networks of one spec (seed
replicas) computed together: the same ``nn.Sequential``s with each ``nn.Linear`` a
``core.stacked.StackedLinear`` of R, so both have the same parameter names
(``encoder.0.weight``: (out, in) in one, (R, out, in) in the other) and slice k of the
stacked one is an ``Autoencoder`` (``replica(k)``).

Initial weights come from one ``torch.Generator`` per network, seeded with its seed
(``initialise_``); the global random state is never used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import torch
from torch import Tensor, nn

from aeflow.autoencoder.settings import ModelSpec
from aeflow.core.stacked import StackedLinear, replica_state, stacked_layers

ACTIVATIONS: dict[str, type[nn.Module]] = {  # keys: settings.ACTIVATIONS
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}
# in_features, out_features, bias -> a linear layer (nn.Linear or a StackedLinear).
LinearFactory = Callable[[int, int, bool], nn.Module]


def _mlp(
    in_dim: int, widths: Sequence[int], out_dim: int, activation: str, linear: LinearFactory
) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in widths:
        layers += [linear(in_dim, width, True), ACTIVATIONS[activation]()]
        in_dim = width
    # No activation on the bottleneck or the output: both must be unconstrained reals.
    layers.append(linear(in_dim, out_dim, True))
    return nn.Sequential(*layers)


def _parts(spec: ModelSpec, linear: LinearFactory) -> tuple[nn.Module, nn.Module]:
    """Encoder and decoder; the decoder mirrors the encoder."""
    if spec.linear:
        return (
            linear(spec.input_dim, spec.latent_dim, False),
            linear(spec.latent_dim, spec.input_dim, False),
        )
    return (
        _mlp(spec.input_dim, spec.hidden, spec.latent_dim, spec.activation, linear),
        _mlp(
            spec.latent_dim, tuple(reversed(spec.hidden)), spec.input_dim, spec.activation, linear
        ),
    )


class Autoencoder(nn.Module):
    """Encoder and decoder as separate sub-modules; ``forward``: (n, d) -> (n, d).

    ``Autoencoder(spec)`` has torch's default initialisation (global random state); the
    workflow's networks come from ``init_autoencoder``, a ``StackedAutoencoder`` replica
    or a checkpoint (``from_state``).
    """

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        self.encoder, self.decoder = _parts(spec, lambda i, o, bias: nn.Linear(i, o, bias=bias))

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))

    @classmethod
    def from_state(cls, spec: ModelSpec, state: Mapping[str, Tensor]) -> Autoencoder:
        """The network with weights ``state`` (taken over, not copied), in eval mode;
        built on the meta device first, so nothing is drawn."""
        with torch.device("meta"):
            model = cls(spec)
        model.load_state_dict(state, assign=True)
        return model.eval()


class StackedAutoencoder(nn.Module):
    """R autoencoders of one spec with stacked parameters; ``forward``: (R, B, d) ->
    (R, B, d), one batched matrix product per layer for all R. Zero-filled until
    ``initialise_``."""

    def __init__(self, spec: ModelSpec, replicas: int) -> None:
        super().__init__()
        self.spec = spec
        self.replicas = replicas
        self.encoder, self.decoder = _parts(
            spec, lambda i, o, bias: StackedLinear(replicas, i, o, bias=bias)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))

    def steps(self) -> list[nn.Module]:
        """The layers and activations in forward order."""
        return [
            module
            for part in (self.encoder, self.decoder)
            for module in (part if isinstance(part, nn.Sequential) else [part])
        ]

    @torch.no_grad()
    def initialise_(self, seeds: Sequence[int]) -> StackedAutoencoder:
        """torch's default initialisation of ``nn.Linear`` (``reset_parameters``: weight
        and bias U(-1/sqrt(in), 1/sqrt(in))), network k drawn from a generator seeded with
        ``seeds[k]``, layer by layer in forward order, weight before bias. Network k's
        weights depend on its seed alone, not on R or its position; they are those of
        ``torch.manual_seed(seed); Autoencoder(spec)``, without touching the global state."""
        self._check_seeds(seeds)
        for k, seed in enumerate(seeds):
            generator = torch.Generator().manual_seed(int(seed))
            for layer in stacked_layers(self):
                weight = torch.empty(layer.weight.shape[1:], dtype=layer.weight.dtype)
                nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
                layer.weight[k] = weight
                if layer.bias is not None:
                    bound = 1 / math.sqrt(layer.in_features)
                    bias = torch.empty(layer.bias.shape[1:], dtype=layer.bias.dtype)
                    layer.bias[k] = nn.init.uniform_(bias, -bound, bound, generator=generator)
        return self

    @torch.no_grad()
    def initialise_encoder_normal_(
        self, mean: float, std: float, seeds: Sequence[int]
    ) -> StackedAutoencoder:
        """Part (g)'s re-initialisation of the encoders: network k's encoder weights drawn
        N(mean, std) from a generator seeded with ``seeds[k]`` (layer by layer in forward
        order), its encoder biases 0; the decoders are left as they are."""
        self._check_seeds(seeds)
        for k, seed in enumerate(seeds):
            generator = torch.Generator().manual_seed(int(seed))
            for layer in stacked_layers(self.encoder):
                shape = layer.weight.shape[1:]
                drawn = torch.randn(shape, generator=generator, dtype=layer.weight.dtype)
                layer.weight[k] = mean + std * drawn
                if layer.bias is not None:
                    layer.bias[k] = 0.0
        return self

    def _check_seeds(self, seeds: Sequence[int]) -> None:
        if len(seeds) != self.replicas:
            raise ValueError(f"{len(seeds)} seeds for {self.replicas} networks")

    def replica_state(self, k: int) -> dict[str, Tensor]:
        """Network k's own state dict (an ``Autoencoder``'s; detached copies)."""
        if not 0 <= k < self.replicas:
            raise IndexError(f"replica {k} of {self.replicas}")
        return replica_state(self.state_dict(), k)

    def freeze_decoder(self) -> None:
        self.decoder.requires_grad_(False)


def init_autoencoder(spec: ModelSpec, seed: int) -> Autoencoder:
    """A freshly initialised autoencoder: the initial weights of a replica with ``seed``
    (``StackedAutoencoder.initialise_``), which depend on ``seed`` alone."""
    stacked = StackedAutoencoder(spec, 1).initialise_([seed])
    return Autoencoder.from_state(spec, stacked.replica_state(0)).train()
