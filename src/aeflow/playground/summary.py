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

from aeflow.playground.link import playground_url
from aeflow.playground.runs import BASELINE, describe

NEAR_ZERO = 1e-3  # |w| below this counts as a weight switched off
METRICS = (
    "train_loss",
    "test_loss",
    "gap",
    "train_accuracy",
    "test_accuracy",
    "near_zero_weights",
    "dead_weights",
    "mean_abs_weight",
)


def parameter_count(weights: pd.DataFrame) -> int:
    """Weights plus one bias per unit of every layer, from one network's weights table."""
    units = weights.groupby("layer")["target"].max() + 1
    return int(len(weights) + units.sum())


def accuracy(points: pd.DataFrame, split: str) -> float:
    """Share of points of ``split`` whose output has the sign of their label (NaN for
    regression, whose labels are not classes)."""
    chosen = points[points["split"] == split]
    if not chosen["label"].isin([-1.0, 1.0]).all():
        return float("nan")
    return float((np.sign(chosen["output"]) == chosen["label"]).mean())


def seed_metrics(curves: pd.DataFrame, points: pd.DataFrame, weights: pd.DataFrame) -> dict:
    """What the summary reports for one trained network (one trial, one seed)."""
    final = curves.iloc[-1]
    magnitudes = weights["weight"].abs()
    finite = bool(np.isfinite(curves[["train_loss", "test_loss"]].to_numpy()).all())
    return {
        "parameters": parameter_count(weights),
        "epochs": int(final["epoch"]),
        "diverged": not finite,
        "train_loss": float(final["train_loss"]),
        "test_loss": float(final["test_loss"]),
        "gap": float(final["test_loss"] - final["train_loss"]),
        "train_accuracy": accuracy(points, "train"),
        "test_accuracy": accuracy(points, "test"),
        "near_zero_weights": float((magnitudes < NEAR_ZERO).mean()),
        "dead_weights": float(weights["dead"].mean()),
        "mean_abs_weight": float(magnitudes.mean()),
    }


def per_seed_table(
    curves: pd.DataFrame, points: pd.DataFrame, weights: pd.DataFrame, trials: Sequence[str]
) -> pd.DataFrame:
    """One row per trial and seed, from the batches' tables (concatenated)."""
    rows = []
    for trial in trials:
        for seed, trial_curves in curves[curves["trial"] == trial].groupby("seed"):
            pick = (points["trial"] == trial) & (points["seed"] == seed)
            chosen = (weights["trial"] == trial) & (weights["seed"] == seed)
            rows.append(
                {
                    "trial": trial,
                    "seed": int(seed),
                    **seed_metrics(
                        trial_curves.sort_values("epoch"), points[pick], weights[chosen]
                    ),
                }
            )
    return pd.DataFrame(rows)


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
    records: list[dict], statistics: pd.DataFrame, links: dict[str, str]
) -> pd.DataFrame:
    """One row for the baseline, then one per sweep point (shared trials repeat their
    numbers), with the link that opens the trial on the Playground's page.
    ``records``: ``runs.sweep_table``; ``links``: trial -> URL."""
    points = [(BASELINE, "", "", BASELINE)] + [
        (r["sweep"], r["key"], r["label"], r["run"]) for r in records
    ]
    by_trial = statistics.set_index("trial")
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


def read_batches(paths: Sequence[str]) -> pd.DataFrame:
    """The tables of several batch jobs as one."""
    return pd.concat([pd.read_csv(path) for path in paths], ignore_index=True)


