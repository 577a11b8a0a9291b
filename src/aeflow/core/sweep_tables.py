"""Tables and sentences of sweeps, shared by both parts (pandas/NumPy only)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aeflow.core.claims import Contrast, decide
from aeflow.core.numbers import spread
from aeflow.core.report import Section
from aeflow.core.twostage import Design

BEST_SHOWN = 5  # rows per grid or random sweep in a summary: its best trials


def trials_table(per_seed: pd.DataFrame, points: list[dict]) -> pd.DataFrame:
    """The tidy table of one sweep: a row per point and seed, with its trial, every varied
    setting (one column per ``section.name`` key) and every metric of ``per_seed`` (rows
    of trial, seed and metrics)."""
    settings = pd.DataFrame(
        [{k: (str(v) if isinstance(v, list) else v) for k, v in p.items()} for p in points]
    )
    settings.insert(0, "point", range(len(settings)))
    return settings.merge(per_seed, on="trial", how="left").sort_values(["point", "seed"])


def point_text(row: dict | pd.Series, keys: Sequence[str]) -> str:
    """'learning_rate=0.01, noise=0.25': a point's values, floats to 3 digits."""
    return ", ".join(
        f"{k.split('.')[-1]}={f'{row[k]:.3g}' if isinstance(row[k], float) else row[k]}"
        for k in keys
    )


def best_trials(trials: pd.DataFrame, metric: str, count: int) -> pd.DataFrame:
    """The ``count`` trials of lowest mean ``metric`` over seeds: trial, the varied
    settings, seeds, and the metric's mean, std, min and max."""
    keys = [c for c in trials.columns if "." in c]
    grouped = trials.groupby("trial", sort=False)
    table = grouped[keys].first()
    table["seeds"] = grouped["seed"].nunique()
    for name, how in (("", "mean"), ("_std", "std"), ("_min", "min"), ("_max", "max")):
        table[f"{metric}{name}"] = grouped[metric].agg(how, **({"ddof": 0} if how == "std" else {}))
    return table.sort_values(metric).head(count).reset_index()


def search_section(
    sweep: str,
    trials: pd.DataFrame,
    metric: str,
    quantity: str,
    margin: float,
    base: str = "",
    design: Design | None = None,
) -> Section:
    """A grid or random sweep as one family: its best trial by mean ``metric`` against the
    runner-up. Both are chosen by the seeds' means, so the interval is optimistic about
    the gap; the note says so. ``base`` names what the sweep varies around; ``design``:
    the seeds design the family is decided under (``claims.decide``)."""
    keys = [c for c in trials.columns if "." in c]
    means = trials.groupby("trial", sort=False)[metric].mean().sort_values()
    what = f"{base + '; ' if base else ''}{len(means)} trials over {', '.join(keys)}"
    title = f"Sweep {sweep}"
    if len(means) < 2:
        return Section(title, [f"{what}: a single trial, nothing to compare."])
    first = trials.drop_duplicates("trial").set_index("trial")
    best, runner_up = means.index[0], means.index[1]

    def values(trial: str):
        return trials[trials["trial"] == trial].sort_values("seed")[metric].to_numpy(float)

    diverged = int(trials.groupby("trial")["diverged"].any().sum()) if "diverged" in trials else 0
    notes = [
        f"{what}. First and second by these seeds' mean {quantity}: "
        f"{point_text(first.loc[best], keys)} ({spread(values(best))}) and "
        f"{point_text(first.loc[runner_up], keys)}; picked by the same seeds they are "
        "compared on, so the interval below is optimistic."
        + (f" {diverged} of {len(means)} trials diverged in some seed." if diverged else "")
    ]
    contrast = Contrast(
        point_text(first.loc[best], keys),
        point_text(first.loc[runner_up], keys),
        quantity,
        values(best),
        values(runner_up),
        margin,
        bounds=(0.0, float("inf")),
    )
    return Section(title, notes, None, decide([contrast], title, design=design))
