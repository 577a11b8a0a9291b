"""Part (b): the variants' reconstruction errors compared, their generalisation gaps, and
the linear model against the PCA optimum."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.findings.common import (
    dead_notes,
    has,
    paired,
    pairwise,
    section,
    set_aside,
    stuck_notes,
    table,
)
from aeflow.core.claims import Contrast
from aeflow.core.margins import Margins
from aeflow.core.report import Section

HELD_OUT = "Part (b): held-out reconstruction error of the variants"
TRAINING = "Part (b): training error of the variants"
GAP = "Part (b): generalisation gap (held-out minus training MSE)"
LINEAR = "Part (b): the linear model against PCA"


def rankings(variants: pd.DataFrame, margins: Margins) -> list[Section]:
    """Every pair of variants in held-out MSE (one family) and in training MSE (another)."""
    flags = set_aside(variants)
    found = []
    for column, what, title in (
        ("test_mse", "held-out MSE", HELD_OUT),
        ("train_mse", "training MSE", TRAINING),
    ):
        values = paired(variants, column)
        contrasts = pairwise(values, what, "mse", margins, flags)
        notes = []
        shown = None
        if column == "test_mse":
            notes = [*stuck_notes(variants), *dead_notes(flags)]
            shown = table({"training MSE": paired(variants, "train_mse"), "held-out MSE": values})
        found.append(
            section(title, contrasts, notes, shown, figure="loss_curves", design=margins.design)
        )
    return found


def gaps(variants: pd.DataFrame, margins: Margins) -> list[Section]:
    """Each variant's gap against 0 (its margin: a share of its training MSE)."""
    gap, train, flags = (
        paired(variants, "generalisation_gap"),
        paired(variants, "train_mse"),
        set_aside(variants),
    )
    contrasts = [
        Contrast(
            f"{model}'s gap",
            "0",
            "held-out minus training MSE",
            gap[model],
            0.0,
            margins.of("mse", train[model]),
            lower_is_better=None,
            set_aside=flags[model].to_numpy(),
        )
        for model in gap.columns
    ]
    return [section(GAP, contrasts, shown=table({"gap": gap}), design=margins.design)]


def linear(variants: pd.DataFrame, margins: Margins) -> list[Section]:
    """A bias-free linear model against its training set's rank-k PCA optimum: the ratio
    of its training MSE to the optimum, equivalent to 1 within the ratio margin?"""
    found = []
    for model, rows in variants.dropna(subset=["pca_ratio"]).groupby("model", sort=False):
        rows = rows.sort_values("seed")
        contrasts = [
            Contrast(
                f"{model}'s training MSE / PCA optimum",
                "1",
                "ratio",
                rows["pca_ratio"],
                1.0,
                margins.of("ratio"),
                lower_is_better=None,
                bounds=(0.0, np.inf),
            )
        ]
        if has(rows, "pca_angle_deg"):
            contrasts.append(
                Contrast(
                    f"angle of {model}'s decoder to the leading principal direction",
                    "0",
                    "degrees",
                    rows["pca_angle_deg"],
                    0.0,
                    margins.of("angle"),
                    lower_is_better=None,
                    bounds=(0.0, 90.0),
                )
            )
        shown = table(
            {
                "training MSE": paired(rows, "train_mse"),
                "rank-k optimum": paired(rows, "pca_optimum_mse"),
                "held-out MSE": paired(rows, "test_mse"),
            }
        )
        found.append(section(f"{LINEAR} ({model})", contrasts, shown=shown, design=margins.design))
    return found
