"""core.twostage: Stein's two-stage design, checked by simulation through the summaries' own
``decide``: a pilot of 5 seeds per run, then per run the seeds its comparisons plan (the
pilot's spread only), then the final simultaneous intervals on all seeds."""

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from aeflow.core import twostage
from aeflow.core.claims import EQUIVALENT, UNDETERMINED, WINNER, Contrast, decide
from aeflow.core.twostage import CAP_REACHED, PILOT_ENOUGH, SIZED, Design

FAMILIES, SIZE, PILOT = 1000, 4, 5


def _contrasts(runs: dict, reference: np.ndarray, margins, seeds: dict[str, int]):
    """Each run against the reference on the seeds both have; a relative margin (a string)
    is a share of the reference's mean over those seeds."""
    out = []
    for name, values in runs.items():
        n = min(seeds[name], seeds["b"])
        margin = margins[int(name[1:])]
        if isinstance(margin, str):
            margin = float(margin) * abs(reference[:n].mean())
        out.append(Contrast(name, "b", "m", values[:n], reference[:n], margin))
    return out


def _two_stage(effects, sds, margins, cap: int, seed: int, families: int = FAMILIES):
    """Families as the summaries build them: SIZE runs each against one shared reference
    run, paired by seed (every true difference ``effects[j]``, its spread ``sds[j]``).
    Yields each family's final claims and the seeds each run trained."""
    design = Design(pilot=PILOT, max_seeds=cap)
    rng = np.random.default_rng(seed)
    for _ in range(families):
        # Every seed a run could train, drawn up front: a run's first n are its n seeds.
        reference = rng.normal(1.0, 1.0, cap)
        runs = {f"a{j}": reference + effects[j] + rng.normal(0, sds[j], cap) for j in range(SIZE)}
        pilots = dict.fromkeys([*runs, "b"], PILOT)
        pilot = decide(_contrasts(runs, reference, margins, pilots), "f", design=design)
        seeds = twostage.seeds_per_run(
            [((c.subject, c.reference), c.planned_seeds) for c in pilot], PILOT
        )
        yield decide(_contrasts(runs, reference, margins, seeds), "f", design=design), seeds


def test_stein_sizes_from_the_pilots_spread_and_caps():
    d = np.array([0.1, -0.2, 0.3, 0.0, 0.15])
    level = 1 - 0.05 / 3
    plan = twostage.plan(d, margin=0.2, level=level, design=Design(5, 1000))
    t = stats.t.ppf(0.5 + level / 2, 4)
    assert plan.planned == math.ceil((t * d.std(ddof=1) / 0.1) ** 2) and plan.reason == SIZED
    capped = twostage.plan(d, margin=0.2, level=level, design=Design(5, 20))
    assert (capped.planned, capped.reason, capped.needed) == (20, CAP_REACHED, plan.planned)
    easy = twostage.plan(d, margin=50.0, level=level, design=Design(5, 20))
    assert (easy.planned, easy.reason) == (5, PILOT_ENOUGH)
    # The effect (the mean) never enters: shifted differences plan the same seeds.
    shifted = twostage.plan(d + 7.0, 0.2, level, Design(5, 1000))
    assert (shifted.planned, shifted.reason) == (plan.planned, plan.reason)


