"""The autoencoder sweeps' tables and observations (pandas only): per sweep the tidy
trials table, its best trials with their seed spread, and a sentence that says whether the
seeds separate the best trial from the runner-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from aeflow.autoencoder.tables import SWEEP_METRICS
from aeflow.core.margins import Margins
from aeflow.core.report import Section
from aeflow.core.sweep_tables import (
    BEST_SHOWN,
    best_trials,
    point_text,
    search_section,
    trials_table,
)
from aeflow.core.tables import read_stacked

METRIC, QUANTITY = "test_mse", "held-out MSE"


def summarise_sweeps(
    metric_paths: Sequence[str],
    points: dict[str, list[dict]],
    variants: dict[str, str],
    margins: Mapping | None = None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Section]]:
    """Per sweep its trials table, then the table of every sweep's best trials and the
    observations. ``points``: sweep -> ``sweeps.sweep_trials``; ``variants``: sweep -> its
    base variant."""
    metrics = read_stacked(metric_paths, SWEEP_METRICS)
    tables = {sweep: trials_table(metrics, rows) for sweep, rows in points.items()}
    best = []
    for sweep, trials in tables.items():
        keys = [c for c in trials.columns if "." in c]
        top = best_trials(trials, METRIC, BEST_SHOWN)
        best.append(
            pd.DataFrame(
                {
                    "sweep": sweep,
                    "variant": variants[sweep],
                    "trial": top["trial"],
                    "settings": [point_text(row, keys) for _, row in top.iterrows()],
                    **{c: top[c] for c in top.columns if c.startswith(METRIC) or c == "seeds"},
                }
            )
        )
    notes = [
        search_section(
            sweep,
            tables[sweep],
            METRIC,
            QUANTITY,
            Margins(margins).of("mse", tables[sweep][METRIC]),
            base=f"{variants[sweep]}'s settings",
        )
        for sweep in tables
    ]
    return tables, pd.concat(best, ignore_index=True), notes
