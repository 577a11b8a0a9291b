"""Equivalence margins, set per metric in ``config.yaml`` (``claims.margins``) before any
run: "equivalent within ±m" needs the whole simultaneous interval inside ±m.

A margin is absolute (in the metric's units) or relative (a share of the reference run's
mean, for metrics whose scale changes with the setting, such as an MSE)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from aeflow.core.twostage import Design

# The defaults and their reasons (docs/configuration.md repeats them).
DEFAULT_MARGINS: dict[str, dict[str, float]] = {
    # 2% of the reference's mean: below what a reader can see between two loss curves on
    # the figures' linear axes, and below the spread one data sample adds.
    "mse": {"relative": 0.02},
    # Part (h)'s losses: 1% of the reference's mean loss (same reason, curves closer).
    "loss": {"relative": 0.01},
    # Spearman's |rho| and other correlations: 0.05 of a range of 1.
    "correlation": {"absolute": 0.05},
    # A ratio to an optimum (the linear model's MSE over the PCA optimum): within 1%.
    "ratio": {"absolute": 0.01},
    # The Playground's losses: 10% of the baseline's mean; they span orders of magnitude
    # between settings, and a tenth of the baseline's changes no setting a user would pick.
    "test_loss": {"relative": 0.1},
    # An angle between two directions: 2 degrees.
    "angle": {"absolute": 2.0},
    # A memorisation level, in decades (log10) of MSE over the constant's: a factor of 2.
    "decades": {"absolute": 0.3},
    # Shares (of weights, units, pairs, points): 2 percentage points.
    "share": {"absolute": 0.02},
    # Classification accuracy: 1 percentage point.
    "accuracy": {"absolute": 0.01},
    # Mean |w| under regularisation: 10% of the reference's.
    "weight": {"relative": 0.1},
    # Epochs, examples or updates to reach a level: 10% of the reference's.
    "time": {"relative": 0.1},
    # Counts of events per run (part (h)'s loss rises, 0 to a few): one event.
    "count": {"absolute": 1.0},
    # The Playground's counts of rises over hundreds of epochs: 10% of the baseline's.
    "rises": {"relative": 0.1},
    # The largest single rise of a Playground loss curve: 0.01, a hundredth of the loss of
    # an output that is 0 everywhere (0.5).
    "rise": {"absolute": 0.01},
}


class Margins:
    """Per-metric-kind margins; ``of(kind, reference)`` gives the absolute margin. With the
    seeds design (``core.twostage``), the other thing a summary decides against that is set
    before any run."""

    def __init__(
        self,
        settings: Mapping[str, Mapping[str, float]] | None = None,
        design: Design | None = None,
    ) -> None:
        self.design = design
        merged = {kind: dict(value) for kind, value in DEFAULT_MARGINS.items()}
        for kind, value in (settings or {}).items():
            merged[kind] = dict(value)
        self.settings = merged

    def of(self, kind: str, reference: Sequence[float] | np.ndarray | float = 0.0) -> float:
        try:
            setting = self.settings[kind]
        except KeyError:
            raise KeyError(
                f"claims.margins: no margin for metric kind {kind!r} "
                f"(known: {', '.join(sorted(self.settings))})"
            ) from None
        if "absolute" in setting:
            return float(setting["absolute"])
        values = np.asarray(reference, dtype=float).ravel()
        if self.design is not None and self.design.two_stage:
            # The pilot's mean: a margin set before the second stage, which cannot move it.
            values = values[: self.design.pilot]
        values = values[np.isfinite(values)]
        scale = float(np.abs(values.mean())) if values.size else float("nan")
        return float(setting["relative"]) * scale
