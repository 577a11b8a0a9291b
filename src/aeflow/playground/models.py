"""The Playground's MLP as plain ``nn.Module``s; they know nothing of training.

As in the Playground (``src/nn.ts`` and ``src/playground.ts``): fixed input features of
(x1, x2), hidden layers with one activation, a single output unit (tanh for
classification, whose sign is the class; linear for regression), weights initialised
U(-0.5, 0.5) and biases 0.1.

``PlaygroundNetworks`` holds R such networks of one shape (the slices: trials x seeds) and
evaluates them together: where a ``PlaygroundClassifier`` has ``layers.<l>`` as an
``nn.Linear``, it has a ``core.stacked.StackedLinear`` of R (so checkpoint keys read
``network.layers.<l>.weight``: (R, out, in), ``network.layers.<l>.bias``: (R, out)), one
batched matrix product per layer. Each slice may have its own hidden activation (the
activation is not part of the shape); ``replica(k)`` gives slice k as a lone
``PlaygroundClassifier``. ``build_networks`` makes the networks of a training module from
its hyper-parameters, initial weights included.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping

import torch
from torch import Tensor, nn

from aeflow.core.stacked import StackedLinear, stacked_linear
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
ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {  # keys: settings.ACTIVATIONS
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda x: x,
}
WEIGHT_RANGE = 0.5  # initial weights U(-0.5, 0.5), as the Playground's Link
INITIAL_BIAS = 0.1  # as the Playground's Node


def features(points: Tensor, names: tuple[str, ...]) -> Tensor:
    """(..., 2) points -> (..., F) chosen input features."""
    x1, x2 = points[..., 0], points[..., 1]
    return torch.stack([FEATURE_MAPS[name](x1, x2) for name in names], dim=-1)


def layer_widths(spec: NetworkSpec) -> list[int]:
    """Units per layer, inputs and output included: [F, *hidden, 1]."""
    return [len(spec.features), *spec.hidden, 1]


class PlaygroundClassifier(nn.Module):
    """One network: features, hidden layers, one output unit; ``forward``: (n, 2) -> (n,)."""

    def __init__(self, spec: NetworkSpec, regression: bool = False) -> None:
        super().__init__()
        self.spec = spec
        self.regression = regression
        widths = layer_widths(spec)
        self.layers = nn.ModuleList(
            nn.Linear(width, following) for width, following in itertools.pairwise(widths)
        )

    def forward(self, points: Tensor) -> Tensor:
        hidden = features(points, self.spec.features)
        activation = ACTIVATIONS[self.spec.activation]
        for layer in self.layers[:-1]:
            hidden = activation(layer(hidden))
        output = self.layers[-1](hidden).squeeze(-1)
        return output if self.regression else torch.tanh(output)

    def weight_matrices(self) -> list[Tensor]:
        """The weights the Playground regularises: every link, no bias."""
        return [layer.weight for layer in self.layers]


class PlaygroundNetworks(nn.Module):
    """R networks of one shape, computed together; ``forward``: (R, n, 2) -> (R, n).

    Layer l is ``layers[l]``, a ``StackedLinear`` with weight (R, out, in) and bias
    (R, out) (``weights[l]`` and ``biases[l]``): slice r of every tensor is network r, and
    no operation mixes slices, so each network's gradients are those it would get alone.
    ``activations`` gives slice r its own hidden activation (default: ``spec.activation``
    for all); consecutive slices with the same one are activated by one call. Zero-filled
    (in ``dtype``) until ``initialise_``.
    """

    def __init__(
        self,
        spec: NetworkSpec,
        replicas: int,
        regression: bool = False,
        activations: list[str] | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        self.spec = spec
        self.replicas = replicas
        self.regression = regression
        self.activations = list(activations or [spec.activation] * replicas)
        if len(self.activations) != replicas:
            raise ValueError(f"{len(self.activations)} activations for {replicas} networks")
        unknown = set(self.activations) - set(ACTIVATIONS)
        if unknown:
            raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {unknown}")
        # (activation, number of consecutive slices) runs, in slice order.
        self._runs = [(name, len(list(run))) for name, run in itertools.groupby(self.activations)]
        self._runs_of: dict[tuple[int, ...], list[tuple[str, int]]] = {}  # of subsets
        self.layers = nn.ModuleList(
            StackedLinear(replicas, width, following, dtype=dtype)
            for width, following in itertools.pairwise(layer_widths(spec))
        )

    @property
    def weights(self) -> list[nn.Parameter]:
        """Every layer's weight (R, out, in), first layer first: what is regularised."""
        return [layer.weight for layer in self.layers]

    @property
    def biases(self) -> list[nn.Parameter]:
        """Every layer's bias (R, out), first layer first."""
        return [layer.bias for layer in self.layers]

    def forward(self, points: Tensor) -> Tensor:
        return self.from_features(features(points, self.spec.features))

    def from_features(self, hidden: Tensor, subset: Tensor | None = None) -> Tensor:
        """The networks on precomputed input features (R, n, F): training computes the
        fixed features of its points once, not at every step. With ``subset`` (indices of
        A networks), only those run, on (A, n, F) inputs; the others get no gradient."""
        weights, biases, runs = self.weights, self.biases, self._runs
        if subset is not None:
            weights = [weight[subset] for weight in weights]
            biases = [bias[subset] for bias in biases]
            runs = self._subset_runs(subset)
        last = len(weights) - 1
        for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            hidden = stacked_linear(hidden, weight, bias)
            if index < last:
                hidden = _activate(hidden, runs)
        output = hidden.squeeze(-1)
        return output if self.regression else torch.tanh(output)

    def _subset_runs(self, subset: Tensor) -> list[tuple[str, int]]:
        key = tuple(subset.tolist())
        if key not in self._runs_of:
            chosen = [self.activations[r] for r in key]
            self._runs_of[key] = [(name, len(list(run))) for name, run in itertools.groupby(chosen)]
        return self._runs_of[key]

    @torch.no_grad()
    def initialise_(self, seeds: list[int]) -> PlaygroundNetworks:
        """The Playground's initialisation, network r from its own ``seeds[r]``: weights
        U(-0.5, 0.5) layer by layer, biases 0.1."""
        if len(seeds) != self.replicas:
            raise ValueError(f"{len(seeds)} seeds for {self.replicas} networks")
        for r, seed in enumerate(seeds):
            generator = torch.Generator().manual_seed(seed)
            for weight in self.weights:
                drawn = torch.rand(weight.shape[1:], generator=generator, dtype=torch.float64)
                weight[r] = (2 * drawn - 1) * WEIGHT_RANGE
        for bias in self.biases:
            bias.fill_(INITIAL_BIAS)
        return self

    @torch.no_grad()
    def replica(self, r: int) -> PlaygroundClassifier:
        """Network ``r`` as a lone module (a copy, on the CPU, in the networks' dtype)."""
        spec = dataclasses.replace(self.spec, activation=self.activations[r])
        with torch.device("meta"):  # nothing drawn: the weights are slice r's
            network = PlaygroundClassifier(spec, self.regression)
        state = {
            name: tensor[r].detach().cpu().clone() for name, tensor in self.state_dict().items()
        }
        network.load_state_dict(state, assign=True)
        return network.eval()


