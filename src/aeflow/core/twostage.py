"""Seeds chosen by the question: Stein's two-stage design for paired comparisons (NumPy;
scipy.stats where a quantile is needed, imported there; both parts).

Every run first trains a **pilot** of n0 seeds. For each comparison of a family of m, the
pilot's paired differences give a sample SD s (n0 - 1 degrees of freedom). The comparison
then needs

    n = max(n0, ceil((t * s / h)^2)),  t = the 1 - alpha/(2m) quantile of Student's t
                                        with n0 - 1 degrees of freedom,

seeds for its simultaneous interval to have half-width at most h, a share of its margin
(``half_width``: 0.5 by default). With h = margin/2 such an interval always decides: it
excludes 0 when |effect| > h, else it lies inside (-margin, margin). n is capped at
``max_seeds``.

The final interval (Stein 1945) is centred on the mean of all n paired differences, with
the **pilot's** s and its n0 - 1 degrees of freedom: mean +- t * s / sqrt(n). Why this one:
n is a function of the pilot's spread alone, and for normal data the pilot's spread is
independent of every sample mean, so (mean - effect) / (s / sqrt(n)) has exactly Student's
t distribution with n0 - 1 degrees of freedom whatever n was chosen; Bonferroni over the
family keeps the intervals simultaneous. The ordinary t interval on all n seeds (s from all
of them) would not be exact: its spread estimate includes the very pilot values that chose
n. With n = n0 the two intervals are the same. A relative margin is a share of the
reference run's pilot mean; it enters n only as a scale (tests/test_twostage.py simulates
both kinds of margin).

A run compared in several comparisons trains the most seeds any of them needs (rounded up
to whole training blocks); a comparison reads the seeds both of its runs have (the
workflow plans per family: aeflow.stages).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

PILOT_ENOUGH, SIZED, CAP_REACHED, NOT_SIZED = (
    "pilot enough",
    "sized to n",
    "cap reached",
    "not sized",
)


@dataclass(frozen=True)
class Design:
    """The seeds design of ``claims.design`` in config.yaml.

    ``pilot``: n0, a run's first seeds, whose spread sizes every comparison (a run with
    more seeds is in its second stage); ``max_seeds``: the cap on the seeds planned for a
    comparison; ``half_width``: the simultaneous interval's target half-width, as a share
    of the margin; ``two_stage``: False for a fixed design (every interval the ordinary
    paired t interval on all seeds, nothing planned); ``run_caps``: (run, cap) pairs, a
    cap of a run's own in place of ``max_seeds`` (``for_runs``)."""

    pilot: int = 5
    max_seeds: int = 5
    half_width: float = 0.5
    two_stage: bool = True
    run_caps: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.pilot < 1:
            raise ValueError(f"the pilot needs at least 1 seed, got {self.pilot}")
        if self.max_seeds < self.pilot:
            raise ValueError(
                f"claims.design.max_seeds ({self.max_seeds}) is below claims.design.pilot "
                f"({self.pilot}): the cap must be at least the pilot"
            )
        if not 0 < self.half_width <= 1:
            raise ValueError(f"claims.design.half_width must be in (0, 1], got {self.half_width}")

    def for_runs(self, runs: Iterable[str]) -> Design:
        """The design of a family comparing ``runs``: the lowest of their caps (a run
        beyond it would add no pair: its partners stop there), never below the pilot."""
        caps = dict(self.run_caps)
        cap = min((caps.get(run, self.max_seeds) for run in runs), default=self.max_seeds)
        return replace(self, max_seeds=max(min(cap, self.max_seeds), self.pilot), run_caps=())

    @classmethod
    def from_config(cls, settings: dict | None) -> Design:
        """From ``claims.design`` (its defaults are the schema's)."""
        settings = dict(settings or {})
        pilot = int(settings.get("pilot", 5))
        return cls(
            pilot=pilot,
            max_seeds=int(settings.get("max_seeds", max(pilot, 10))),
            half_width=float(settings.get("half_width", 0.5)),
            two_stage=bool(settings.get("two_stage", True)),
            run_caps=tuple(
                sorted((str(r), int(c)) for r, c in settings.get("run_max_seeds", {}).items())
            ),
        )


@functools.lru_cache(maxsize=256)  # a few (level, pilot) pairs per summary, many claims each
def critical_value(level: float, pilot: int) -> float:
    """The two-sided Student-t quantile at ``level`` with ``pilot - 1`` degrees of freedom."""
    from scipy import stats  # here: the workflow's planning imports this module

    return float(stats.t.ppf(0.5 + level / 2, pilot - 1))


@dataclass(frozen=True)
class Plan:
    """The seeds one comparison needs: ``needed`` uncapped (inf where it cannot be sized),
    ``planned`` after the cap, and why."""

    pilot_sd: float
    needed: float
    planned: int
    reason: str


