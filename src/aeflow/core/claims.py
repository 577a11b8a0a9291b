"""Claims as data: per-seed values of two runs in, one row of ``claims.csv`` out, with one
of three verdicts (NumPy, scipy.stats, statsmodels; both parts).

The decision rule, stated once (``RULE``; each summary's header repeats it):

* Two runs are compared **paired by seed** (seed k of A with seed k of B). The effect is the
  mean of the paired differences A - B; a run may also be compared with a fixed value (a
  one-sample comparison, e.g. a gap against 0).
* The comparisons of one summary section form a **family** of m. Each gets a two-sided
  Student-t interval on its paired differences at level 1 - alpha/m (Bonferroni), so that
  all intervals of a family hold together with probability at least 1 - alpha
  (**simultaneous coverage**). Every verdict is read off that one interval, so a verdict
  and its printed interval never disagree. Why Bonferroni and not Holm: Holm's step-down
  decisions have no simultaneous intervals of the same form; reading winners and
  equivalence off Bonferroni intervals costs a little power and keeps one interval per
  claim that means what it says.
* **winner**: the interval excludes 0. **equivalent**: the interval lies inside
  (-margin, +margin), the margin set per metric in ``config.yaml`` before the run (two
  one-sided tests, each at alpha/(2m)). **undetermined**: neither; the row gives the seeds
  that would decide it at the observed spread. **not compared**: a run with a non-finite
  value in some seed (it diverged), or fewer than two seeds.
* A seed is **set aside** only by a criterion blind to the compared outcome (a dead
  network: no hidden unit active on any training point). Its sentence then also gives the
  effect with those seeds in. Slow or stuck seeds stay in and are described.
* A bounded quantity's interval is clipped to the range its difference can take.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from aeflow.core import twostage
from aeflow.core.numbers import distinct, number, plural, share
from aeflow.core.twostage import Design

ALPHA = 0.05
MAX_SEEDS_NEEDED = 1000
WINNER, EQUIVALENT, UNDETERMINED, NOT_COMPARED = (
    "winner",
    "equivalent",
    "undetermined",
    "not compared",
)
VERDICTS = (WINNER, EQUIVALENT, UNDETERMINED, NOT_COMPARED)
RULE = (
    "Comparisons are paired by seed; the effect is the mean paired difference. Within each "
    "section (a family of m comparisons) every interval is a Student-t interval at level "
    "1 - 0.05/m (Bonferroni): the intervals of a family hold together with 95% probability "
    "('95% simultaneous CI'). Verdicts are read off that interval: a winner when it excludes "
    "0; equivalent when it lies inside the metric's margin (+-m, set in config.yaml before "
    "the run); otherwise undetermined, with the seeds that would decide it at the observed "
    "spread. Seeds are chosen by the question (Stein's two-stage procedure, claims.design): "
    "each run's first seeds are a pilot, from whose spread alone each comparison is planned "
    "the seeds at which its interval's half-width would be at most half_width x its margin "
    "(up to a cap); seeds beyond the pilot are its second stage, and the interval then uses "
    "the pilot's SD and degrees of freedom. A run that "
    "diverged in a seed is not compared. Seeds are set aside only by a rule blind to the "
    "outcome (a dead network); slow seeds stay in."
)
INF = float("inf")


@dataclass(frozen=True)
class Contrast:
    """One comparison a summary states: per-seed values of ``subject`` against those of
    ``reference`` (paired by position), or against one fixed value."""

    subject: str
    reference: str
    metric: str
    a: Sequence[float] | np.ndarray
    b: Sequence[float] | np.ndarray | float
    margin: float  # absolute: "equivalent within +-margin"
    lower_is_better: bool | None = True  # None: no direction (the sentence says "differs")
    bounds: tuple[float, float] = (-INF, INF)  # the metric's own range
    set_aside: Sequence[bool] | np.ndarray | None = None  # per seed, by a blind criterion
    percent: bool = False  # shares print as percentages
    unit: str = "seeds"

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        a = np.asarray(self.a, dtype=float).ravel()
        b = np.broadcast_to(np.asarray(self.b, dtype=float), a.shape).astype(float).ravel()
        if a.size == 0 or a.shape != b.shape:
            raise ValueError(
                f"{self.subject} vs {self.reference}: need equally many per-seed values, "
                f"got {a.size} and {np.asarray(self.b).size}"
            )
        return a, b

    def kept(self) -> np.ndarray:
        a, _ = self.values()
        if self.set_aside is None:
            return np.ones(a.size, dtype=bool)
        flags = np.asarray(self.set_aside, dtype=bool).ravel()
        return ~flags if flags.size == a.size else np.ones(a.size, dtype=bool)


@dataclass(frozen=True)
class Claim:
    """One row of ``claims.csv``."""

    family: str
    subject: str
    reference: str
    metric: str
    seeds: int  # seeds compared (after any set aside)
    set_aside: int
    effect: float  # mean of subject - reference over the compared seeds
    ci_low: float
    ci_high: float
    p: float  # two-sided paired t, unadjusted
    p_adjusted: float  # Bonferroni over the family
    margin: float
    verdict: str
    sentence: str
    id: str = ""
    level: float = 1 - ALPHA
    family_size: int = 1
    sd: float = float("nan")  # sample SD of the paired differences
    median_effect: float = float("nan")
    better_share: float = float("nan")  # share of seeds where the subject is better (ties 1/2)
    wins: int = 0  # seeds where the subject is strictly better
    ties: int = 0
    seeds_needed: float = float("nan")  # undetermined only: seeds that would decide it
    lower_is_better: bool | None = True
    percent: bool = False  # a share: its numbers print as percentages
    winner: str = ""
    diverged: int = 0
    effect_all_seeds: float = float("nan")  # with the set-aside seeds in
    ci_low_all_seeds: float = float("nan")
    ci_high_all_seeds: float = float("nan")
    bound_low: float = -INF
    bound_high: float = INF
    # The data the row was computed from, per seed (';'-separated, repr precision): a
    # reader or a test recomputes the row from them alone.
    subject_values: str = ""
    reference_values: str = ""
    set_aside_seeds: str = ""  # 1 where the seed was set aside
    # The two-stage design (core.twostage): the pilot's seeds and the SD of its paired
    # differences (the interval's spread), and the seeds the design plans for this claim.
    pilot_seeds: int = 0
    pilot_sd: float = float("nan")
    sized_seeds: float = float("nan")  # what the design's rule asks for, before the cap
    planned_seeds: int = 0
    seeds_reason: str = ""
    # The runs the claim's family compares (';'-separated): the seeds the design plans for
    # the family go to each of them (aeflow.stages).
    runs: str = ""


COLUMNS = [f.name for f in fields(Claim)]


def _clipped(mean: float, half: float, bounds: tuple[float, float]) -> tuple[float, float]:
    return max(mean - half, bounds[0]) + 0.0, min(mean + half, bounds[1]) + 0.0


def _difference_bounds(bounds: tuple[float, float], one_sample: bool, b0: float):
    low, high = bounds
    if one_sample:
        return low - b0, high - b0
    return low - high, high - low


def _joined(values: np.ndarray) -> str:
    return ";".join(repr(float(v)) for v in values)


def split_values(text: str) -> np.ndarray:
    """The per-seed values of a ``claims.csv`` cell."""
    return np.array([float(v) for v in str(text).split(";")]) if str(text) else np.empty(0)


def decide(
    contrasts: Sequence[Contrast],
    family: str,
    alpha: float = ALPHA,
    design: Design | None = None,
) -> list[Claim]:
    """Every contrast of one family compared, given its verdict and worded. With a
    ``design``, its first ``design.pilot`` seeds are the pilot of Stein's two-stage
    procedure (``core.twostage``): each interval uses the pilot's SD and degrees of
    freedom, and each row gives the seeds the design plans for it. Without one, every seed
    is the pilot: the ordinary paired t interval."""
    prepared = []
    for c in contrasts:
        a, b = c.values()
        diverged = int((~np.isfinite(a)).sum() + (~np.isfinite(b)).sum())
        keep = c.kept()
        d = (a - b)[keep]
        prepared.append((c, a, b, keep, d, diverged))
    tested = [i for i, (_, _, _, _, d, div) in enumerate(prepared) if not div and d.size >= 2]
    m = max(len(tested), 1)
    level = 1 - alpha / m
    stages = {}
    for i in tested:
        c, _, _, keep, d, _ = prepared[i]
        staged = design is not None and design.two_stage
        pilot = twostage.pilot_count(d, int(keep[: design.pilot].sum()) if staged else d.size)
        stages[i] = (pilot, *twostage.interval(d, pilot, level))
    p_values = [stages[i][3] for i in tested]
    adjusted = multipletests(p_values, alpha=alpha, method="bonferroni")[1] if tested else []
    adjusted_by = dict(zip(tested, adjusted, strict=True))
    claims = []
    for i, (c, a, b, keep, d, diverged) in enumerate(prepared):
        one_sample = np.ndim(c.b) == 0
        b0 = float(np.asarray(c.b, dtype=float)) if one_sample else 0.0
        bounds = _difference_bounds(c.bounds, one_sample, b0)
        base = dict(
            family=family,
            subject=c.subject,
            reference=c.reference,
            metric=c.metric,
            seeds=int(d.size),
            set_aside=int((~keep).sum()),
            margin=float(c.margin),
            lower_is_better=c.lower_is_better,
            percent=c.percent,
            diverged=diverged,
            family_size=m,
            level=level,
            bound_low=bounds[0],
            bound_high=bounds[1],
            subject_values=_joined(a),
            reference_values=_joined(b),
            set_aside_seeds=";".join(str(int(not k)) for k in keep),
        )
        nan = float("nan")
        if i not in adjusted_by:
            claim = Claim(
                **base,
                effect=nan,
                ci_low=nan,
                ci_high=nan,
                p=nan,
                p_adjusted=nan,
                verdict=NOT_COMPARED,
                sentence="",
            )
            claims.append(_worded(claim, c))
            continue
        pilot, mean, half, _, pilot_sd = stages[i]
        low, high = _clipped(mean, half, bounds)
        sd = float(d.std(ddof=1))
        planned = twostage.plan(d[:pilot], c.margin, level, design)
        if low > 0 or high < 0:
            verdict = WINNER
        elif -c.margin < low and high < c.margin:
            verdict = EQUIVALENT
        else:
            verdict = UNDETERMINED
        sign = 1.0 if c.lower_is_better in (True, None) else -1.0
        wins, ties = int((sign * d < 0).sum()), int((d == 0).sum())
        better = (wins + ties / 2) / d.size
        winner = ""
        if verdict == WINNER and c.lower_is_better is not None:
            winner = c.subject if sign * mean < 0 else c.reference
        extra = {}
        if (~keep).any():
            full = a - b
            if np.isfinite(full).all():
                lo_all, hi_all = _clipped(
                    float(full.mean()), twostage.interval(full, full.size, level)[1], bounds
                )
                extra = dict(
                    effect_all_seeds=float(full.mean()),
                    ci_low_all_seeds=lo_all,
                    ci_high_all_seeds=hi_all,
                )
        claim = Claim(
            **base,
            effect=mean + 0.0,
            ci_low=low,
            ci_high=high,
            p=p_values[tested.index(i)],
            p_adjusted=float(adjusted_by[i]),
            verdict=verdict,
            sentence="",
            sd=sd,
            median_effect=float(np.median(d)) + 0.0,
            better_share=better,
            wins=wins,
            ties=ties,
            seeds_needed=(
                twostage.seeds_to_decide(
                    mean, pilot_sd, c.margin, level, pilot, d.size + 1, MAX_SEEDS_NEEDED
                )
                if verdict == UNDETERMINED
                else nan
            ),
            pilot_seeds=pilot,
            pilot_sd=pilot_sd,
            sized_seeds=planned.needed,
            planned_seeds=planned.planned,
            seeds_reason=planned.reason,
            winner=winner,
            **extra,
        )
        claims.append(_worded(claim, c))
    return claims


def _worded(claim: Claim, c: Contrast) -> Claim:
    return replace(claim, sentence=sentence(claim, c.unit) + seeds_text(claim))


def seeds_text(claim: Claim) -> str:
    """Why the claim has its seeds, under a two-stage design (empty without one)."""
    n = claim.planned_seeds
    if claim.seeds_reason == twostage.PILOT_ENOUGH:
        return f" [seeds: the pilot's {claim.pilot_seeds} were enough]"
    if claim.seeds_reason == twostage.SIZED:
        done = "sized" if claim.seeds >= n else "planned"
        return f" [seeds: {n} {done} from the pilot's spread, enough to decide]"
    if claim.seeds_reason == twostage.CAP_REACHED:
        needed = claim.sized_seeds
        would = f"{int(needed):,}" if np.isfinite(needed) else "more"
        return f" [seeds: {n} planned (the cap); {would} would be sure to decide]"
    return ""


def sentence(claim: Claim, unit: str = "seeds") -> str:
    """The claim in words, from its row alone."""
    fmt = share if claim.percent else number
    c = claim
    subject, reference, metric = c.subject, c.reference, c.metric
    if c.verdict == NOT_COMPARED:
        if c.diverged:
            return (
                f"not compared in {metric}: {subject} vs {reference}, "
                f"{plural(c.diverged, 'seed')} with a non-finite value (diverged)"
            )
        return f"not compared in {metric}: {subject} vs {reference} from {plural(c.seeds, 'seed')}"
    kind = "95% simultaneous CI" if c.family_size > 1 else "95% CI"
    tail = ""
    if c.set_aside:
        tail = f"; {plural(c.set_aside, 'seed')} set aside (dead network)"
        if np.isfinite(c.effect_all_seeds):
            e, lo, hi = _distinct_texts(
                fmt, [c.effect_all_seeds, c.ci_low_all_seeds, c.ci_high_all_seeds]
            )
            tail += f", with them in: {subject} - {reference} = {e} ({lo} to {hi})"
    if c.verdict == WINNER:
        if c.lower_is_better is None:
            lead, other, symbol = subject, reference, "above" if c.effect > 0 else "below"
            sign = 1.0 if c.effect > 0 else -1.0
        else:
            lead, other = (subject, reference) if c.winner == subject else (reference, subject)
            symbol = "<" if c.lower_is_better else ">"
            sign = (1.0 if c.winner == subject else -1.0) * (-1.0 if c.lower_is_better else 1.0)
        # The effect as the lead's margin over the other (positive), with its interval.
        size, low, high = _distinct_texts(
            fmt, [sign * c.effect, *sorted((sign * c.ci_low, sign * c.ci_high))]
        )
        return (
            f"{lead} {symbol} {other} in {metric} by {size} ({kind} {low} to {high}"
            f"{_agreement(c, lead, unit)}){tail}"
        )
    effect, low, high = _distinct_texts(fmt, [c.effect, c.ci_low, c.ci_high])
    difference = f"{subject} - {reference} = {effect} ({kind} {low} to {high}"
    if c.verdict == EQUIVALENT:
        return (
            f"{subject} and {reference} equivalent in {metric} within ±{fmt(c.margin)}: "
            f"{difference}{_agreement(c, subject, unit)}){tail}"
        )
    needed = c.seeds_needed
    if np.isfinite(needed):
        need = f"about {int(needed)} seeds would decide it at this spread"
    elif np.isnan(needed):
        need = "more seeds would not narrow the interval"
    else:
        need = f"more than {MAX_SEEDS_NEEDED:,} seeds would be needed at this spread"
    return (
        f"undetermined at {plural(c.seeds, 'seed')} in {metric}: {difference}; margin "
        f"±{fmt(c.margin)}{_agreement(c, subject, unit)}); {need}{tail}"
    )


def _agreement(c: Claim, name: str, unit: str) -> str:
    """'; ae2 lower in 5 of 5 paired seeds' (and 'equal in t')."""
    if c.lower_is_better is None:
        return ""
    wins = c.wins if name == c.subject else c.seeds - c.wins - c.ties
    word = "lower" if c.lower_is_better else "higher"
    ties = f", equal in {c.ties}" if c.ties else ""
    return f"; {name} {word} in {wins} of {c.seeds} paired {unit}{ties}"


def _distinct_texts(fmt, values: list[float]) -> list[str]:
    if fmt is number:
        return distinct(values)
    for digits in range(2, 7):
        texts = [share(v, digits) for v in values]
        if len(set(texts)) == len({float(v) for v in values}):
            return texts
    return texts


def with_ids(claims: Sequence[Claim]) -> list[Claim]:
    """Each claim with a short id '<family key>.<k>', k counting within its family: 'b2.1'
    (the second family of part (b)), 'learning_rate.3' (a sweep), 'sheet.4'."""
    keys: dict[str, str] = {}
    parts: dict[str, int] = {}
    counters: dict[str, int] = {}
    out = []
    for claim in claims:
        if claim.family not in keys:
            part = re.match(r"Part \((\w)\)", claim.family)
            sweep = re.match(r"Sweep (\S+)", claim.family)
            if part:
                parts[part.group(1)] = parts.get(part.group(1), 0) + 1
                keys[claim.family] = f"{part.group(1)}{parts[part.group(1)]}"
            else:
                keys[claim.family] = sweep.group(1) if sweep else slug(claim.family)
        key = keys[claim.family]
        counters[key] = counters.get(key, 0) + 1
        out.append(replace(claim, id=claim.id or f"{key}.{counters[key]}"))
    return out


def slug(text: str) -> str:
    """'The sheet' -> 'the-sheet'."""
    out = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)[:40]


def frame(claims: Sequence[Claim]) -> pd.DataFrame:
    """Claims as the rows of ``claims.csv``: every column of ``Claim``, id first."""
    table = pd.DataFrame([asdict(c) for c in with_ids(claims)], columns=COLUMNS)
    return table[["id", *[c for c in COLUMNS if c != "id"]]]
