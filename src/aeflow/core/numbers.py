"""How every number of a summary prints: one formatter for values, effects, intervals,
shares, counts and spreads over seeds (NumPy only).

Rules: no signed zero; a quantity that is not zero never prints as 0 (digits are added
until it does not, up to ``MAX_DIGITS``); an effect and its interval's bounds get enough
significant digits to differ; a spread names its statistic ("mean 0.12, SD 0.0043 over 5
seeds", the sample SD with n - 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

DIGITS = 2  # significant digits by default
MAX_DIGITS = 6
SPLIT_FACTOR = 10.0  # seeds split into two modes when sorted values jump by this factor


def number(value: float, digits: int = DIGITS) -> str:
    """``value`` to ``digits`` significant digits ('0.0043', '1,250', '2.9e-07'); a
    non-zero value never prints as zero, and zero never with a sign."""
    value = float(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if value.is_integer() and magnitude < 1e15:
        return f"{int(value):,}"
    if magnitude >= 1e4:
        return f"{value:,.0f}"
    for d in range(digits, MAX_DIGITS + 1):
        text = f"{value:.{d - 1}e}" if magnitude < 1e-4 else f"{value:.{d}g}"
        if "e" in text and magnitude >= 1:  # 'g' writes 1234.5 at 2 digits as 1.2e+03
            text = f"{value:,.0f}"
        if float(text.replace(",", "")) != 0:
            return text
    return text


def distinct(values: Sequence[float], digits: int = DIGITS) -> list[str]:
    """The values at the fewest significant digits (from ``digits``) at which the values
    that differ also print differently."""
    values = [float(v) for v in values]
    for d in range(digits, MAX_DIGITS + 1):
        texts = [number(v, d) for v in values]
        clash = any(
            texts[i] == texts[j] and values[i] != values[j]
            for i in range(len(values))
            for j in range(i + 1, len(values))
        )
        if not clash:
            return texts
    return texts


def interval(low: float, high: float, digits: int = DIGITS) -> str:
    """'0.0079 to 0.036'."""
    lo, hi = distinct([low, high], digits)
    return f"{lo} to {hi}"


def share(value: float, digits: int = DIGITS) -> str:
    """A share as a percentage to ``digits`` significant digits, '0.31%', '45%'; a
    non-zero share never prints as '0%'."""
    value = float(value)
    if math.isnan(value):
        return "n/a"
    return f"{number(100 * value, digits)}%"


def count(k: int, n: int, what: str = "seeds") -> str:
    """'3 of 5 seeds'."""
    return f"{int(k)} of {int(n)} {what}"


def events(values: Sequence[float] | np.ndarray, what: str = "", unit: str = "seeds") -> str:
    """Counts per seed as counts: '3 in 1 of 5 seeds', '12 in 3 of 5 seeds (most 9)',
    'none in 5 seeds'."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    label = f" {what}" if what else ""
    some = v[v > 0]
    if some.size == 0:
        return f"none in {v.size} {unit}"
    total = f"{int(some.sum()):,}{label} in {some.size} of {v.size} {unit}"
    return total if some.size == 1 else f"{total} (most {int(some.max()):,})"


def plural(k: int, word: str, many: str | None = None) -> str:
    """'1 seed', '3 seeds'."""
    return f"{int(k):,} {word if int(k) == 1 else (many or word + 's')}"


def modes(values: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where positive per-seed values split into two groups (sorted, one step up by at
    least ``SPLIT_FACTOR``): (low group, high group); else None."""
    v = np.sort(np.asarray(values, dtype=float).ravel())
    v = v[np.isfinite(v)]
    if v.size < 2 or (v <= 0).any():
        return None
    ratios = v[1:] / v[:-1]
    step = int(np.argmax(ratios))
    if ratios[step] < SPLIT_FACTOR:
        return None
    return v[: step + 1], v[step + 1 :]


def iqm(values: Sequence[float] | np.ndarray) -> float:
    """Interquartile mean (the mean of the middle half; rliable's summary for few runs)."""
    v = np.asarray(values, dtype=float).ravel()
    return float(stats.trim_mean(v, 0.25))


def spread(values: Sequence[float] | np.ndarray, digits: int = DIGITS, unit: str = "seeds") -> str:
    """'mean 0.12 (SD 0.0043, 5 seeds)'; one seed: the value; where the seeds split into
    modes, the median and the interquartile mean beside it and the two groups named."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    if v.size == 1:
        return f"{number(v[0], digits)} (1 {unit.rstrip('s')})"
    mean, sd = float(v.mean()), float(v.std(ddof=1))
    text = f"mean {number(mean, digits)} (SD {number(sd, digits)}, {v.size} {unit})"
    split = modes(v)
    if split is not None:
        low, high = split
        text += (
            f"; median {number(float(np.median(v)), digits)}, IQM {number(iqm(v), digits)}; "
            f"seeds split: {len(high)} of {v.size} at {_range(high, digits)}, "
            f"{len(low)} at {_range(low, digits)}"
        )
    return text


def _range(values: np.ndarray, digits: int) -> str:
    if values.min() == values.max():
        return number(values.min(), digits)
    return interval(values.min(), values.max(), digits)


def cell(values: Sequence[float] | np.ndarray, digits: int = 3, percent: bool = False) -> str:
    """A table cell: 'mean ± SD' (sample SD; the column header says so), or the value for
    one seed; 'median m' added where the seeds split into modes."""
    fmt = share if percent else number
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "n/a"
    if v.size == 1:
        return fmt(v[0], digits)
    text = f"{fmt(v.mean(), digits)} ± {fmt(v.std(ddof=1), 2)}"
    if modes(v) is not None:
        text += f" (median {fmt(float(np.median(v)), digits)})"
    return text
