"""How sure a measured claim is, from per-seed values (NumPy and scipy.stats; both parts).

The decision rule, stated once (``RULE``; the README and each summary's header repeat it):

* Two runs are compared **paired by seed**: seed k of A with seed k of B (the same initial
  draws where the settings allow, the same data sample).
* The **effect** is the mean over seeds of the paired differences, with a 95% confidence
  interval from Student's t on those differences (n - 1 degrees of freedom). The paired t
  interval is the standard one for a few paired measurements; it uses the pairing (the
  seed-to-seed scatter both runs share cancels) and it narrows as seeds are added, so more
  seeds can only sharpen a real effect, never un-resolve it.
* The comparisons one sentence group makes (one summary section, one sweep) form a
  **family**; within it, p-values are adjusted by Holm's step-down method and each interval
  is widened to its Holm step's level (1 - 0.05 / (m - i) for the i-th smallest p-value of
  m), so that the chance of naming any false winner in the family stays at or below 5%.
* A **winner** is named only when its adjusted p-value is at most 0.05 (its widened
  interval excludes zero). The count of seeds in which the winner is better ("lower in 5
  of 5 seeds") is extra information, not part of the rule. One seed resolves nothing.
* A run with a **non-finite value** (a diverged replica) in any seed is not compared and
  not ranked: the sentence says in how many seeds it diverged.
* A replica that **did not train** (``failed``: its final loss within ``FAILED_MARGIN`` of
  its untrained reference) is named and counted; it is left out of comparisons by dropping
  its seed from both runs of the pair (``Contrast.left_out``), so that one failed
  replica neither hides nor fakes an effect among the replicas that trained. Where that
  would leave no seed (one run or both failed in every seed), every seed is compared as
  measured, and the sentence says so instead of naming seeds left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats

A, B = "A", "B"
UNRESOLVED = None
ALPHA = 0.05
FAILED_MARGIN = 0.1
RULE = (
    "Comparisons are paired by seed. The effect is the mean paired difference with a 95% "
    "Student-t interval; within each family of comparisons (one section, one sweep) "
    "p-values are Holm-adjusted and intervals widened to match ('adjusted 95% CI'). A "
    "winner is named only when that interval excludes zero; 'lower in k of n seeds' is "
    "extra information. A run that diverged in any seed is not compared or ranked; a "
    "replica that did not train is named and its seed left out of that comparison (if that "
    "would leave none, all are compared as measured, and the sentence says so)."
)


def _std_format(fmt: str) -> str:
    """The std's format: no sign; two significant digits where ``fmt`` counts them."""
    fmt = fmt.lstrip("+")
    return ".2g" if fmt.endswith("g") else fmt


@dataclass(frozen=True)
class Spread:
    """Mean, standard deviation (ddof=0), range and median of one quantity over seeds."""

    mean: float
    std: float
    low: float
    high: float
    seeds: int
    median: float = float("nan")

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
            float(np.median(values)),
        )

    def text(self, fmt: str = ".3g") -> str:
        """'0.121 ± 0.0043': the mean in ``fmt``, the std to two significant digits (in
        ``fmt``'s kind, without its sign); one seed: just the value."""
        if self.seeds == 1:
            return format(self.mean, fmt)
        return f"{self.mean:{fmt}} ± {self.std:{_std_format(fmt)}}"

    def range_text(self, fmt: str = ".3g") -> str:
        """'0.121 ± 0.004, range 0.115 to 0.127' (one seed: just the value)."""
        if self.seeds == 1:
            return format(self.mean, fmt)
        return f"{self.text(fmt)}, range {self.low:{fmt}} to {self.high:{fmt}}"

    def median_text(self, fmt: str = ".3g") -> str:
        """'median 0.153, range 0.121 to 0.853': for values with failed replicas, where a
        mean describes none of them."""
        if self.seeds == 1:
            return format(self.mean, fmt)
        return f"median {self.median:{fmt}}, range {self.low:{fmt}} to {self.high:{fmt}}"


@dataclass(frozen=True)
class Comparison:
    """A against B over seeds paired by seed (seed k of A with seed k of B)."""

    wins_a: int  # seeds where A is strictly better than B
    wins_b: int  # seeds where B is strictly better than A (ties count for neither)
    seeds: int
    a: Spread
    b: Spread
    lower_is_better: bool
    difference: float  # mean over seeds of a - b
    low: float  # confidence interval of ``difference`` at ``level``
    high: float
    p_value: float  # two-sided paired t, unadjusted
    adjusted_p: float  # Holm-adjusted within its family (= p_value in a family of one)
    level: float  # confidence of [low, high]: 0.95, or the Holm step's level
    family: int  # comparisons in the family
    diverged_a: int  # seeds with a non-finite value: then nothing is compared
    diverged_b: int
    verdict: str | None  # 'A', 'B', or None: the run does not resolve the difference
    differences: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    @property
    def resolved(self) -> bool:
        return self.verdict is not UNRESOLVED

    @property
    def diverged(self) -> bool:
        return bool(self.diverged_a or self.diverged_b)