def build_networks(hyper_parameters: Mapping) -> PlaygroundNetworks:
    """The networks of a ``ClassifierModule`` with these hyper-parameters (``network``,
    ``slices``, ``regression``, ``dtype``), initialised: what the module trains from, and
    what a checkpoint's weights are loaded into (torch only)."""
    spec = NetworkSpec(**hyper_parameters["network"])
    slices = hyper_parameters["slices"]
    networks = PlaygroundNetworks(
        spec,
        len(slices),
        hyper_parameters["regression"],
        [s.get("activation", spec.activation) for s in slices],
        dtype=getattr(torch, hyper_parameters.get("dtype", "float32")),
    )
    return networks.initialise_([s["seed"] for s in slices])


def _activate(hidden: Tensor, runs: list[tuple[str, int]]) -> Tensor:
    """Each run of consecutive networks through its own activation."""
    if len(runs) == 1:
        return ACTIVATIONS[runs[0][0]](hidden)
    parts = hidden.split([count for _, count in runs])
    return torch.cat([ACTIVATIONS[name](part) for (name, _), part in zip(runs, parts, strict=True)])


def square_loss(output: Tensor, target: Tensor) -> Tensor:
    """The Playground's loss over the last axis: mean over points of 1/2 (output - label)^2
    (one value per network for (R, n) inputs)."""
    return 0.5 * (output - target).square().mean(dim=-1)
