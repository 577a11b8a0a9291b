"""Part (e): which widths memorise their training points (a rule fixed before the run),
and whether memorising costs generalisation: the memorising width's held-out MSE against
the linear model of the same points, against the width chosen on the validation points,
and against itself at the epoch chosen on the validation points (never on the held-out)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aeflow.autoencoder.capacity import MEMORISED_SHARE
from aeflow.autoencoder.findings.common import has, paired, section, set_aside, table
from aeflow.core.claims import WINNER, Contrast
from aeflow.core.margins import Margins
from aeflow.core.numbers import number, share
from aeflow.core.report import Section

MEMORISES = "Part (e): memorisation"
COST = "Part (e): does memorising cost generalisation"


def capacity(per_seed: pd.DataFrame, margins: Margins) -> list[Section]:
    rows = per_seed[per_seed["role"] == "capacity"]
    if rows.empty:
        return []
    sizes = rows["n_train"].dropna().unique() if has(rows, "n_train") else [None]
    found = []
    for n in sizes:
        part = rows if n is None else rows[rows["n_train"] == n]
        found += _size(part, margins, "" if n is None else f", {int(n)} training points")
    return found


def _size(rows: pd.DataFrame, margins: Margins, where: str) -> list[Section]:
    rows = rows.assign(name=rows["width"].map(lambda w: f"w={int(w)}")).sort_values("width")
    names = list(dict.fromkeys(rows["name"]))
    flags = set_aside(rows, "name")
    train, test = paired(rows, "train_mse", "name"), paired(rows, "test_mse", "name")
    notes = [_protocol(rows)]
    contrasts = []
    if has(rows, "constant_mse"):
        decades = np.log10(train / paired(rows, "constant_mse", "name"))
        contrasts = [
            Contrast(
                name,
                "the memorised level",
                "log10 of training MSE / constant's",
                decades[name],
                float(np.log10(MEMORISED_SHARE)),
                margins.of("decades"),
                lower_is_better=None,
                set_aside=flags[name].to_numpy(),
            )
            for name in names
        ]
        notes.append(
            f"Memorised: training MSE below {share(MEMORISED_SHARE)} of the constant "
            "reconstruction's (an RMS error of about 3% of the points' spread), a level "
            "fixed before the run; compared on a log scale."
        )
    memorise = section(
        f"{MEMORISES}{where}",
        contrasts,
        notes,
        _shown(rows, names, train, test),
        design=margins.design,
    )
    memorise.figure = "capacity"
    decided = [c.subject for c in memorise.claims if c.verdict == WINNER and c.effect < 0]
    # Where no width is decided below the level, (ii) still asks its question of the
    # widest width below it on average, and says so.
    on_average = [c.subject for c in memorise.claims if c.effect < 0]
    note = (
        "(memorises, decided above)"
        if decided
        else "(below the memorised level on average; not decided at these seeds, above)"
    )
    return [memorise, *_cost(rows, decided or on_average, note, train, test, flags, margins, where)]


def _cost(rows, memorising, note, train, test, flags, margins, where) -> list[Section]:
    """(ii) at the widest memorising width."""
    if not memorising:
        return [
            section(
                f"{COST}{where}",
                [],
                ["No width reaches the memorised level, even on average: (ii) is not tested."],
                design=margins.design,
            )
        ]
    wide = memorising[-1]
    keep = flags[wide].to_numpy()
    contrasts = []
    notes = [f"{wide}: the widest width that memorises {note}."]

    def held_out(subject: str, reference: str, a, b, left_out=keep) -> Contrast:
        return Contrast(
            subject, reference, "held-out MSE", a, b, margins.of("mse", b),
            bounds=(0.0, np.inf), set_aside=left_out,
        )  # fmt: skip

    if has(rows, "pca_fit_test_mse"):
        linear = paired(rows, "pca_fit_test_mse", "name")[wide]
        contrasts.append(held_out(wide, "the linear model of the same points", test[wide], linear))
    if has(rows, "validation_mse"):
        validation = paired(rows, "validation_mse", "name")
        chosen = str(validation.mean().idxmin())
        notes.append(f"Chosen on the validation points (lowest mean validation MSE): {chosen}.")
        if chosen != wide:
            contrasts.append(
                held_out(
                    wide,
                    f"{chosen} (chosen on validation)",
                    test[wide],
                    test[chosen],
                    keep | flags[chosen].to_numpy(),
                )
            )
    if has(rows, "test_at_best_validation"):
        early = paired(rows, "test_at_best_validation", "name")[wide]
        contrasts.append(
            held_out(
                f"{wide} at the end",
                f"{wide} at its epoch chosen on validation",
                test[wide],
                early,
            )
        )
    return [section(f"{COST}{where}", contrasts, notes, design=margins.design)]


def _protocol(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    base = str(first["label"]).split(",")[0]
    if not has(rows, "schedule"):
        return f"{base}'s architecture with hidden [w, w], trained as {base}."
    text = (
        f"{base} at hidden [w, w] on the first {int(first['n_train'])} training points: "
        f"{first['optimizer']}, lr {number(first['learning_rate'])} ({first['schedule']}), "
        f"batch {int(first['batch_size'])}, at most {int(first['epochs']):,} epochs"
    )
    if first["stop_window"]:
        text += (
            "; a job's block of seeds stops once each one's best training MSE improved by "
            f"less than "
            f"{share(first['stop_tolerance'])} over {int(first['stop_window']):,} epochs"
        )
    if has(rows, "stop_epoch"):
        stops = rows.groupby("name", sort=False)["stop_epoch"].max()
        text += "; stopped at epoch " + ", ".join(f"{n} {int(e):,}" for n, e in stops.items())
    return text + "."


def _shown(rows, names, train, test) -> pd.DataFrame:
    columns = {"training MSE": train, "held-out MSE": test}
    if has(rows, "validation_mse"):
        columns["validation MSE"] = paired(rows, "validation_mse", "name")
    shown = table(columns)
    parameters = rows.drop_duplicates("name").set_index("name")["parameters"]
    shown.insert(1, "parameters", [int(parameters[name]) for name in names])
    return shown
