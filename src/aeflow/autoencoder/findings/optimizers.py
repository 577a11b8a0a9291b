"""Part (h): the optimiser runs on the loss over the whole training set, at equal examples
seen and at equal updates; how soon each reaches 2x and 1.1x the best run's final loss
(not-reached seeds counted at the cap: a censored comparison); how often its loss rose."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.findings.common import (
    has,
    paired,
    pairwise,
    section,
    set_aside,
    stuck_notes,
    table,
)
from aeflow.autoencoder.optimizer_runs import LEVELS
from aeflow.core.margins import Margins
from aeflow.core.numbers import count, events, number
from aeflow.core.report import Section

LOSSES = "Part (h): optimisers at equal examples seen and at equal updates"
SPEED = "Part (h): examples to reach a level of the best run's final loss"
RISES = "Part (h): epochs in which the whole-set loss rose"


def _labelled(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.assign(label='"' + runs["label"] + '"')  # labels may hold commas


def optimizers(per_seed: pd.DataFrame, margins: Margins) -> list[Section]:
    runs = per_seed[per_seed["role"] == "optimizer run"].dropna(subset=["full_train_loss"])
    if runs["label"].nunique() < 2:
        return []
    runs = _labelled(runs)
    flags = set_aside(runs, "label")
    labels = list(dict.fromkeys(runs["label"]))
    examples = int(runs["matched_examples"].iloc[0])
    at = {f"training-set loss at {examples:,} examples": paired(runs, "full_train_loss", "label")}
    if has(runs, "updates_train_loss"):
        updates = int(runs["matched_updates"].iloc[0])
        at[f"training-set loss at {updates:,} updates"] = paired(
            runs, "updates_train_loss", "label"
        )
    contrasts = [
        c for what, values in at.items() for c in pairwise(values, what, "loss", margins, flags)
    ]
    notes = [*_rates(runs), *stuck_notes(runs, "label")]
    shown = table(
        {**at, f"held-out loss at {examples:,} examples": paired(runs, "full_test_loss", "label")}
    )
    found = [section(LOSSES, contrasts, notes, shown, figure="sgd_vs_gd", design=margins.design)]
    found += _speed(runs, labels, examples, flags, margins)
    found += _rises(runs, labels, flags, margins)
    return found


def _rates(runs: pd.DataFrame) -> list[str]:
    """Each run's updates per epoch and rate per example seen (lr / batch size)."""
    first = runs.drop_duplicates("label")
    return [
        "Updates per epoch and learning rate per example seen (lr / batch): "
        + "; ".join(
            f"{row.label} {int(row.updates_per_epoch)}, "
            f"{number(row.learning_rate / row.batch_size, 3)}"
            for row in first.itertuples()
        )
        + ". At equal updates, runs with equal learning rates take equal steps; at equal "
        "examples, runs with equal rates per example do."
    ]


def _speed(runs, labels, examples, flags, margins) -> list[Section]:
    """Examples to reach each level, not-reached seeds at the cap (``examples``): the
    difference is then a bound (the censored seed would need at least the cap)."""
    levels = [name for name in LEVELS if has(runs, f"examples_to_{name}")]
    if not levels:
        return []
    best = float(runs["best_final_loss"].iloc[0]) if has(runs, "best_final_loss") else np.nan
    contrasts, reached, capped = [], {}, {}
    for name in levels:
        times = paired(runs, f"examples_to_{name}", "label")
        reached[name] = times.notna().sum()
        capped[name] = times.fillna(float(examples))
        contrasts += pairwise(
            capped[name], f"examples to {name} the best final loss", "time", margins, flags,
            bounds=(0.0, float(examples)),
        )  # fmt: skip
    seeds = len(next(iter(capped.values())))
    notes = [
        f"Levels: {', '.join(LEVELS)} the best run's mean loss at {examples:,} examples"
        + (f" ({number(best, 3)})" if np.isfinite(best) else "")
        + f". A seed that does not reach a level by {examples:,} examples counts as "
        f"{examples:,}: its time is at least that, so an effect against it is a lower bound.",
        "Reached: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{run} {count(reached[name][run], seeds)}" for run in labels)
            for name in reached
        )
        + ".",
    ]
    shown = table({f"examples to {name}": capped[name] for name in capped})
    return [section(SPEED, contrasts, notes, shown, design=margins.design)]


def _rises(runs, labels, flags, margins) -> list[Section]:
    if not has(runs, "full_loss_rises"):
        return []
    rises = paired(runs, "full_loss_rises", "label")
    contrasts = pairwise(rises, "epochs with a rise of the whole-set loss", "count", margins, flags)
    epochs = runs.drop_duplicates("label").set_index("label")["epochs"]
    notes = [
        "Rises: epochs whose loss over the whole training set is above the epoch before, out "
        "of " + ", ".join(f"{run} {int(epochs[run]):,}" for run in labels) + " epochs."
    ]
    shown = pd.DataFrame(
        {"run": list(rises.columns), "rises": [events(rises[run]) for run in rises.columns]}
    )
    return [section(RISES, contrasts, notes, shown, design=margins.design)]
