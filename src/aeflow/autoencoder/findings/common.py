"""What every part's findings share: per-seed tables paired by replica, the outcome-blind
set-aside flags, the descriptive "stuck" flags and the sections' small tables (pandas)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import pandas as pd

from aeflow.autoencoder.failures import STUCK_MARGIN, stuck
from aeflow.core.claims import Claim, Contrast, decide
from aeflow.core.margins import Margins
from aeflow.core.numbers import cell, count
from aeflow.core.report import Section
from aeflow.core.twostage import Design

RHO = "\u03c1"


def paired(rows: pd.DataFrame, column: str, key: str = "model") -> pd.DataFrame:
    """replica x ``key`` table of ``column``: replica k is each run's k-th seed; only
    replicas every run has are kept (runs may train different seeds: the seeds design), so
    columns pair seed by seed. A replica whose value is missing (NaN) stays."""
    rows = rows.assign(replica=rows.groupby(key, sort=False)["seed"].rank(method="first"))
    table = rows.pivot(index="replica", columns=key, values=column)
    present = rows.pivot(index="replica", columns=key, values="seed").notna().all(axis=1)
    return table.loc[present, list(dict.fromkeys(rows[key]))].dropna(how="all")


def has(rows: pd.DataFrame, column: str) -> bool:
    return column in rows and rows[column].notna().any()


def set_aside(rows: pd.DataFrame, key: str = "model") -> pd.DataFrame:
    """replica x ``key``: True where the replica's network is dead (``analysis.dead_network``),
    the one outcome-blind reason to set a seed aside."""
    if not has(rows, "dead_network"):
        return paired(rows.assign(dead_network=0.0), "dead_network", key).astype(bool)
    return paired(rows, "dead_network", key).fillna(0).astype(bool)


def either(flags: pd.DataFrame, a: str, b: str) -> np.ndarray:
    return (flags[a] | flags[b]).to_numpy()


def stuck_notes(rows: pd.DataFrame, key: str = "model") -> list[str]:
    """'ae1: 2 of 5 seeds still above 90% of the constant reconstruction's MSE (kept in)'."""
    if not has(rows, "constant_mse"):
        return []
    flags = paired(
        rows.assign(stuck=stuck(rows["train_mse"], rows["constant_mse"])),
        "stuck",
        key,
    ).astype(bool)
    return [
        f"{run}: {count(flags[run].sum(), len(flags))} still above {1 - STUCK_MARGIN:.0%} of the "
        "constant reconstruction's training MSE at the end (slow or stuck; kept in every "
        "comparison)"
        for run in flags.columns
        if flags[run].any()
    ]


def dead_notes(flags: pd.DataFrame) -> list[str]:
    return [
        f"{run}: {count(flags[run].sum(), len(flags))} with a dead network (a hidden layer "
        "silent on every training point), set aside"
        for run in flags.columns
        if flags[run].any()
    ]


def table(columns: dict[str, pd.DataFrame], percent: Sequence[str] = ()) -> pd.DataFrame:
    """run x quantity: 'mean ± SD' over seeds (sample SD; median beside where seeds split)."""
    first = next(iter(columns.values()))
    rows = []
    for run in first.columns:
        row = {"run": run, "seeds": int(first[run].notna().sum())}
        for name, values in columns.items():
            row[name] = cell(values[run], percent=name in percent) if run in values else ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame = frame.rename(columns={name: f"{name} (mean ± SD)" for name in columns})
    return frame


def pairwise(
    values: pd.DataFrame,
    metric: str,
    kind: str,
    margins: Margins,
    flags: pd.DataFrame,
    bounds: tuple[float, float] = (0.0, np.inf),
    **options,
) -> list[Contrast]:
    """Every pair of ``values``' columns (replica x run), in column order, each with the
    margin of ``kind`` against its second run and the pair's set-aside seeds."""
    return [
        Contrast(
            a,
            b,
            metric,
            values[a],
            values[b],
            margins.of(kind, values[b]),
            bounds=bounds,
            set_aside=either(flags, a, b),
            **options,
        )
        for a, b in combinations(values.columns, 2)
    ]


def section(
    title: str,
    contrasts: Sequence[Contrast],
    notes: Sequence[str] = (),
    shown: pd.DataFrame | None = None,
    figure: str | None = None,
    design: Design | None = None,
) -> Section:
    """One family: its contrasts decided together (under ``design``), its context notes
    and table."""
    claims: list[Claim] = decide(contrasts, title, design=design) if contrasts else []
    return Section(title, list(notes), shown, claims, figure)
