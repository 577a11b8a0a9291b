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

from aeflow.core.claims import RULE, Contrast, Spread, contrast_texts
from aeflow.core.report import Section
from aeflow.core.sweep_tables import BEST_SHOWN, point_text, search_sentence, trials_table
from aeflow.core.tables import Table, read_stacked
from aeflow.playground.link import playground_url
from aeflow.playground.metrics import METRICS, NEAR_ZERO
from aeflow.playground.runs import BASELINE, describe
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


def read_chunks(paths: Sequence[str], table: Table = METRICS_TABLE) -> pd.DataFrame:
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
    metrics = read_chunks(metric_paths)
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


def observations(table: pd.DataFrame, per_seed: pd.DataFrame, baseline: dict) -> list:
    """Findings computed from the per-seed numbers; ``baseline``: its effective settings.
    Returns the baseline sentence and one ``Section`` per one-at-a-time sweep."""
    found: list = []
    base = table[table["sweep"] == BASELINE].iloc[0]
    seeds = int(base["seeds"])
    accuracy = seed_values(per_seed, BASELINE, "test_accuracy")
    accuracy_text = (
        "" if np.isnan(accuracy).all() else f", test accuracy {_spread(accuracy, '.1%')}"
    )
    found.append(
        f"Baseline ({describe(baseline)}): test loss "
        f"{_spread(seed_values(per_seed, BASELINE, 'test_loss'))} over {seeds} seeds"
        f"{accuracy_text}; {int(base['parameters'])} parameters."
    )
    for sweep, rows in table[table["sweep"] != BASELINE].groupby("sweep", sort=False):
        if len(rows) < 2:
            continue
        found.append(_sweep_section(sweep, rows, per_seed))
    return found


def _label(row) -> str:
    return str(row.value) + (" (baseline)" if row.trial == BASELINE else "")


def _diverged(per_seed: pd.DataFrame, trial: str) -> int:
    values = seed_values(per_seed, trial, "test_loss")
    flags = seed_values(per_seed, trial, "diverged") if "diverged" in per_seed else 0
    return int((~np.isfinite(values) | (np.asarray(flags) > 0)).sum())


def _sweep_section(sweep: str, rows: pd.DataFrame, per_seed: pd.DataFrame) -> Section:
    """One family: every value against the baseline, and the best against the runner-up
    (among values that did not diverge in any seed); Holm over them all."""
    points = rows.drop_duplicates("trial")
    key = points["key"].iloc[0]
    diverged = {row.trial: _diverged(per_seed, row.trial) for row in points.itertuples()}
    labels = {row.trial: _label(row) for row in points.itertuples()}
    if BASELINE not in labels:  # the sweep does not hold the baseline's value
        labels[BASELINE], diverged[BASELINE] = "baseline", _diverged(per_seed, BASELINE)
    ranked = [
        row.trial
        for row in points.sort_values("test_loss").itertuples()
        if diverged[row.trial] == 0
    ]

    def values(trial: str, metric: str = "test_loss") -> np.ndarray:
        out = seed_values(per_seed, trial, metric)
        if diverged[trial]:  # a diverged seed makes the run not comparable (claims.RULE)
            bad = ~np.isfinite(seed_values(per_seed, trial, "test_loss"))
            if "diverged" in per_seed:
                bad |= seed_values(per_seed, trial, "diverged") > 0
            out = np.where(bad, np.nan, out)
        return out

    others = [t for t in points["trial"] if t != BASELINE]
    contrasts = [
        Contrast(labels[t], labels[BASELINE], "test loss", values(t), values(BASELINE))
        for t in others
    ]
    if len(ranked) >= 2 and BASELINE not in ranked[:2]:
        contrasts.append(
            Contrast(
                labels[ranked[0]],
                labels[ranked[1]],
                "test loss",
                values(ranked[0]),
                values(ranked[1]),
            )
        )
    regularization = key == "training.regularization"
    has_accuracy = not np.isnan(seed_values(per_seed, BASELINE, "test_accuracy")).all()
    if regularization and has_accuracy:
        contrasts += [
            Contrast(
                labels[t],
                labels[BASELINE],
                "test accuracy",
                values(t, "test_accuracy"),
                values(BASELINE, "test_accuracy"),
                lower_is_better=False,
                fmt=".1%",
            )
            for t in others
        ]
    if regularization:  # what each regulariser does to the weights
        contrasts += [
            Contrast(
                labels[t],
                labels[BASELINE],
                "mean |w|",
                values(t, "mean_abs_weight"),
                values(BASELINE, "mean_abs_weight"),
            )
            for t in others
        ]
    results = contrast_texts(contrasts)
    notes = [f"{text}." for _, text in results]
    if ranked:
        notes.insert(
            0, f"Lowest mean test loss: {labels[ranked[0]]} (among values that did not diverge)."
        )
    not_ranked = [t for t in points["trial"] if diverged[t]]
    if not_ranked:
        notes.append(
            "Not ranked (diverged): "
            + "; ".join(
                f"{labels[t]} in {diverged[t]} of {len(values(t))} seeds" for t in not_ranked
            )
            + "."
        )
    if key in ("data.noise", "data.train_ratio"):
        notes.append(
            "The data set, and with it the test set, changes with this setting (noisier "
            "points, or another split), so its values are scored on different test sets."
        )
    if regularization:
        notes += _weights_notes(points, per_seed, labels)
    table = _sweep_table(points, per_seed, labels, diverged, has_accuracy)
    return Section(f"Sweep {sweep} ({key})", notes, table)


def _weights_notes(points: pd.DataFrame, per_seed: pd.DataFrame, labels: dict) -> list[str]:
    notes = []
    for trial in points["trial"]:
        magnitude = seed_values(per_seed, trial, "mean_abs_weight")
        dead = seed_values(per_seed, trial, "dead_weights")
        near = seed_values(per_seed, trial, "near_zero_weights")
        notes.append(
            f"{labels[trial]}: mean |w| {Spread.of(magnitude).range_text('.2g')}; "
            f"{_pct(near.mean())} of weights below {NEAR_ZERO:g}, {_pct(dead.mean())} dead "
            "links (set to 0 for good by L1)."
        )
    return notes


def _sweep_table(points, per_seed, labels, diverged, has_accuracy) -> pd.DataFrame:
    rows = []
    for trial in points["trial"]:
        row = {
            "value": labels[trial],
            "seeds": len(seed_values(per_seed, trial, "test_loss")),
            "diverged": diverged[trial],
        }
        for name, metric, fmt in (
            ("test loss", "test_loss", ".3g"),
            ("test accuracy", "test_accuracy", ".1%"),
            ("mean |w|", "mean_abs_weight", ".2g"),
        ):
            if metric == "test_accuracy" and not has_accuracy:
                continue
            values = seed_values(per_seed, trial, metric)
            finite = values[np.isfinite(values)]
            row[name] = Spread.of(finite).text(fmt) if len(finite) else "diverged"
        rows.append(row)
    return pd.DataFrame(rows)
