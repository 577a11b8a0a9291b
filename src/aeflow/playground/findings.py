"""The Playground's findings as claims (``core.claims``): per one-at-a-time sweep a family
of every value against the baseline, in test loss and in what the sweep is about (speed,
stability, weights, redundancy); and the sheet's bonus claims judged on those rows.
pandas/NumPy only."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aeflow.core.claims import Claim, Contrast, decide, with_ids
from aeflow.core.margins import Margins
from aeflow.core.numbers import cell, count, modes, spread
from aeflow.core.report import Section
from aeflow.core.sheet import ABOVE, Expect, judge, not_measured, table_rows
from aeflow.core.twostage import Design
from aeflow.playground.runs import BASELINE

# Sweeps whose values change the data set, and with it the test set: no ranking on it.
OWN_TEST_SETS = ("data.noise", "data.train_ratio")
# metric -> (words, margin kind, lower is better, percent): what each sweep also compares.
EXTRA = {
    "epochs_to_level": ("epochs to reach the loss level", "time", True, False),
    "loss_rises": ("epochs whose training loss rose", "rises", True, False),
    "largest_rise": ("largest rise of the training loss", "rise", True, False),
    "mean_abs_weight": ("mean |w|", "weight", True, False),
    "near_zero_weights": ("share of weights below 1e-3", "share", False, True),
    "redundant_pairs": ("share of unit pairs alike (|corr| > 0.95)", "share", True, True),
}
ABOUT = {  # sweep key -> the extra metrics its family compares
    "training.learning_rate": ("epochs_to_level", "loss_rises", "largest_rise"),
    "model.activation": ("epochs_to_level",),
    "model.hidden": ("epochs_to_level", "loss_rises"),
    "training.regularization": ("mean_abs_weight", "near_zero_weights", "redundant_pairs"),
}


def seed_values(per_seed: pd.DataFrame, trial: str, metric: str) -> np.ndarray:
    """Per-seed values of ``metric`` for ``trial``, in seed order."""
    chosen = per_seed[per_seed["trial"] == trial].sort_values("seed")
    return chosen[metric].to_numpy(dtype=float)


def findings(
    table: pd.DataFrame,
    per_seed: pd.DataFrame,
    epochs: int,
    margins: Mapping | None = None,
    design: Design | None = None,
) -> tuple[list[Section], list[Claim]]:
    """The sheet's claims (a table), one section per one-at-a-time sweep, and every claim
    row with its id, decided under the seeds ``design``. ``table``: the summary's rows of
    the one-at-a-time sweeps; ``epochs``: the baseline's, where a level not reached is
    counted (censored)."""
    margin = Margins(margins, design)
    sections = [
        _sweep(sweep, rows, per_seed, epochs, margin)
        for sweep, rows in table[table["sweep"] != BASELINE].groupby("sweep", sort=False)
        if len(rows) >= 2
    ]
    numbered = with_ids([c for s in sections for c in s.claims])
    rows = iter(numbered)
    for s in sections:
        s.claims = [next(rows) for _ in s.claims]
    sheet = with_ids(_sheet(sections, table))
    top = Section(
        "The sheet's claims (bonus) and this run's verdicts", [], pd.DataFrame(table_rows(sheet))
    )
    return [top, *sections], [*sheet, *numbered]


def _label(row) -> str:
    return str(row.value) + (" (baseline)" if row.trial == BASELINE else "")


def _sweep(sweep, rows, per_seed, epochs, margins: Margins) -> Section:
    points = rows.drop_duplicates("trial")
    key = points["key"].iloc[0]
    labels = {row.trial: _label(row) for row in points.itertuples()}
    if BASELINE not in labels:
        labels[BASELINE] = "baseline"
    others = [t for t in points["trial"] if t != BASELINE]

    def values(trial: str, metric: str) -> np.ndarray:
        v = seed_values(per_seed, trial, metric)
        if metric == "epochs_to_level":
            reached = np.isfinite(seed_values(per_seed, trial, "test_loss"))
            v = np.where(np.isnan(v) & reached, float(epochs), v)  # censored at the cap
        if "diverged" in per_seed:
            v = np.where(seed_values(per_seed, trial, "diverged") > 0, np.nan, v)
        return v

    def dead(trial: str) -> np.ndarray:
        if "dead_network" not in per_seed:
            return np.zeros(len(values(trial, "test_loss")), dtype=bool)
        return seed_values(per_seed, trial, "dead_network") > 0

    contrasts = []
    notes = []
    if key in OWN_TEST_SETS:
        notes.append(
            "Each value draws its own data set (noisier points or another split), so its "
            "test loss is measured on its own test set: the values are not ranked against "
            "each other."
        )
    else:
        base = values(BASELINE, "test_loss")
        contrasts += [
            Contrast(
                labels[t],
                labels[BASELINE],
                "test loss",
                values(t, "test_loss"),
                base,
                margins.of("test_loss", base[np.isfinite(base)]),
                bounds=(0.0, np.inf),
                set_aside=dead(t) | dead(BASELINE),
            )
            for t in others
        ]
    for metric in ABOUT.get(key, ()):
        if metric not in per_seed:
            continue
        words, kind, lower, percent = EXTRA[metric]
        base = values(BASELINE, metric)
        contrasts += [
            Contrast(
                labels[t],
                labels[BASELINE],
                words,
                values(t, metric),
                base,
                margins.of(kind, base[np.isfinite(base)]),
                lower_is_better=lower,
                bounds=(0.0, np.inf),
                percent=percent,
                set_aside=dead(t) | dead(BASELINE),
            )
            for t in others
        ]
    if key == "training.regularization" and "redundant_pairs" in per_seed:
        # The sheet expects many alike units without regularisation: the baseline's share.
        contrasts.append(
            Contrast(
                labels[BASELINE],
                "0",
                EXTRA["redundant_pairs"][0],
                values(BASELINE, "redundant_pairs"),
                0.0,
                margins.of("share"),
                lower_is_better=None,
                bounds=(0.0, 1.0),
                percent=True,
                set_aside=dead(BASELINE),
            )
        )
    if "epochs_to_level" in ABOUT.get(key, ()):
        notes.append(
            f"Epochs to reach the loss level: a seed that never reaches it counts as "
            f"{epochs:,} (the run's length), so an effect against it is a lower bound."
        )
    notes += _modes(points, per_seed, labels)
    return Section(
        f"Sweep {sweep} ({key})",
        notes,
        _table(points, per_seed, labels, epochs),
        _decided(contrasts, f"Sweep {sweep}", margins.design),
        figure="playground_sweeps",
    )


def _decided(contrasts, family, design) -> list[Claim]:
    return decide(contrasts, family, design=design) if contrasts else []


def _modes(points, per_seed, labels) -> list[str]:
    """Where a trial's seeds split (stuck and trained), say so: its mean is one seed's."""
    notes = []
    for trial in points["trial"]:
        loss = seed_values(per_seed, trial, "train_loss")
        split = modes(loss)
        if split is not None:
            notes.append(
                f"{labels[trial]}: seeds split, {count(len(split[1]), len(loss))} stuck at a "
                f"training loss of {spread(split[1])}; test loss "
                + spread(seed_values(per_seed, trial, "test_loss"))
            )
    return notes


def _table(points, per_seed, labels, epochs: int) -> pd.DataFrame:
    rows = []
    for trial in points["trial"]:
        row = {"value": labels[trial], "seeds": len(seed_values(per_seed, trial, "test_loss"))}
        if "diverged" in per_seed:
            row["diverged"] = int((seed_values(per_seed, trial, "diverged") > 0).sum())
        for name, metric, percent in (
            ("test loss", "test_loss", False),
            ("test accuracy", "test_accuracy", True),
            ("epochs to level", "epochs_to_level", False),
            ("mean |w|", "mean_abs_weight", False),
        ):
            if metric not in per_seed:
                continue
            v = seed_values(per_seed, trial, metric)
            if metric == "epochs_to_level":  # not reached: counted at the run's length
                v = np.where(np.isnan(v), float(epochs), v)
            if not np.isnan(v).all():
                row[f"{name} (mean ± SD)"] = cell(v, 3, percent)
        rows.append(row)
    return pd.DataFrame(rows)


def _find(sections, key, metric, subject) -> list[Claim]:
    return [
        c
        for s in sections
        if s.title.endswith(f"({key})")
        for c in s.claims
        if c.metric == metric and _same(c.subject.split(" (")[0], subject)
    ]


def _same(label: str, value: str) -> bool:
    """Sweep values as labels: '1' (read back from a CSV) is the value '1.0'."""
    try:
        return float(label) == float(value)
    except ValueError:
        return label == value


def _sheet(sections: list[Section], table: pd.DataFrame) -> list[Claim]:
    """The bonus's claims (sheet part 2a, 2b), each on named rows."""

    def rows(key, metric, *subjects):
        return [c for s in subjects for c in _find(sections, key, metric, s)]

    arch, lr, act, reg = (
        "model.hidden",
        "training.learning_rate",
        "model.activation",
        "training.regularization",
    )
    wider = rows(arch, "test loss", "[4, 4]", "[2, 2]")
    deeper = "[8, 8, 8]"
    claims = [
        not_measured(
            "a larger share of training points fits the data better",
            "bonus (a)",
            "each train ratio draws its own test set; their losses are not comparable",
        ),
        judge(
            "more neurons per layer are better (lower test loss)",
            "bonus (a)",
            [Expect(c, c.reference) for c in wider],
            missing="no narrower [w, w] architecture in the sweep",
        ),
        judge(
            "one added narrower layer raises the loss",
            "bonus (a)",
            [Expect(c, c.reference) for c in rows(arch, "test loss", "[8, 8, 4]")],
            missing="no architecture in the sweep adds a narrower layer to the baseline's",
        ),
        judge(
            "more than two layers give no advantage in test loss",
            "bonus (a)",
            [Expect(c, f"not {deeper}") for c in rows(arch, "test loss", deeper)],
            missing="no deeper architecture in the sweep",
        ),
        judge(
            "more than two layers train slower",
            "bonus (a)",
            [Expect(c, c.reference) for c in rows(arch, EXTRA["epochs_to_level"][0], deeper)],
            missing="no deeper architecture in the sweep",
        ),
        judge(
            "more than two layers train less stably (more loss rises)",
            "bonus (a)",
            [Expect(c, c.reference) for c in rows(arch, EXTRA["loss_rises"][0], deeper)],
            missing="no deeper architecture in the sweep",
        ),
        judge(
            "learning rates above 0.1 make large jumps in the loss",
            "bonus (a)",
            [Expect(c, c.reference) for c in rows(lr, EXTRA["largest_rise"][0], "0.3", "1.0")],
            missing="no learning rate above 0.1 in the sweep",
        ),
        judge(
            "learning rates below 0.1 train slower",
            "bonus (a)",
            [
                Expect(c, c.reference)
                for c in rows(lr, EXTRA["epochs_to_level"][0], "0.03", "0.01", "0.001")
            ],
            missing="no learning rate below 0.1 in the sweep",
        ),
        judge(
            "tanh and sigmoid are slow at the start (against ReLU)",
            "bonus (a)",
            [
                Expect(c, c.reference)
                for c in rows(act, EXTRA["epochs_to_level"][0], "tanh", "sigmoid")
            ],
            missing="no tanh or sigmoid in the sweep",
        ),
        judge(
            "without regularisation many hidden units are redundant (alike)",
            "bonus (b)",
            [
                Expect(c, ABOVE)
                for c in rows(reg, EXTRA["redundant_pairs"][0], "none")
                if c.reference == "0"
            ],
            missing="no unregularised trial in the regularisation sweep",
        ),
        judge(
            "L2 shrinks the weights",
            "bonus (b)",
            [Expect(c, c.subject) for c in rows(reg, EXTRA["mean_abs_weight"][0], "l2")],
            missing="no l2 in the regularisation sweep",
        ),
        judge(
            "L1 sets weights to zero",
            "bonus (b)",
            [Expect(c, c.subject) for c in rows(reg, EXTRA["near_zero_weights"][0], "l1")],
            missing="no l1 in the regularisation sweep",
        ),
    ]
    return claims
