"""The plain autoencoder network. It knows nothing about training."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from aeflow.autoencoder.settings import ModelSpec

ACTIVATIONS: dict[str, type[nn.Module]] = {  # keys: settings.ACTIVATIONS
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def _mlp(in_dim: int, widths: Sequence[int], out_dim: int, activation: str) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in widths:
        layers += [nn.Linear(in_dim, width), ACTIVATIONS[activation]()]
        in_dim = width
    # No activation on the bottleneck or the output: both must be unconstrained reals.
    layers.append(nn.Linear(in_dim, out_dim))
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """Encoder and decoder as separate sub-modules; the decoder mirrors the encoder."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.spec = spec
        if spec.linear:
            self.encoder: nn.Module = nn.Linear(spec.input_dim, spec.latent_dim, bias=False)
            self.decoder: nn.Module = nn.Linear(spec.latent_dim, spec.input_dim, bias=False)
        else:
            self.encoder = _mlp(spec.input_dim, spec.hidden, spec.latent_dim, spec.activation)
            self.decoder = _mlp(
                spec.latent_dim, tuple(reversed(spec.hidden)), spec.input_dim, spec.activation
            )

    def forward(self, x: Tensor) -> Tensor:
        return self.decoder(self.encoder(x))


def init_autoencoder(spec: ModelSpec, seed: int) -> Autoencoder:
    """A freshly initialised autoencoder; the weights depend on ``seed`` alone."""
    torch.manual_seed(seed)
    return Autoencoder(spec)