def _interval(d: np.ndarray, level: float) -> tuple[float, float]:
    n = d.size
    if n < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)
    return float(d.mean() - half), float(d.mean() + half)


def _p_value(d: np.ndarray) -> float:
    n = d.size
    if n < 2:
        return 1.0
    se = d.std(ddof=1) / np.sqrt(n)
    if se == 0:  # every seed differs by the same amount
        return 0.0 if d.mean() != 0 else 1.0
    return float(2 * stats.t.sf(abs(d.mean()) / se, n - 1))


def _verdict(c: Comparison) -> str | None:
    if c.seeds < 2 or c.diverged or c.adjusted_p > ALPHA or c.difference == 0:
        return UNRESOLVED
    a_better = (c.difference < 0) == c.lower_is_better
    return A if a_better else B


def compare(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    lower_is_better: bool = True,
) -> Comparison:
    """Compare per-seed values of A and B, paired by seed (same length, same seed order),
    as a family of one; ``holm`` adjusts several for their number."""
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"need equally many per-seed values, got {a.size} and {b.size}")
    diverged_a, diverged_b = int((~np.isfinite(a)).sum()), int((~np.isfinite(b)).sum())
    sign = 1.0 if lower_is_better else -1.0
    with np.errstate(invalid="ignore"):
        d = a - b
        wins_a = int((sign * d < 0).sum())
        wins_b = int((sign * d > 0).sum())
    nan = float("nan")
    finite = not (diverged_a or diverged_b)
    low, high = _interval(d, 1 - ALPHA) if finite else (nan, nan)
    p = _p_value(d) if finite else nan
    comparison = Comparison(
        wins_a,
        wins_b,
        a.size,
        Spread.of(a),
        Spread.of(b),
        lower_is_better,
        float(d.mean()) if finite else nan,
        low,
        high,
        p,
        p,
        1 - ALPHA,
        1,
        diverged_a,
        diverged_b,
        UNRESOLVED,
        d,
    )
    return replace(comparison, verdict=_verdict(comparison))


