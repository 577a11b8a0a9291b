"""How sure a measured claim is, from per-seed values (NumPy only; both parts use it).

A claim "A beats B" is *resolved* only when every seed agrees and the seed ranges of the
two do not overlap; then the verdict names the winner. Otherwise the run does not resolve
it, and the wording must say so. With a single seed nothing is resolved: one draw cannot
tell an effect from the luck of the initial weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

A, B = "A", "B"
UNRESOLVED = None


def _std_format(fmt: str) -> str:
    """The std's format: no sign; two significant digits where ``fmt`` counts them."""
    fmt = fmt.lstrip("+")
    return ".2g" if fmt.endswith("g") else fmt


@dataclass(frozen=True)
class Spread:
    """Mean, standard deviation (ddof=0) and range of one quantity over seeds."""

    mean: float
    std: float
    low: float
    high: float
    seeds: int

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray) -> Spread:
        values = np.asarray(values, dtype=float).ravel()
        if values.size == 0:
            raise ValueError("no values")
        return cls(
            float(values.mean()),
            float(values.std()),
            float(values.min()),
            float(values.max()),
            int(values.size),
        )

    def text(self, fmt: str = ".3g") -> str:
        """'0.121 ± 0.0043': the mean in ``fmt``, the std to two significant digits (in
        ``fmt``'s kind, without its sign); one seed: just the value."""
        if self.seeds == 1:
            return format(self.mean, fmt)
        return f"{self.mean:{fmt}} ± {self.std:{_std_format(fmt)}}"

    def range_text(self, fmt: str = ".3g") -> str:
        """'0.121 ± 0.004, range 0.115-0.127' (one seed: just the value)."""
        if self.seeds == 1:
            return format(self.mean, fmt)
        return f"{self.text(fmt)}, range {self.low:{fmt}} to {self.high:{fmt}}"


@dataclass(frozen=True)
class Comparison:
    """A against B over seeds paired by seed (seed k of A with seed k of B)."""

    wins_a: int  # seeds where A is strictly better than B
    wins_b: int  # seeds where B is strictly better than A (ties count for neither)
    seeds: int
    a: Spread
    b: Spread
    overlap: bool  # the [min, max] ranges over seeds of A and B overlap
    lower_is_better: bool
    verdict: str | None  # 'A', 'B', or None: the run does not resolve the difference

    @property
    def resolved(self) -> bool:
        return self.verdict is not UNRESOLVED


def compare(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    lower_is_better: bool = True,
) -> Comparison:
    """Compare per-seed values of A and B, paired by seed (same length, same seed order).

    The verdict names a winner only if it is better in every seed, there are at least two
    seeds, and the two ranges over seeds do not overlap (touching counts as overlap).
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"need equally many per-seed values, got {a.size} and {b.size}")
    sign = 1.0 if lower_is_better else -1.0
    wins_a = int((sign * a < sign * b).sum())
    wins_b = int((sign * b < sign * a).sum())
    spread_a, spread_b = Spread.of(a), Spread.of(b)
    overlap = spread_a.low <= spread_b.high and spread_b.low <= spread_a.high
    n = a.size
    verdict = UNRESOLVED
    if n >= 2 and not overlap:
        verdict = A if wins_a == n else B if wins_b == n else UNRESOLVED
    return Comparison(wins_a, wins_b, n, spread_a, spread_b, overlap, lower_is_better, verdict)


def comparison_text(
    comparison: Comparison,
    name_a: str,
    name_b: str,
    quantity: str,
    fmt: str = ".3g",
    unit: str = "seeds",
) -> str:
    """One clause stating the effect with its spread and seed agreement, e.g.
    'ae2 < ae1 in held-out MSE in 5 of 5 seeds (0.121 ± 0.004 vs 0.149 ± 0.006)', or, when
    the run cannot tell, 'ae2 vs ae1 in held-out MSE: not resolved (...)'.

    The leader (by mean) is named first; '<' means better when lower is better, '>' else.
    """
    c = comparison
    first_is_a = (c.a.mean <= c.b.mean) == c.lower_is_better
    if c.a.mean == c.b.mean:
        first_is_a = c.wins_a >= c.wins_b
    lead, other = (name_a, name_b) if first_is_a else (name_b, name_a)
    lead_spread, other_spread = (c.a, c.b) if first_is_a else (c.b, c.a)
    wins = c.wins_a if first_is_a else c.wins_b
    numbers = f"{lead_spread.text(fmt)} vs {other_spread.text(fmt)}"
    symbol = "<" if c.lower_is_better else ">"
    if c.seeds == 1:
        return (
            f"{lead} {symbol} {other} in {quantity} ({numbers}) from 1 seed only; "
            "not resolved (one seed cannot separate the two)"
        )
    if c.resolved:
        return f"{lead} {symbol} {other} in {quantity} in {wins} of {c.seeds} {unit} ({numbers})"
    ties = c.seeds - c.wins_a - c.wins_b
    held = f"{lead} {symbol} {other} in {wins} of {c.seeds} {unit}" + (
        f", equal in {ties}" if ties else ""
    )
    why = [f"not in all {c.seeds} {unit}"] if wins < c.seeds else []
    why += ["their ranges over seeds overlap"] if c.overlap else []
    return f"{lead} vs {other} in {quantity}: not resolved ({held}; {numbers}; {', '.join(why)})"


@dataclass(frozen=True)
class Agreement:
    """A yes/no finding checked in every seed."""

    holds: int
    seeds: int

    @property
    def verdict(self) -> bool | None:
        """True if it holds in every seed, False if in none, None (not resolved) if the
        seeds disagree or there is only one."""
        if self.seeds < 2 or 0 < self.holds < self.seeds:
            return None
        return self.holds == self.seeds


def agreement(flags: Sequence[bool] | np.ndarray) -> Agreement:
    flags = np.asarray(flags, dtype=bool).ravel()
    if flags.size == 0:
        raise ValueError("no seeds")
    return Agreement(int(flags.sum()), int(flags.size))


def agreement_text(agreed: Agreement, statement: str, negation: str, unit: str = "seeds") -> str:
    """'<statement> in 5 of 5 seeds', '<negation> in 5 of 5 seeds', or, when the seeds
    disagree or there is one, 'not resolved: <statement> in 3 of 5 seeds'."""
    if agreed.verdict is True:
        return f"{statement} in {agreed.holds} of {agreed.seeds} {unit}"
    if agreed.verdict is False:
        return f"{negation} in {agreed.seeds} of {agreed.seeds} {unit}"
    if agreed.seeds == 1:
        single = statement if agreed.holds else negation
        return f"{single} from 1 seed only; not resolved (one seed)"
    return f"not resolved: {statement} in {agreed.holds} of {agreed.seeds} {unit}"
