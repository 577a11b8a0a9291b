"""Numbers and generated observations of the Playground experiments (pandas/NumPy only).

Every number is measured per trial and seed; the summary gives mean and spread over the
seeds, and every sentence says in how many seeds its claim holds. Which trial is "best"
follows from those numbers; where the seeds do not separate the best from the runner-up,
the sentence says the run does not resolve it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aeflow.core.claims import Spread, compare, comparison_text
from aeflow.core.sweep_tables import point_text, search_sentence, trials_table
from aeflow.core.tables import Table, read_stacked
from aeflow.playground.link import playground_url
from aeflow.playground.metrics import METRICS, NEAR_ZERO
from aeflow.playground.runs import BASELINE, describe
from aeflow.playground.tables import METRICS as METRICS_TABLE

BEST_SHOWN = 5  # rows per grid or random sweep in the summary: its best trials


def trial_statistics(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Per trial: seeds, diverged seeds, parameters, and mean/std/min/max of every metric."""
    grouped = per_seed.groupby("trial", sort=False)
    table = grouped.agg(
        seeds=("seed", "size"), diverged=("diverged", "sum"), parameters=("parameters", "first")
    )
    for metric in METRICS:
        values = grouped[metric]
        table[metric] = values.mean()
        table[f"{metric}_std"] = values.std(ddof=0)
        table[f"{metric}_min"] = values.min()
        table[f"{metric}_max"] = values.max()
    return table.reset_index()


def summary_table(
    records: list[dict], statistics: pd.DataFrame, links: dict[str, str], searches: dict
) -> pd.DataFrame:
    """One row for the baseline, one per point of the one-at-a-time sweeps (shared trials
    repeat their numbers), and the ``BEST_SHOWN`` trials of lowest mean test loss of every
    grid or random sweep; each row links to the trial on the Playground's page.
    ``records``: ``runs.sweep_table``; ``searches``: sweep -> ``runs.sweep_trials``."""
    by_trial = statistics.set_index("trial")
    points = [(BASELINE, "", "", BASELINE)] + [
        (r["sweep"], r["key"], r["label"], r["run"]) for r in records
    ]
    for sweep, trials in searches.items():
        labels = {t["trial"]: point_text(t, [k for k in t if k != "trial"]) for t in trials}
        best = by_trial.loc[list(labels)].sort_values("test_loss").head(BEST_SHOWN)
        keys = ", ".join(k for k in trials[0] if k != "trial")
        points += [(sweep, keys, labels[trial], trial) for trial in best.index]
    return pd.DataFrame(
        [
            {
                "sweep": sweep,
                "key": key,
                "value": value,
                "trial": trial,
                **by_trial.loc[trial].to_dict(),
                "playground": links[trial],
            }
            for sweep, key, value, trial in points
        ]
    )


def read_batches(paths: Sequence[str], table: Table = METRICS_TABLE) -> pd.DataFrame:
    """The ``table`` files of several batch jobs as one, each checked against its contract."""
    return read_stacked(paths, table)


