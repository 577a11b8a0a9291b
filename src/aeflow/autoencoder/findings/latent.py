"""Parts (c) and (d): how each code orders the plane (against untrained initialisations)
and how much of the error is the encoder's choice of a point on the decoder's curve."""

from __future__ import annotations

import pandas as pd

from aeflow.autoencoder.findings.common import (
    RHO,
    has,
    paired,
    pairwise,
    section,
    set_aside,
    table,
)
from aeflow.core.claims import Contrast
from aeflow.core.margins import Margins
from aeflow.core.numbers import number, share
from aeflow.core.report import Section

ORDER = "Part (c): the trained code against untrained initialisations"
AXES = "Part (c): which axis the trained code follows"
BOUND = "Part (d): the encoder's share of the error (nearest-point bound)"
SWEEP_COVERAGE = 0.95  # a decoder sweep should span at least this share of the codes in use


def orders(variants: pd.DataFrame, margins: Margins) -> list[Section]:
    """|rho(z, x)| and |rho(z, y)| of each trained replica against the mean of the
    untrained reference draws (one-sample), and x against y per variant (paired)."""
    if not has(variants, "spearman_zx"):
        return []
    flags = set_aside(variants)
    after = {axis: paired(variants, f"spearman_z{axis}").abs() for axis in "xy"}
    found = []
    if has(variants, "init_abs_rho_zx_mean"):
        reference = {
            axis: variants.groupby("model", sort=False)[f"init_abs_rho_z{axis}_mean"].first()
            for axis in "xy"
        }
        contrasts = [
            Contrast(
                f"{model} trained",
                "untrained draws' mean",
                f"|{RHO}(z, {axis})|",
                after[axis][model],
                float(reference[axis][model]),
                margins.of("correlation"),
                lower_is_better=None,
                bounds=(0.0, 1.0),
                set_aside=flags[model].to_numpy(),
            )
            for axis in "xy"
            for model in after[axis].columns
        ]
        draws = int(variants["init_draws"].dropna().iloc[0]) if has(variants, "init_draws") else 0
        notes = [
            f"{RHO}: Spearman's rank correlation of a code with x (or y) over the training "
            f"points; its sign is the code's arbitrary direction, so |{RHO}| is compared. The "
            f"reference: {number(draws) + ' ' if draws else ''}untrained initialisations per "
            "variant (no training; seeds apart from the replicas'). Untrained mean |"
            + f"{RHO}(z, x)|: "
            + ", ".join(f"{m} {number(v)}" for m, v in reference["x"].items())
            + f"; |{RHO}(z, y)|: "
            + ", ".join(f"{m} {number(v)}" for m, v in reference["y"].items())
            + "."
        ]
        columns = {f"|{RHO}(z, {axis})| trained": after[axis] for axis in "xy"}
        columns.update(
            {
                f"share of untrained draws below, {axis}": paired(
                    variants, f"rho_z{axis}_init_percentile"
                )
                for axis in "xy"
                if has(variants, f"rho_z{axis}_init_percentile")
            }
        )
        shown = table(columns, percent=[c for c in columns if c.startswith("share")])
        found.append(
            section(ORDER, contrasts, notes, shown, figure="latent_maps", design=margins.design)
        )
    contrasts = [
        Contrast(
            f"{model}: x",
            "y",
            f"|{RHO}(z, axis)| of the trained code",
            after["x"][model],
            after["y"][model],
            margins.of("correlation"),
            lower_is_better=False,
            bounds=(0.0, 1.0),
            set_aside=flags[model].to_numpy(),
        )
        for model in after["x"].columns
    ]
    found.append(section(AXES, contrasts, design=margins.design))
    return found


def bound(variants: pd.DataFrame, margins: Margins) -> list[Section]:
    """Part (d): the nearest-point bound (no encoder does better with this decoder) as a
    floor, and the encoder's share of the held-out MSE above it, compared between variants."""
    if not has(variants, "bound_test_mse"):
        return []
    flags = set_aside(variants)
    test = paired(variants, "test_mse")
    share_of = paired(variants, "encoder_test_excess") / test
    models = [m for m in share_of.columns if share_of[m].notna().all()]
    contrasts = pairwise(
        share_of[models], "encoder's share of held-out MSE", "share", margins, flags,
        bounds=(0.0, 1.0), percent=True,
    )  # fmt: skip
    gap = float(variants["bound_grid_gap"].max())
    coverage = paired(variants, "sweep_coverage").min()
    notes = [
        "Nearest-point bound: the MSE of moving each point to its nearest point of the "
        "decoder's curve (sampled finely over the codes in use); no encoder does better with "
        "that decoder, so the encoder's share (its MSE above the bound, over its MSE) is what "
        f"the encoder's choice costs. Halving the grid raises the bound by at most {number(gap)}.",
        "Lowest coverage of the training codes by each decoder sweep, any replica: "
        + ", ".join(f"{m} {share(coverage[m])}" for m in coverage.index)
        + (
            ""
            if (coverage >= SWEEP_COVERAGE).all()
            else f" (below {share(SWEEP_COVERAGE)}: the figure misses part of the curve)"
        )
        + ".",
    ]
    shown = table(
        {
            "held-out MSE": test,
            "held-out bound": paired(variants, "bound_test_mse"),
            "encoder's share": share_of,
            "points on another fold": paired(variants, "fold_share_test"),
        },
        percent=["encoder's share", "points on another fold"],
    )
    return [section(BOUND, contrasts, notes, shown, figure="decoder_sweeps", design=margins.design)]
