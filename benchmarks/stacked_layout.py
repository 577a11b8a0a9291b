"""How a step of R stacked ae2 networks grows with R, in a plain eager PyTorch loop (no
Lightning, no workflow), for the two layouts a stacked weight can have: (R, out, in), as
``aeflow.core.stacked`` stores it (``nn.Linear``'s layout per slice), and (R, in, out),
which needs no transposed copy of the weight gradients.

Usage: python benchmarks/stacked_layout.py [--steps 3000]
Prints milliseconds per step at R = 1 and R = 30 and their ratio, per layout (one thread,
fused Adam, mini-batches of 8 from 100 points, the sheet's ae2: 2-50-50-1-50-50-2). The
issue "Answers faster than the notebook" asks 30 replicas for at most 2x one.
"""

from __future__ import annotations

import argparse
import itertools
import time

import torch

WIDTHS = [2, 50, 50, 1, 50, 50, 2]  # ae2: encoder 2-50-50-1, decoder 1-50-50-2
LINEAR_AFTER = (2, 5)  # the latent code and the output: no ReLU


def _parameters(replicas: int, layout: str) -> list[torch.nn.Parameter]:
    generator = torch.Generator().manual_seed(0)
    parameters = []
    for n_in, n_out in itertools.pairwise(WIDTHS):
        shape = (replicas, n_out, n_in) if layout == "out-in" else (replicas, n_in, n_out)
        parameters.append(torch.nn.Parameter(0.1 * torch.randn(shape, generator=generator)))
        parameters.append(torch.nn.Parameter(torch.zeros(replicas, n_out)))
    return parameters


def _forward(x: torch.Tensor, parameters: list, layout: str) -> torch.Tensor:
    for layer in range(len(WIDTHS) - 1):
        weight, bias = parameters[2 * layer], parameters[2 * layer + 1]
        weight = weight.transpose(1, 2) if layout == "out-in" else weight
        x = torch.baddbmm(bias.unsqueeze(1), x, weight)
        if layer not in LINEAR_AFTER:
            x = torch.relu(x)
    return x


def milliseconds_per_step(replicas: int, layout: str, steps: int, warmup: int = 300) -> float:
    parameters = _parameters(replicas, layout)
    optimizer = torch.optim.Adam(parameters, lr=1e-3, fused=True)
    generator = torch.Generator().manual_seed(1)
    points = torch.rand(replicas, 100, 2, generator=generator)
    batches = torch.randint(0, 100, (steps, 8), generator=generator)
    for step in range(warmup + steps):
        if step == warmup:
            start = time.perf_counter()
        batch = points[:, batches[step % steps]]
        loss = ((_forward(batch, parameters, layout) - batch) ** 2).mean(dim=(1, 2)).sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - start) / steps * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for layout in ("out-in", "in-out"):
        one, thirty = (milliseconds_per_step(r, layout, args.steps) for r in (1, 30))
        print(f"(R, {layout}): R=1 {one:.3f} ms, R=30 {thirty:.3f} ms, ratio {thirty / one:.2f}")


if __name__ == "__main__":
    main()