def summarise(
    metric_paths: Sequence[str],
    trials: Sequence[str],
    records: list[dict],
    sweeps: dict[str, list[dict]],
    searches: Sequence[str],
    settings: dict[str, dict],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame], list[str]]:
    """The summary table, the per-seed table, every sweep's trials table and the
    observations, from the batches' metrics. ``sweeps``: sweep -> ``runs.sweep_trials``;
    ``searches``: the grid and random sweeps among them; ``settings``: trial -> its
    effective settings (for the links and descriptions)."""
    metrics = read_batches(metric_paths)
    per_seed = (
        metrics[metrics["trial"].isin(trials)]
        .assign(order=lambda t: t["trial"].map({trial: i for i, trial in enumerate(trials)}))
        .sort_values(["order", "seed"])
        .drop(columns="order")
        .reset_index(drop=True)
    )
    links = {trial: playground_url(settings[trial]) for trial in trials}
    statistics = trial_statistics(per_seed)
    table = summary_table(records, statistics, links, {s: sweeps[s] for s in searches})
    tables = {sweep: trials_table(per_seed, rows) for sweep, rows in sweeps.items()}
    shown = table[~table["sweep"].isin(list(searches))]
    notes = observations(shown, per_seed, settings[BASELINE])
    notes += [search_sentence(sweep, tables[sweep], "test_loss", "test loss") for sweep in searches]
    return table, per_seed, tables, notes


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The columns the Markdown/HTML pages show: mean ± std over seeds, and the link."""

    def spread(metric: str, digits: str = ".3g") -> pd.Series:
        return table.apply(
            lambda row: f"{row[metric]:{digits}} ± {row[f'{metric}_std']:{digits}}", axis=1
        )

    shown = pd.DataFrame(
        {
            "sweep": table["sweep"],
            "value": table["value"],
            "seeds": table["seeds"],
            "test loss": spread("test_loss"),
            "train loss": spread("train_loss"),
            "test accuracy": spread("test_accuracy", ".1%"),
            "weights |w| < 1e-3": spread("near_zero_weights", ".0%"),
            "parameters": table["parameters"],
            "diverged seeds": table["diverged"],
            "playground": table["playground"],
        }
    )
    if table["test_accuracy"].isna().all():
        shown = shown.drop(columns="test accuracy")
    return shown


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _spread(values: np.ndarray, fmt: str = ".3g") -> str:
    """'mean ± std, range low to high' of per-seed values (one seed: the value)."""
    return Spread.of(values).range_text(fmt)


def seed_values(per_seed: pd.DataFrame, trial: str, metric: str) -> np.ndarray:
    """Per-seed values of ``metric`` for ``trial``, in seed order."""
    chosen = per_seed[per_seed["trial"] == trial].sort_values("seed")
    return chosen[metric].to_numpy(dtype=float)


def _versus(per_seed: pd.DataFrame, first: tuple[str, str], second: tuple[str, str]) -> str:
    """'A < B in test loss in k of n seeds (...)' or '...: not resolved (...)': trials given
    as (trial, label), compared seed by seed."""
    comparison = compare(
        seed_values(per_seed, first[0], "test_loss"), seed_values(per_seed, second[0], "test_loss")
    )
    return comparison_text(comparison, first[1], second[1], "test loss")


def observations(table: pd.DataFrame, per_seed: pd.DataFrame, baseline: dict) -> list[str]:
    """Findings computed from the per-seed numbers; ``baseline``: its effective settings."""
    found = []
    base = table[table["sweep"] == BASELINE].iloc[0]
    seeds = int(base["seeds"])
    accuracy_text = (
        ""
        if np.isnan(base["test_accuracy"])
        else f", test accuracy {_spread(seed_values(per_seed, BASELINE, 'test_accuracy'), '.1%')}"
    )
    found.append(
        f"Baseline ({describe(baseline)}): test loss "
        f"{_spread(seed_values(per_seed, BASELINE, 'test_loss'))} over {seeds} seeds (train "
        f"{_spread(seed_values(per_seed, BASELINE, 'train_loss'))}){accuracy_text}; "
        f"{int(base['parameters'])} parameters."
    )
    for sweep, rows in table[table["sweep"] != BASELINE].groupby("sweep", sort=False):
        if len(rows) < 2:
            continue
        found.append(_sweep_observation(sweep, rows, per_seed))
        if rows["key"].iloc[0] == "training.regularization":
            found.append(_regularization_observation(rows, per_seed))
    return found


def _sweep_observation(sweep: str, rows: pd.DataFrame, per_seed: pd.DataFrame) -> str:
    ranked = rows.drop_duplicates("trial").sort_values("test_loss", na_position="last")
    labelled = [(row.trial, str(row.value)) for row in ranked.itertuples()]
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    sentence = (
        f"Sweep {sweep} ({best['key']}): the lowest mean test loss is at {best['value']} "
        f"({_spread(seed_values(per_seed, best['trial'], 'test_loss'))}); "
        f"{_versus(per_seed, labelled[0], labelled[1])}."
    )
    if worst["diverged"] > 0:
        diverged = f"{int(worst['diverged'])} of {int(worst['seeds'])} seeds"
        sentence += f" {worst['value']} diverged in {diverged}."
    elif len(ranked) > 2:
        sentence += (
            f" The highest is at {worst['value']} "
            f"({_spread(seed_values(per_seed, worst['trial'], 'test_loss'))}); "
            f"{_versus(per_seed, labelled[-2], labelled[-1])}."
        )
    return sentence


def _regularization_observation(rows: pd.DataFrame, per_seed: pd.DataFrame) -> str:
    parts = []
    for row in rows.drop_duplicates("trial").itertuples():
        near = seed_values(per_seed, row.trial, "near_zero_weights")
        dead = seed_values(per_seed, row.trial, "dead_weights")
        parts.append(
            f"{row.value}: {_pct(near.mean())} of weights |w| < {NEAR_ZERO:g} "
            f"(seeds {_pct(near.min())} to {_pct(near.max())}), {_pct(dead.mean())} dead links"
        )
    return (
        "Weights after training, mean over seeds (range over seeds); 'dead' are links the "
        "Playground's L1 rule set to exactly 0 for good: " + "; ".join(parts) + "."
    )