def holm(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The comparisons of one family, Holm-adjusted (same order as given).

    Sorted by p-value, the i-th (0-based) of m tested comparisons gets the adjusted p-value
    max over j <= i of min(1, (m - j) p_j), and its interval the level 1 - ALPHA / (m - i).
    Comparisons with a diverged run are not tested and do not count in m.
    """
    tested = [i for i, c in enumerate(comparisons) if not c.diverged]
    m = len(tested)
    order = sorted(tested, key=lambda i: comparisons[i].p_value)
    adjusted = list(comparisons)
    running = 0.0
    for step, i in enumerate(order):
        c = comparisons[i]
        running = max(running, min(1.0, (m - step) * c.p_value))
        level = 1 - ALPHA / (m - step)
        low, high = _interval(c.differences, level)
        new = replace(c, adjusted_p=running, level=level, family=m, low=low, high=high)
        adjusted[i] = replace(new, verdict=_verdict(new))
    return adjusted


def family(
    pairs: Sequence[tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray]],
    lower_is_better: bool = True,
) -> list[Comparison]:
    """``compare`` every (a, b) pair, then ``holm`` over them: one family."""
    return holm([compare(a, b, lower_is_better) for a, b in pairs])


def _effect(c: Comparison, first_is_a: bool) -> tuple[float, float, float]:
    """The effect as 'how much better the first-named run is' (positive when it leads),
    with its interval."""
    # a - b < 0 is A better when lower is better: flip so that 'better' is positive.
    sign = -1.0 if c.lower_is_better else 1.0
    if not first_is_a:
        sign = -sign
    low, high = sorted((sign * c.low, sign * c.high))
    return sign * c.difference + 0.0, low + 0.0, high + 0.0  # + 0.0: no '-0'


def _names(c: Comparison, name_a: str, name_b: str) -> tuple[bool, str, str]:
    if c.verdict is not UNRESOLVED:
        first_is_a = c.verdict == A
    elif np.isfinite(c.difference) and c.difference != 0:
        first_is_a = (c.difference < 0) == c.lower_is_better
    else:
        first_is_a = c.wins_a >= c.wins_b
    return first_is_a, *((name_a, name_b) if first_is_a else (name_b, name_a))


def comparison_text(
    comparison: Comparison,
    name_a: str,
    name_b: str,
    quantity: str,
    fmt: str = ".2g",
    unit: str = "seeds",
) -> str:
    """One short clause: the effect, its interval and the seeds' agreement, e.g.
    'ae2 < ae1 in held-out MSE by 0.019 (95% CI 0.0092 to 0.029; lower in 5 of 5 seeds)',
    or 'not resolved: ae2 vs ae1 in held-out MSE differ by 0.004 (95% CI -0.012 to 0.02;
    ae2 lower in 3 of 5 seeds)'. The better run by the mean is named first; '<' means
    better when lower is better, '>' else. Intervals of a family of several are labelled
    'adjusted'."""
    c = comparison
    if c.diverged:
        parts = [
            f"{name} diverged in {k} of {c.seeds} {unit}"
            for name, k in ((name_a, c.diverged_a), (name_b, c.diverged_b))
            if k
        ]
        return f"{' and '.join(parts)}: not compared in {quantity}"
    first_is_a, lead, other = _names(c, name_a, name_b)
    symbol = "<" if c.lower_is_better else ">"
    better = "lower" if c.lower_is_better else "higher"
    if c.seeds == 1:
        values = (
            f"{c.a.mean:{fmt}} vs {c.b.mean:{fmt}}"
            if first_is_a
            else (f"{c.b.mean:{fmt}} vs {c.a.mean:{fmt}}")
        )
        return (
            f"{lead} {symbol} {other} in {quantity} ({values}) from 1 seed only; "
            "not resolved (one seed cannot separate the two)"
        )
    effect, low, high = _effect(c, first_is_a)
    wins = c.wins_a if first_is_a else c.wins_b
    ties = c.seeds - c.wins_a - c.wins_b
    agree = f"{better} in {wins} of {c.seeds} {unit}" + (f", equal in {ties}" if ties else "")
    ci = f"{'adjusted ' if c.family > 1 else ''}95% CI {low:{fmt}} to {high:{fmt}}"
    if c.resolved:
        return f"{lead} {symbol} {other} in {quantity} by {effect:{fmt}} ({ci}; {agree})"
    return (
        f"not resolved: {lead} vs {other} in {quantity} differ by {effect:{fmt}} "
        f"({ci}; {lead} {agree})"
    )


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


def failed(
    final: Sequence[float] | np.ndarray,
    untrained: Sequence[float] | np.ndarray,
    margin: float = 0.1,
) -> np.ndarray:
    """Per replica: True where it failed, i.e. diverged (non-finite final loss) or did not
    train (final loss above ``(1 - margin)`` x its untrained reference loss)."""
    final = np.asarray(final, dtype=float)
    untrained = np.asarray(untrained, dtype=float)
    with np.errstate(invalid="ignore"):
        return ~np.isfinite(final) | (final > (1 - margin) * untrained)


@dataclass(frozen=True)
class Contrast:
    """One comparison a summary states: per-seed values of two runs (paired by position),
    and per seed whether either failed to train (those seeds are left out)."""

    name_a: str
    name_b: str
    quantity: str
    a: Sequence[float] | np.ndarray
    b: Sequence[float] | np.ndarray
    lower_is_better: bool = True
    fmt: str = ".2g"
    unit: str = "seeds"
    left_out: Sequence[bool] | np.ndarray | None = None

    def _flags(self) -> np.ndarray:
        if self.left_out is None:
            return np.zeros(0, dtype=bool)
        return np.asarray(self.left_out, dtype=bool).ravel()

    def compare(self) -> Comparison:
        a, b = np.asarray(self.a, dtype=float), np.asarray(self.b, dtype=float)
        if self.dropped:
            keep = ~self._flags()
            a, b = a[keep], b[keep]
        return compare(a, b, self.lower_is_better)

    @property
    def none_trained(self) -> bool:
        """True when every seed is flagged: then none is left out (nothing would remain)
        and all are compared as measured."""
        flags = self._flags()
        return bool(flags.size and flags.all())

    @property
    def dropped(self) -> int:
        """Seeds actually left out of the comparison (0 when every seed is flagged)."""
        return 0 if self.none_trained else int(self._flags().sum())


def contrast_texts(contrasts: Sequence[Contrast]) -> list[tuple[Comparison, str]]:
    """Every contrast of one family compared, Holm-adjusted together, and worded."""
    comparisons = holm([c.compare() for c in contrasts])
    texts = []
    for contrast, comparison in zip(contrasts, comparisons, strict=True):
        text = comparison_text(
            comparison,
            contrast.name_a,
            contrast.name_b,
            contrast.quantity,
            contrast.fmt,
            contrast.unit,
        )
        if contrast.dropped:
            text += (
                f"; {contrast.dropped} seed{'s' * (contrast.dropped > 1)} left out (did not train)"
            )
        elif contrast.none_trained:
            text += "; none left out: each seed has a run that did not train"
        texts.append((comparison, text))
    return texts