def plan(pilot_differences: np.ndarray, margin: float, level: float, design: Design | None) -> Plan:
    """Stein's first stage for one comparison: the seeds its interval at ``level`` (the
    family's Bonferroni level) needs for a half-width of ``design.half_width`` x margin,
    from the pilot's paired differences only (their spread, never their mean). Without a
    two-stage design: the pilot's seeds, not sized."""
    d = np.asarray(pilot_differences, dtype=float).ravel()
    pilot = d.size
    sd = float(d.std(ddof=1)) if pilot > 1 else float("nan")
    if (
        design is None
        or not design.two_stage
        or pilot < 2
        or not np.isfinite(sd)
        or not np.isfinite(margin)
    ):
        return Plan(sd, float("nan"), pilot, NOT_SIZED)
    target = design.half_width * margin
    if sd == 0:
        return Plan(sd, float(pilot), pilot, PILOT_ENOUGH)
    if target <= 0:
        return Plan(sd, math.inf, design.max_seeds, CAP_REACHED)
    needed = max(pilot, math.ceil((critical_value(level, pilot) * sd / target) ** 2))
    if needed <= pilot:
        return Plan(sd, float(needed), pilot, PILOT_ENOUGH)
    if needed > design.max_seeds:
        return Plan(sd, float(needed), design.max_seeds, CAP_REACHED)
    return Plan(sd, float(needed), needed, SIZED)


def pilot_count(d: np.ndarray, pilot: int) -> int:
    """The pilot's seeds among the paired differences ``d``: the first ``pilot``, or every
    seed where those have no spread to size anything by (fewer than 2, or all equal up
    to rounding):
    then the interval is the ordinary one on all seeds."""
    d = np.asarray(d, dtype=float).ravel()
    pilot = min(pilot, d.size)
    if pilot < 2 or float(np.ptp(d[:pilot])) <= 1e-12 * float(np.abs(d[:pilot]).max()):
        return d.size
    return pilot


def interval(d: np.ndarray, pilot: int, level: float) -> tuple[float, float, float, float]:
    """Stein's second stage: (mean, half-width, p, pilot SD) of the paired differences
    ``d`` whose first ``pilot`` entries were the pilot. The half-width and the two-sided
    p-value use the pilot's SD and its ``pilot - 1`` degrees of freedom; with
    ``pilot == len(d)`` they are the ordinary paired t interval and test, and so they are
    when the pilot has no spread (fewer than 2 seeds, or all equal)."""
    d = np.asarray(d, dtype=float).ravel()
    pilot = pilot_count(d, pilot)
    mean = float(d.mean())
    sd = float(d[:pilot].std(ddof=1)) if pilot > 1 else float("nan")
    if pilot < 2:
        return mean, math.inf, 1.0, sd
    half = critical_value(level, pilot) * sd / math.sqrt(d.size)
    if sd <= 1e-12 * max(float(np.abs(d[:pilot]).max()), 1e-300):
        p = 0.0 if mean != 0 else 1.0
    else:
        from scipy import stats

        p = float(2 * stats.t.sf(abs(mean) / (sd / math.sqrt(d.size)), pilot - 1))
    return mean, half, p, sd


def seeds_to_decide(
    mean: float, sd: float, margin: float, level: float, pilot: int, start: int, most: int
) -> float:
    """The fewest seeds (from ``start``) at which Stein's interval (the pilot's SD and
    degrees of freedom) around this mean would decide: exclude 0 or fit inside the margin.
    ``inf`` where none up to ``most`` would, NaN where more seeds cannot help."""
    if not (np.isfinite(mean) and np.isfinite(sd)) or sd == 0 or pilot < 2:
        return float("nan")
    room = max(abs(mean), margin - abs(mean))
    if room <= 0:
        return math.inf
    n = max(start, math.floor((critical_value(level, pilot) * sd / room) ** 2) + 1)
    return float(n) if n <= most else math.inf


def seeds_per_run(
    needs: Iterable[tuple[Sequence[str], int]], pilot: int, block: int = 1
) -> dict[str, int]:
    """The seeds each run trains: the most that any comparison it takes part in plans
    (``needs``: each comparison's runs and planned seeds), at least the pilot, rounded up
    to whole training blocks of ``block`` replicas (more seeds than a comparison planned
    keep its interval valid: n still depends on the pilot's spread alone)."""
    seeds: dict[str, int] = {}
    for runs, planned in needs:
        for run in runs:
            seeds[run] = max(seeds.get(run, pilot), int(planned), pilot)
    return {run: -(-n // block) * block for run, n in seeds.items()}


def config_errors(config: dict) -> list[str]:
    """A cap (``max_seeds``, or a run's own in ``run_max_seeds``) below the pilot, named
    with both keys."""
    design = config.get("claims", {}).get("design", {})
    pilot = design.get("pilot", 5)
    caps = {"claims.design.max_seeds": design.get("max_seeds")}
    for run, cap in (design.get("run_max_seeds") or {}).items():
        caps[f"claims.design.run_max_seeds.{run}"] = cap
    return [
        f"{key}: {cap} is below claims.design.pilot ({pilot}), the seeds that size every "
        f"comparison; allowed: an integer >= {pilot}"
        for key, cap in caps.items()
        if cap is not None and cap < pilot
    ]
