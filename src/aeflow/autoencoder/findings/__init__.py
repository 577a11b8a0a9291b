"""The autoencoders' findings: per part a module that turns the per-seed table into
sections of claims (``core.claims``), and the sheet's own claims judged on them.
pandas/NumPy/scipy only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd

from aeflow.autoencoder.capacity import SEEDS_RUN as CAPACITY_RUN
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

    def family_margins(runs: list[str]) -> Margins:  # and the family's design (its cap)
        return Margins(margins, design.for_runs(runs) if design else None)

    variant_rows = per_seed[per_seed["role"] == "variant"]
    variant_runs = list(dict.fromkeys(variant_rows["model"]))
    sections: list[Section] = []
    if variant_rows["model"].nunique() > 1:
        sections += tag_compared_runs(
            variants.rankings(variant_rows, family_margins(variant_runs)), variant_runs
        )
    if len(variant_rows):
        sections += tag_compared_runs(
            variants.gaps(variant_rows, family_margins(variant_runs)), variant_runs
        )
    sections += tag_compared_runs(
        variants.linear(variant_rows, family_margins(variant_runs)), variant_runs
    )
    sections += tag_compared_runs(
        latent.orders(variant_rows, family_margins(variant_runs)), variant_runs
    )
    sections += tag_compared_runs(
        latent.bound(variant_rows, family_margins(variant_runs)), variant_runs
    )
    retrained = list(per_seed.loc[per_seed["role"] == "retrained", "model"].unique())
    sections += tag_compared_runs(
        retrain.retraining(per_seed, family_margins(retrained)), retrained
    )
    optimizer_runs = list(per_seed.loc[per_seed["role"] == "optimizer run", "model"].unique())
    sections += tag_compared_runs(
        optimizers.optimizers(per_seed, family_margins(optimizer_runs)), optimizer_runs
    )
    sections += tag_compared_runs(
        capacity.capacity(per_seed, family_margins([CAPACITY_RUN])), [CAPACITY_RUN]
    )
    numbered = with_ids([c for s in sections for c in s.claims])
    by_section = iter(numbered)
    for s in sections:
        s.claims = [next(by_section) for _ in s.claims]
    sheet = with_ids(sheet_claims(numbered, per_seed))
    top = Section("The sheet's claims and this run's verdicts", [], pd.DataFrame(table_rows(sheet)))
    return [top, *sections], [*sheet, *numbered]


def tag_compared_runs(sections: list[Section], runs: list[str]) -> list[Section]:
    """``sections`` with each claim naming the runs its family compares (the keys of the
    seeds design, ``stages.seed_keys``: a retraining is its variant's run). Coarse on
    purpose: a section of one model per claim (gaps, orders) names every variant, so that
    a family's seeds reach all the runs its tables pair (``common.paired``)."""
    for s in sections:
        s.claims = [replace(c, runs=";".join(runs)) for c in s.claims]
    return sections


def header(per_seed: pd.DataFrame, samples: int = 1) -> list[str]:
    """What the replicas vary and the decision rule, for the page top."""
    counts = per_seed.groupby("model")["seed"].nunique() if len(per_seed) else pd.Series([0])
    seeds = (
        f"{counts.min()} to {counts.max()}" if counts.min() != counts.max() else f"{counts.max()}"
    )
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