def test_the_final_interval_uses_the_pilots_sd_and_degrees_of_freedom():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 12), rng.normal(0, 1, 12)
    (claim,) = decide([Contrast("a", "b", "m", a, b, 0.3)], "f", design=Design(5, 12))
    d = a - b
    half = stats.t.ppf(0.975, 4) * d[:5].std(ddof=1) / math.sqrt(12)
    assert (claim.ci_low, claim.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert claim.pilot_seeds == 5 and claim.pilot_sd == pytest.approx(d[:5].std(ddof=1))
    assert claim.seeds == 12
    # At the pilot's seeds it is the ordinary paired t interval.
    (pilot,) = decide([Contrast("a", "b", "m", a[:5], b[:5], 0.3)], "f", design=Design(5, 12))
    ci = stats.ttest_rel(a[:5], b[:5]).confidence_interval(0.95)
    assert (pilot.ci_low, pilot.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_a_sized_interval_always_decides():
    """Half-width at most half the margin: 0 outside, or inside +-margin."""
    for claims, _ in _two_stage([0.0, 0.1, 0.25, 0.5], [0.3] * SIZE, [0.5] * SIZE, 400, 7, 200):
        for claim in claims:
            assert claim.seeds_reason in (SIZED, PILOT_ENOUGH)
            assert claim.verdict in (WINNER, EQUIVALENT)


def test_runs_train_what_their_comparisons_need_in_whole_blocks():
    needs = [(("a", "b"), 7), (("c", "b"), 12), (("d", "b"), 5)]
    assert twostage.seeds_per_run(needs, 5) == {"a": 7, "b": 12, "c": 12, "d": 5}
    assert twostage.seeds_per_run(needs, 5, block=5) == {"a": 10, "b": 15, "c": 15, "d": 5}


def test_the_final_intervals_of_a_family_cover_together_at_least_95_percent():
    # True effects of every kind, absolute and relative margins, a cap that often binds.
    effects, sds = [0.0, 0.2, -0.4, 1.0], [0.2, 0.5, 1.0, 2.0]
    covered = sum(
        all(c.ci_low <= effects[int(c.subject[1:])] <= c.ci_high for c in claims)
        for claims, _ in _two_stage(effects, sds, [0.3, "0.2", 0.5, "0.5"], 20, 2)
    )
    assert stats.binomtest(covered, FAMILIES, 0.95, alternative="less").pvalue > 0.01


def test_no_more_than_5_percent_of_families_name_a_false_winner():
    wrong = sum(
        any(c.verdict == WINNER for c in claims)
        for claims, _ in _two_stage([0.0] * SIZE, [0.5, 1.0, 0.3, 2.0], [0.3] * SIZE, 20, 3)
    )
    # At most 5%, up to the simulation's own error (Bonferroni over 4 comparisons that
    # share a reference is nearly exact here: 5,000 families gave 4.98%).
    assert stats.binomtest(wrong, FAMILIES, 0.05, alternative="greater").pvalue > 0.01


def test_the_share_of_families_decided_rises_with_the_cap():
    effects, sds, margins = [0.0, 0.3, 0.05, 0.6], [0.1, 0.2, 0.15, 0.3], [0.4] * SIZE
    decided, trained = [], []
    for cap in (5, 10, 20):
        families = list(_two_stage(effects, sds, margins, cap, 4))
        decided.append(
            np.mean([all(c.verdict != UNDETERMINED for c in claims) for claims, _ in families])
        )
        trained.append(np.mean([sum(seeds.values()) for _, seeds in families]))
    assert all(x < y for x, y in itertools.pairwise(decided)), decided
    assert all(x < y for x, y in itertools.pairwise(trained)), trained
    assert decided[0] < 0.5 < decided[-1]


def test_without_the_design_or_a_pilot_spread_every_seed_is_the_pilot():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, 12), rng.normal(0, 1, 12)
    ci = stats.ttest_rel(a, b).confidence_interval(0.95)
    fixed = Design(5, 12, two_stage=False)
    for design in (None, fixed):
        (claim,) = decide([Contrast("a", "b", "m", a, b, 0.3)], "f", design=design)
        assert (claim.ci_low, claim.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
        assert claim.pilot_seeds == 12 and claim.seeds_reason == twostage.NOT_SIZED
    # A pilot whose differences are all equal sizes nothing: the ordinary interval.
    same = b + np.r_[np.full(5, 0.2), rng.normal(0.2, 0.1, 7)]
    (flat,) = decide([Contrast("a", "b", "m", same, b, 0.3)], "f", design=Design(5, 12))
    ci = stats.ttest_rel(same, b).confidence_interval(0.95)
    assert (flat.ci_low, flat.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
