"""Numbers and generated observations of the Playground experiments (pandas/NumPy only).

Every number is measured per trial and seed; the summary gives mean and spread over the
seeds, and every sentence says in how many seeds its claim holds. Which trial is "best"
follows from those numbers; where the seeds do not separate the best from the runner-up,
the sentence says the run does not resolve it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd

from aeflow.core.claims import RULE, Claim, with_ids
from aeflow.core.margins import Margins
from aeflow.core.report import Section
from aeflow.core.sweep_tables import BEST_SHOWN, point_text, search_section, trials_table
from aeflow.core.tables import Table, read_stacked
from aeflow.core.twostage import Design
from aeflow.playground.findings import findings
from aeflow.playground.link import playground_url
from aeflow.playground.metrics import METRICS
from aeflow.playground.runs import BASELINE, SEEDS_RUN
from aeflow.playground.tables import BOUNDARY
from aeflow.playground.tables import METRICS as METRICS_TABLE


def trial_statistics(per_seed: pd.DataFrame) -> pd.DataFrame:
    """Per trial: seeds, diverged seeds, parameters, and mean/std/min/max of every metric."""
    grouped = per_seed.groupby("trial", sort=False)
    table = grouped.agg(
        seeds=("seed", "size"), diverged=("diverged", "sum"), parameters=("parameters", "first")
    )
    for metric in METRICS:
        values = grouped[metric]
        table[metric] = values.mean()
        table[f"{metric}_std"] = values.std(ddof=1)  # sample SD
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
        (r["sweep"], r["key"], r["label"], r["trial"]) for r in records
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


def read_chunks(
    paths: Sequence[str], table: Table = METRICS_TABLE, seeds: int | None = None
) -> pd.DataFrame:
    """The ``table`` files of several chunk block jobs as one, each checked against its
    contract; with ``seeds``, each trial's first ``seeds`` replicas only (its lowest seeds:
    replica k has seed ``training.seed + k``), as the blocks hold whole blocks."""
    stacked = read_stacked(paths, table)
    return stacked if seeds is None else first_replicas(stacked, seeds)


def first_replicas(table: pd.DataFrame, seeds: int) -> pd.DataFrame:
    """The rows of each trial's first ``seeds`` replicas: its lowest seeds."""
    if not len(table):
        return table
    replica = table.groupby("trial", sort=False)["seed"].rank(method="dense") - 1
    return table[replica < seeds].reset_index(drop=True)


def read_maps(paths: Sequence[str]) -> pd.DataFrame:
    """The output maps of several chunk block jobs (``tables.BOUNDARY``), each trial's
    blocks pooled into one map: the mean over all their replicas, and its population SD
    (a block's map is its replicas' mean and SD; replicas are whole blocks here)."""
    maps = read_stacked(paths, BOUNDARY)
    if not len(maps):
        return maps
    weighted = maps.assign(
        total=maps["seeds"] * maps["output"],
        squares=maps["seeds"] * (maps["output_std"] ** 2 + maps["output"] ** 2),
    )
    pooled = weighted.groupby(["trial", "x1", "x2"], sort=False)[
        ["seeds", "total", "squares"]
    ].sum()
    mean = pooled["total"] / pooled["seeds"]
    variance = (pooled["squares"] / pooled["seeds"] - mean**2).clip(lower=0)
    return pd.DataFrame(
        {"output": mean, "output_std": variance**0.5, "seeds": pooled["seeds"]}
    ).reset_index()


def tabulate(
    metric_paths: Sequence[str],
    trials: Sequence[str],
    records: list[dict],
    sweeps: dict[str, list[dict]],
    searches: Sequence[str],
    settings: dict[str, dict],
    seeds: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """The summary table, the per-seed table and every sweep's trials table, from the
    chunks' metrics. ``sweeps``: sweep -> ``runs.sweep_trials``; ``searches``: the grid and
    random sweeps among them; ``settings``: trial -> its effective settings (links);
    ``seeds``: the replicas each trial keeps (all the blocks hold when None)."""
    metrics = read_chunks(metric_paths, seeds=seeds)
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
    return table, per_seed, tables


def summarise(
    table: pd.DataFrame,
    per_seed: pd.DataFrame,
    searches: Mapping[str, pd.DataFrame],
    epochs: int,
    margins: Mapping | None = None,
    design: Design | None = None,
) -> tuple[list[Section], list[Claim]]:
    """The sections and claim rows: the one-at-a-time sweeps (``findings``), then each grid
    or random sweep (``searches``: sweep -> its trials table) as a family of its own;
    ``epochs``: the baseline's (a loss level not reached counts as that). Every claim
    names the one run whose seeds the design plans (``runs.SEEDS_RUN``), under its cap."""
    design = design.for_runs([SEEDS_RUN]) if design else None
    shown = table[~table["sweep"].isin(list(searches))]
    sections, claims = findings(shown, per_seed, epochs, margins, design)
    searched = [
        search_section(
            sweep,
            trials,
            "test_loss",
            "test loss",
            Margins(margins).of("test_loss", _margin_reference(trials, design)),
            design=design,
        )
        for sweep, trials in searches.items()
    ]
    claims = [*claims, *with_ids([c for s in searched for c in s.claims])]
    return [*sections, *searched], [replace(c, runs=SEEDS_RUN) for c in claims]


def _margin_reference(trials: pd.DataFrame, design: Design | None) -> pd.Series:
    """A search's test losses that set its relative margin: under a two-stage design only
    the pilot's (each trial's first ``pilot`` seeds), so the second stage cannot move it."""
    if design is None or not design.two_stage:
        return trials["test_loss"]
    return first_replicas(trials, design.pilot)["test_loss"]


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The columns the Markdown/HTML pages show: mean ± sample SD over seeds, and the link."""

    def spread(metric: str, digits: str = ".3g") -> pd.Series:
        return table.apply(
            lambda row: f"{row[metric]:{digits}} ± {row[f'{metric}_std']:{digits}}", axis=1
        )

    shown = pd.DataFrame(
        {
            "sweep": table["sweep"],
            "value": table["value"],
            "seeds": table["seeds"],
            "test loss (mean ± SD)": spread("test_loss"),
            "train loss (mean ± SD)": spread("train_loss"),
            "test accuracy (mean ± SD)": spread("test_accuracy", ".1%"),
            "weights |w| < 1e-3 (mean ± SD)": spread("near_zero_weights", ".0%"),
            "parameters": table["parameters"],
            "diverged seeds": table["diverged"],
            "playground": table["playground"],
        }
    )
    if table["test_accuracy"].isna().all():
        shown = shown.drop(columns="test accuracy (mean ± SD)")
    return shown


def header(per_seed: pd.DataFrame) -> list[str]:
    """What the replicas vary and the decision rule, for the page top."""
    seeds = int(per_seed.groupby("trial")["seed"].nunique().max()) if len(per_seed) else 0
    return [
        f"Replicas: {seeds} per trial. Replica k changes the initial weights (and the point "
        "order where reshuffled); the data set is one draw (playground.data.seed), so each "
        "'k of n seeds' holds for that one data set. The noise and train-ratio sweeps change "
        "the data set, and with it the test set.",
        f"Rule: {RULE} Each one-at-a-time sweep is one family: every value against the "
        "baseline, and the best against the runner-up.",
    ]
