"""The autoencoders' findings: per part a module that turns the per-seed table into
sections of claims (``core.claims``), and the sheet's own claims judged on them.
pandas/NumPy/scipy only."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aeflow.core.claims import RULE, Claim, with_ids
from aeflow.core.margins import Margins
from aeflow.core.report import Section
from aeflow.core.sheet import table_rows
from aeflow.core.twostage import Design


def observations(
    per_seed: pd.DataFrame, margins: Mapping | None = None, design: Design | None = None
) -> tuple[list[Section], list[Claim]]:
    """Every section of findings, and every claim row (sections' and the sheet's, with ids),
    decided under the seeds ``design``. The sheet's claims open the list as their own
    section."""
    from aeflow.autoencoder.findings import capacity, latent, optimizers, retrain, variants
    from aeflow.autoencoder.findings.sheet import sheet_claims

    margin = Margins(margins, design)
    variant_rows = per_seed[per_seed["role"] == "variant"]
    sections: list[Section] = []
    if variant_rows["model"].nunique() > 1:
        sections += variants.rankings(variant_rows, margin)
    if len(variant_rows):
        sections += variants.gaps(variant_rows, margin)
    sections += variants.linear(variant_rows, margin)
    sections += latent.orders(variant_rows, margin)
    sections += latent.bound(variant_rows, margin)
    sections += retrain.retraining(per_seed, margin)
    sections += optimizers.optimizers(per_seed, margin)
    sections += capacity.capacity(per_seed, margin)
    numbered = with_ids([c for s in sections for c in s.claims])
    by_section = iter(numbered)
    for s in sections:
        s.claims = [next(by_section) for _ in s.claims]
    sheet = with_ids(sheet_claims(numbered, per_seed))
    top = Section("The sheet's claims and this run's verdicts", [], pd.DataFrame(table_rows(sheet)))
    return [top, *sections], [*sheet, *numbered]


def header(per_seed: pd.DataFrame, samples: int = 1) -> list[str]:
    """What the replicas vary and the decision rule, for the page top."""
    seeds = int(per_seed.groupby("model")["seed"].nunique().max()) if len(per_seed) else 0
    varied = (
        f"Replicas: {seeds} per run. Replica k changes the initial weights, the batch order "
        "(training seed + k) and the data sample (data seed + k): each replica trains and is "
        "measured on a sample of its own, so intervals cover the draw of the points too."
        if samples > 1
        else f"Replicas: {seeds} per run. Replica k changes the initial weights and the batch "
        "order (training seed + k); the data sample is one draw shared by every replica, so "
        "intervals cover initial weights and batch order, not the draw of the points."
    )
    return [varied, f"Rule: {RULE}"]
