"""The Playground's MLP classifier as a plain ``nn.Module``; it knows nothing of training.

As in the Playground (``src/nn.ts`` and ``src/playground.ts``): fixed input features of
(x1, x2), hidden layers with one activation, a single tanh output unit whose sign is the
class, weights initialised U(-0.5, 0.5) and biases 0.1.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from aeflow.playground.settings import NetworkSpec

FEATURE_MAPS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {  # keys: settings.FEATURES
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1_squared": lambda x1, x2: x1 * x1,
    "x2_squared": lambda x1, x2: x2 * x2,
    "x1_x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: torch.sin(x1),
    "sin_x2": lambda x1, x2: torch.sin(x2),
}
ACTIVATIONS: dict[str, type[nn.Module]] = {  # keys: settings.ACTIVATIONS
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
}


class Features(nn.Module):
    """(n, 2) points -> (n, F) chosen input features; no parameters."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__()
        self.names = names

    def forward(self, points: Tensor) -> Tensor:
        x1, x2 = points[:, 0], points[:, 1]
        return torch.stack([FEATURE_MAPS[name](x1, x2) for name in self.names], dim=1)


class PlaygroundClassifier(nn.Module):
    """Features, hidden layers, one tanh output in (-1, 1); ``forward`` returns shape (n,)."""

    def __init__(self, spec: NetworkSpec) -> None:
        super().__init__()
        self.spec = spec
        self.features = Features(spec.features)
        layers: list[nn.Module] = []
        width = len(spec.features)
        for hidden in spec.hidden:
            layers += [nn.Linear(width, hidden), ACTIVATIONS[spec.activation]()]
            width = hidden
        layers += [nn.Linear(width, 1), nn.Tanh()]
        self.layers = nn.Sequential(*layers)

    def forward(self, points: Tensor) -> Tensor:
        return self.layers(self.features(points)).squeeze(1)

    def linear_layers(self) -> list[nn.Linear]:
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    def weight_matrices(self) -> list[Tensor]:
        """The weights the Playground regularises: every link, no bias."""
        return [layer.weight for layer in self.linear_layers()]


@torch.no_grad()
def playground_init_(model: PlaygroundClassifier, seed: int) -> PlaygroundClassifier:
    """The Playground's initialisation: weights U(-0.5, 0.5), biases 0.1; seeded."""
    generator = torch.Generator().manual_seed(seed)
    for layer in model.linear_layers():
        layer.weight.copy_(torch.rand(layer.weight.shape, generator=generator) - 0.5)
        layer.bias.fill_(0.1)
    return model


def square_loss(output: Tensor, target: Tensor) -> Tensor:
    """The Playground's loss: mean over points of 1/2 (output - label)^2."""
    return 0.5 * (output - target).square().mean()


def penalty(weights: list[Tensor], kind: str, rate: float) -> Tensor:
    """Regularisation term added to the loss, on weights only (as the Playground):
    l1 = rate * sum |w|; l2 = rate * sum w^2 / 2 (the Playground's 1/2 w^2, so that its
    gradient is rate * w); none = 0."""
    if kind == "none" or rate == 0:
        return weights[0].new_zeros(())
    if kind == "l1":
        return rate * sum(w.abs().sum() for w in weights)
    if kind == "l2":
        return rate * 0.5 * sum(w.square().sum() for w in weights)
    raise ValueError(f"unknown regularization {kind!r}")
