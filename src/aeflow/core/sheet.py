"""The sheet's own claims, each judged on named rows of ``claims.csv`` (both parts).

A sheet claim expects an outcome of some rows: a named winner, a direction ("above" or
"below" a fixed value), or equivalence. Its verdict: **supported** when its rows show what
it expects (all of them, or any for an existence claim), **contradicted** when one shows
the opposite winner, **equivalent within ±m** when its rows are equivalent where it expects
a difference, **undetermined at n seeds** otherwise (with the seeds its rows would need),
or **not measured** (with the reason) when no row measures it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aeflow.core.claims import EQUIVALENT, NOT_COMPARED, UNDETERMINED, Claim
from aeflow.core.numbers import distinct, share

SUPPORTED, CONTRADICTED, NOT_MEASURED = "supported", "contradicted", "not measured"
SHEET_VERDICTS = (SUPPORTED, CONTRADICTED, EQUIVALENT, UNDETERMINED, NOT_MEASURED)
FAMILY = "sheet"
ABOVE, BELOW = "above", "below"


@dataclass(frozen=True)
class Expect:
    """What a sheet claim expects of one claim row: ``outcome`` is the name that should
    win, ``ABOVE``/``BELOW`` (for a row against a fixed value), or ``EQUIVALENT``."""

    row: Claim
    outcome: str


def _status(e: Expect) -> str:
    row = e.row
    if row.verdict == NOT_COMPARED:
        return NOT_MEASURED
    if row.verdict in (UNDETERMINED, EQUIVALENT):
        if e.outcome == EQUIVALENT and row.verdict == EQUIVALENT:
            return SUPPORTED
        return row.verdict
    if e.outcome in (ABOVE, BELOW):
        return SUPPORTED if (row.effect > 0) == (e.outcome == ABOVE) else CONTRADICTED
    if e.outcome == EQUIVALENT:
        return CONTRADICTED
    return SUPPORTED if row.winner == e.outcome else CONTRADICTED


def short(row: Claim) -> str:
    """'ae2 < ae1 in held-out MSE by 0.019 (CI 0.0026 to 0.035)'-like, for the table."""
    if row.verdict == NOT_COMPARED:
        return f"{row.subject} vs {row.reference}: not compared"
    values = [row.effect, row.ci_low, row.ci_high]
    texts = [share(v) for v in values] if row.percent else distinct(values)
    return (
        f"{row.subject} - {row.reference} = {texts[0]} ({texts[1]} to {texts[2]}): "
        f"{row.verdict}" + (f", {row.winner}" if row.winner else _side(row))
    )


def _side(row: Claim) -> str:
    """', above' / ', below' for a decided row against a fixed value."""
    if row.verdict != "winner" or row.lower_is_better is not None:
        return ""
    return ", above" if row.effect > 0 else ", below"


def judge(
    statement: str,
    part: str,
    expects: Sequence[Expect],
    mode: str = "all",
    missing: str = "no row measures it",
) -> Claim:
    """One sheet claim's row (family ``sheet``): ``statement`` in a few words, ``part``
    its place in the sheet; ``mode`` 'all' or 'any' of ``expects`` must hold."""
    statuses = [_status(e) for e in expects]
    measured = [s for s in statuses if s != NOT_MEASURED]
    needed = [
        e.row.seeds_needed for e, s in zip(expects, statuses, strict=True) if s == UNDETERMINED
    ]
    if not measured:
        verdict = NOT_MEASURED
    elif mode == "any" and SUPPORTED in measured:
        verdict = SUPPORTED
    elif (mode == "any" and all(s == CONTRADICTED for s in measured)) or (
        mode == "all" and CONTRADICTED in measured
    ):
        verdict = CONTRADICTED
    elif mode == "all" and all(s == SUPPORTED for s in measured):
        verdict = SUPPORTED
    elif all(s == EQUIVALENT for s in measured):
        verdict = EQUIVALENT
    else:
        verdict = UNDETERMINED
    if mode == "any" and verdict == SUPPORTED:  # an existence claim: the rows that show it
        expects = [e for e, s in zip(expects, statuses, strict=True) if s == SUPPORTED]
    text = "; ".join(f"{e.row.id}: {short(e.row)}" for e in expects) or "—"
    seeds = max((e.row.seeds for e in expects), default=0)
    need = [n for n in needed if not math.isnan(n)]
    detail = verdict
    if verdict == UNDETERMINED:
        detail = f"undetermined at {seeds} seeds" + (
            f" (about {int(max(need))} would decide it)" if need and np.isfinite(max(need)) else ""
        )
    if verdict == EQUIVALENT:
        margins = sorted({e.row.margin for e in expects})
        detail = "equivalent within ±" + "/".join(distinct(margins))
    if verdict == NOT_MEASURED:
        detail = f"not measured: {missing}"
    return Claim(
        family=FAMILY,
        subject=f"{part}: {statement}",
        reference=";".join(e.row.id for e in expects),
        metric="",
        seeds=seeds,
        set_aside=0,
        effect=float("nan"),
        ci_low=float("nan"),
        ci_high=float("nan"),
        p=float("nan"),
        p_adjusted=float("nan"),
        margin=float("nan"),
        verdict=verdict,
        sentence=f"{part}, the sheet says {statement!r}: {detail}. Measured: {text}",
        seeds_needed=max(need) if need else float("nan"),
    )


def not_measured(statement: str, part: str, reason: str) -> Claim:
    return judge(statement, part, [], missing=reason)


def table_rows(claims: Sequence[Claim]) -> list[dict]:
    """The summary's top table: the sheet says | this run measured | verdict."""
    rows = []
    for c in claims:
        part, _, statement = c.subject.partition(": ")
        # The sentence is judge's: '<part>, the sheet says '<statement>': <verdict>.
        # Measured: <rows>'; the known prefix is cut off, whatever the statement holds.
        prefix = f"{part}, the sheet says {statement!r}: "
        verdict, _, measured = c.sentence.removeprefix(prefix).partition(". Measured: ")
        rows.append(
            {
                "part": part,
                "the sheet says": statement,
                "this run measured": measured,
                "verdict": verdict,
            }
        )
    return rows