def summarise(
    curve_paths: Sequence[str],
    point_paths: Sequence[str],
    weight_paths: Sequence[str],
    trials: Sequence[str],
    records: list[dict],
    settings: dict[str, dict],
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The summary table, the per-seed table and the observations, from the batches'
    CSVs. ``settings``: trial -> its effective settings (for the links and descriptions)."""
    per_seed = per_seed_table(
        read_batches(curve_paths), read_batches(point_paths), read_batches(weight_paths), trials
    )
    links = {trial: playground_url(settings[trial]) for trial in trials}
    table = summary_table(records, trial_statistics(per_seed), links)
    return table, per_seed, observations(table, per_seed, settings[BASELINE])


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


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _spread(values: np.ndarray, fmt=_fmt) -> str:
    """'mean ± std [min, max]' of per-seed values."""
    if len(values) == 1:
        return f"{fmt(values[0])} (1 seed)"
    return (
        f"{fmt(np.nanmean(values))} ± {fmt(np.nanstd(values))} "
        f"[{fmt(np.nanmin(values))}, {fmt(np.nanmax(values))}]"
    )


def _pct1(value: float) -> str:
    return f"{value:.1%}"


def seed_values(per_seed: pd.DataFrame, trial: str, metric: str) -> np.ndarray:
    """Per-seed values of ``metric`` for ``trial``, in seed order."""
    chosen = per_seed[per_seed["trial"] == trial].sort_values("seed")
    return chosen[metric].to_numpy(dtype=float)


def lower_in_seeds(best: np.ndarray, other: np.ndarray) -> tuple[int, int, bool]:
    """How many paired seeds have ``best`` below ``other``, of how many, and whether the
    two ranges over seeds are apart (max of best < min of other). Seeds pair up by
    position; a NaN (diverged) seed counts against ``best`` only if ``best`` is NaN."""
    n = min(len(best), len(other))
    a, b = best[:n], other[:n]
    wins = int(np.sum(np.where(np.isnan(b), ~np.isnan(a), a < b)))
    apart = bool(np.nanmax(a) < np.nanmin(b)) if n and not np.isnan(a).all() else False
    return wins, n, apart


def verdict(best_label: str, other_label: str, wins: int, n: int, apart: bool) -> str:
    """The sentence's verdict: resolved only when every seed agrees and the ranges are
    apart; otherwise the run does not resolve the difference."""
    if n > 1 and wins == n and apart:
        return f"{best_label} is lower in {wins} of {n} seeds, with the ranges apart"
    reason = (
        "one seed cannot separate them"
        if n == 1
        else f"{best_label} is lower in only {wins} of {n} seeds"
        if wins < n
        else f"lower in {wins} of {n} seeds but the ranges overlap"
    )
    return f"not resolved between {best_label} and {other_label} ({reason})"


def observations(table: pd.DataFrame, per_seed: pd.DataFrame, baseline: dict) -> list[str]:
    """Findings computed from the per-seed numbers; ``baseline``: its effective settings."""
    found = []
    base = table[table["sweep"] == BASELINE].iloc[0]
    seeds = int(base["seeds"])
    accuracy_text = (
        ""
        if np.isnan(base["test_accuracy"])
        else f", test accuracy {_spread(seed_values(per_seed, BASELINE, 'test_accuracy'), _pct1)}"
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
    best, runner_up, worst = ranked.iloc[0], ranked.iloc[1], ranked.iloc[-1]
    best_values = seed_values(per_seed, best["trial"], "test_loss")
    runner_values = seed_values(per_seed, runner_up["trial"], "test_loss")
    wins, n, apart = lower_in_seeds(best_values, runner_values)
    outcome = verdict(str(best["value"]), str(runner_up["value"]), wins, n, apart)
    sentence = (
        f"Sweep {sweep} ({best['key']}): the lowest mean test loss is at {best['value']} "
        f"({_spread(best_values)}), the runner-up {runner_up['value']} "
        f"({_spread(runner_values)}): {outcome}."
    )
    if len(ranked) > 2:
        next_worst = ranked.iloc[-2]
        worst_values = seed_values(per_seed, worst["trial"], "test_loss")
        wins, n, apart = lower_in_seeds(
            seed_values(per_seed, next_worst["trial"], "test_loss"), worst_values
        )
        sentence += (
            f" The highest is at {worst['value']} ({_spread(worst_values)}), above the next, "
            f"{next_worst['value']}, in {wins} of {n} seeds"
            + (
                " with the ranges apart."
                if wins == n and apart
                else ", but the ranges overlap: not resolved."
                if wins == n
                else ": not resolved."
            )
        )
    diverged = ranked[ranked["diverged"] > 0]
    if len(diverged):
        sentence += (
            " Diverged: "
            + ", ".join(
                f"{r.value} in {int(r.diverged)} of {int(r.seeds)} seeds"
                for r in diverged.itertuples()
            )
            + "."
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
