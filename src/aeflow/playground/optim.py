"""The Playground's weight update (``updateWeights`` in its ``src/nn.ts``) as a torch
optimiser, for R networks at once, each with its own learning and regularisation rate.

Per mini-batch, with g the error derivative averaged over the batch's points:
- bias: b <- b - lr * g (biases are never regularised);
- weight: w' = w - lr * g, then w'' = w' - lr * rate * R'(w) with R' the regulariser's
  derivative at the weight *before* the gradient step (L1: sign(w), L2: w, none: 0).
  Under L1, a weight the regularisation step pushes across zero (w' * w'' < 0) is set to
  exactly 0 and its link is dead: it is never updated again.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from aeflow.playground.settings import REGULARIZATIONS


class PlaygroundSGD(torch.optim.Optimizer):
    """``weights``: (R, out, in) tensors, regularised; ``biases``: (R, out) tensors.
    ``learning_rates``, ``regularizations`` (none/l1/l2) and ``regularization_rates``:
    one per network r. The dead-link masks live in the optimiser state (checkpointed)."""

    def __init__(
        self,
        weights: Sequence[Tensor],
        biases: Sequence[Tensor],
        learning_rates: Sequence[float],
        regularizations: Sequence[str],
        regularization_rates: Sequence[float],
    ) -> None:
        unknown = set(regularizations) - set(REGULARIZATIONS)
        if unknown:
            raise ValueError(f"regularization must be one of {REGULARIZATIONS}, got {unknown}")
        super().__init__(
            [
                {"params": list(weights), "regularised": True},
                {"params": list(biases), "regularised": False},
            ],
            defaults={},
        )
        kinds = list(regularizations)
        rates = [
            rate if kind != "none" else 0.0
            for kind, rate in zip(kinds, regularization_rates, strict=True)
        ]
        self.learning_rates = torch.tensor(list(learning_rates), dtype=torch.float64)
        self.rates = torch.tensor(rates, dtype=torch.float64)
        self.l1 = torch.tensor([kind == "l1" for kind in kinds])
        self.l2 = torch.tensor([kind == "l2" for kind in kinds])
        self._cache: dict[tuple, dict] = {}

    def _constants(self, param: Tensor) -> dict:
        """Per-network factors shaped (R, 1, ...) to broadcast over ``param``, on its device
        and in its dtype; computed once per parameter (not saved: they follow from the
        constructor's arguments)."""
        key = (id(param), param.device, param.dtype)
        if key not in self._cache:
            shape = (-1,) + (1,) * (param.dim() - 1)
            as_param = {"device": param.device, "dtype": param.dtype}
            self._cache[key] = {
                "lr": self.learning_rates.to(**as_param).view(shape),
                "lr_rate": (self.learning_rates * self.rates).to(**as_param).view(shape),
                "l1": self.l1.to(**as_param).view(shape),
                "l2": self.l2.to(**as_param).view(shape),
                "l1_mask": self.l1.to(param.device).view(shape),
                "regularised": bool((self.rates > 0).any()),
                "any_l1": bool((self.l1 & (self.rates > 0)).any()),
            }
        return self._cache[key]

    @torch.no_grad()
    def step(self, closure=None, active: Tensor | None = None):
        """One update; ``active`` (R,) 1.0/0.0 leaves out the networks marked 0 (their
        gradient is zero, and their regularisation step is skipped as well)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            factors = [self._constants(p) for p in params]
            grads = [p.grad for p in params]
            # One kernel call per operation for all tensors of the group (torch's foreach
            # ops): the networks are tiny and a step is dominated by per-call overhead.
            if not (group["regularised"] and factors[0]["regularised"]):
                torch._foreach_addcmul_(params, [f["lr"] for f in factors], grads, value=-1.0)
                continue
            # R'(w) at the weight before the gradient step: sign(w) under L1, w under L2.
            derivative = torch._foreach_mul(torch._foreach_sign(params), [f["l1"] for f in factors])
            torch._foreach_addcmul_(derivative, [f["l2"] for f in factors], params)
            stepped = torch._foreach_addcmul(params, [f["lr"] for f in factors], grads, value=-1.0)
            lr_rates = [f["lr_rate"] for f in factors]
            if active is not None:
                lr_rates = [rate * active.to(rate).view(rate.shape) for rate in lr_rates]
            regularised = torch._foreach_addcmul(stepped, lr_rates, derivative, value=-1.0)
            if factors[0]["any_l1"]:
                for param, f, before, after in zip(
                    params, factors, stepped, regularised, strict=True
                ):
                    state = self.state[param]
                    if "dead" not in state:
                        state["dead"] = torch.zeros_like(param, dtype=torch.bool)
                    state["dead"] |= f["l1_mask"] & (before * after < 0)
                    after.masked_fill_(state["dead"], 0.0)
            torch._foreach_copy_(params, regularised)
        return loss

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        # torch casts every saved state tensor to its parameter's dtype: the dead-link
        # masks (a resumed training's) come back as 0.0/1.0 and are masks again here.
        for state in self.state.values():
            if "dead" in state:
                state["dead"] = state["dead"].bool()

    def dead_links(self) -> list[Tensor]:
        """Per weight tensor, the mask of links L1 has switched off for good."""
        return [
            self.state[p]["dead"] if "dead" in self.state[p] else torch.zeros_like(p, dtype=bool)
            for p in self.param_groups[0]["params"]
        ]
