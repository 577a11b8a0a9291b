"""core.claims: three verdicts read off simultaneous intervals, rows that recompute from
their own per-seed values, and simulations of the rule's error rates."""

import numpy as np
import pytest
from scipy import stats

from aeflow.core.claims import (
    EQUIVALENT,
    NOT_COMPARED,
    UNDETERMINED,
    WINNER,
    Contrast,
    decide,
    frame,
    split_values,
)
from aeflow.core.twostage import seeds_to_decide

# Held-out MSE of ae2 and ae1 in a default run (5 seeds, paired by seed).
AE2 = [0.1376, 0.1196, 0.1221, 0.1144, 0.1188]
AE1 = [0.1486, 0.1330, 0.1531, 0.1322, 0.1386]


def test_a_family_of_one_is_the_paired_t_interval():
    (claim,) = decide([Contrast("ae2", "ae1", "held-out MSE", AE2, AE1, margin=0.003)], "b")
    t = stats.ttest_rel(AE2, AE1)
    ci = t.confidence_interval(0.95)
    assert claim.p == pytest.approx(t.pvalue)
    assert (claim.ci_low, claim.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert claim.effect == pytest.approx(np.mean(np.subtract(AE2, AE1)))
    assert claim.verdict == WINNER and claim.winner == "ae2"
    assert (claim.wins, claim.ties, claim.seeds) == (5, 0, 5)
    assert claim.sentence.startswith("ae2 < ae1 in held-out MSE by 0.019 (95% CI")


def test_intervals_of_a_family_are_bonferroni_and_p_values_adjusted():
    rng = np.random.default_rng(0)
    pairs = [(rng.normal(0, 1, 6), rng.normal(0, 1, 6)) for _ in range(4)]
    claims = decide(
        [Contrast(f"a{i}", f"b{i}", "m", a, b, margin=0.1) for i, (a, b) in enumerate(pairs)], "f"
    )
    for claim, (a, b) in zip(claims, pairs, strict=True):
        ci = stats.ttest_rel(a, b).confidence_interval(1 - 0.05 / 4)
        assert (claim.ci_low, claim.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
        assert claim.p_adjusted == pytest.approx(min(1.0, 4 * claim.p))
        assert claim.family_size == 4 and "simultaneous" in claim.sentence


def test_equivalent_when_the_interval_lies_inside_the_margin():
    # SGD and GD at equal updates: a tiny paired difference against a 1% margin.
    sgd = np.array([0.8247, 0.5452, 0.6927, 0.7366, 0.8098])
    gd = sgd + np.array([0.0003, 0.0023, -0.0013, 0.0018, -0.0007])
    (claim,) = decide([Contrast("sgd", "gd", "loss", sgd, gd, margin=0.0072)], "h")
    assert claim.verdict == EQUIVALENT and claim.winner == ""
    assert -0.0072 < claim.ci_low < claim.ci_high < 0.0072
    assert "equivalent in loss within ±0.0072" in claim.sentence


def test_undetermined_gives_the_seeds_that_would_decide_it():
    a, b = [1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 1.2, 3.1, 4.5, 4.4]
    (claim,) = decide([Contrast("a", "b", "loss", a, b, margin=0.01)], "u")
    assert claim.verdict == UNDETERMINED
    d = np.subtract(a, b)
    n = int(claim.seeds_needed)
    # Stein: the 5 seeds' SD and 4 degrees of freedom whatever n; the first n at which 0
    # leaves the interval.
    t = stats.t.ppf(0.975, 4)
    assert t * d.std(ddof=1) / np.sqrt(n) < abs(d.mean()) <= t * d.std(ddof=1) / np.sqrt(n - 1)
    assert f"about {n} seeds would decide it" in claim.sentence
    assert np.isnan(seeds_to_decide(0.0, 0.0, 0.1, 0.95, 5, 6, 1000))  # no spread: no help


def test_a_diverged_seed_means_not_compared_and_one_seed_decides_nothing():
    diverged, single = decide(
        [
            Contrast("lr 1", "lr 0.1", "test loss", [np.inf, 0.1, 0.2], [0.1, 0.1, 0.1], 0.01),
            Contrast("x", "y", "test loss", [0.3], [0.1], 0.01),
        ],
        "lr",
    )
    assert diverged.verdict == NOT_COMPARED and diverged.diverged == 1
    assert "diverged" in diverged.sentence
    assert single.verdict == NOT_COMPARED and single.family_size == 1


def test_a_dead_seed_is_set_aside_and_the_sentence_gives_the_effect_with_it_in():
    a, b = [0.10, 0.11, 0.12, 0.80], [0.20, 0.21, 0.22, 0.23]
    (claim,) = decide(
        [Contrast("a", "b", "mse", a, b, 0.01, set_aside=[False, False, False, True])], "d"
    )
    assert claim.seeds == 3 and claim.set_aside == 1
    assert claim.effect == pytest.approx(-0.1)
    assert claim.effect_all_seeds == pytest.approx(np.mean(np.subtract(a, b)))
    assert "with them in" in claim.sentence


def test_a_bounded_quantity_keeps_its_interval_in_bounds():
    after = [0.9, 0.95, 0.99, 0.2, 0.98]
    before = [0.04, 0.92, 0.21, 0.04, 0.89]
    (claim,) = decide(
        [Contrast("after", "before", "|rho|", after, before, 0.05, False, bounds=(0, 1))], "c"
    )
    assert claim.ci_low >= -1 and claim.ci_high <= 1
    (one,) = decide([Contrast("x", "0.5", "|rho|", after, 0.5, 0.05, None, bounds=(0, 1))], "c")
    assert one.ci_low >= -0.5 and one.ci_high <= 0.5


def test_every_row_recomputes_from_its_own_values():
    rng = np.random.default_rng(3)
    contrasts = [
        Contrast(f"s{i}", f"r{i}", "m", rng.normal(i * 0.3, 1, 7), rng.normal(0, 1, 7), 0.2)
        for i in range(5)
    ]
    table = frame(decide(contrasts, "family"))
    assert list(table["id"]) == [f"family.{k}" for k in range(1, 6)]
    for row in table.itertuples():
        d = split_values(row.subject_values) - split_values(row.reference_values)
        ci = stats.ttest_1samp(d, 0).confidence_interval(1 - 0.05 / 5)
        assert (row.ci_low, row.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
        expected = (
            WINNER
            if ci.low > 0 or ci.high < 0
            else EQUIVALENT
            if ci.low > -0.2 and ci.high < 0.2
            else UNDETERMINED
        )
        assert row.verdict == expected


# --- simulations: the rule's error rates over many families ------------------------------

FAMILIES, SIZE, SEEDS = 1000, 4, 5


def _families(effect: float, sd: float = 1.0, seed: int = 0):
    """Families as the summaries build them: SIZE runs each against one shared reference
    run, paired by seed; every true difference is ``effect``."""
    rng = np.random.default_rng(seed)
    for _ in range(FAMILIES):
        reference = rng.normal(0, sd, SEEDS)
        yield [
            Contrast(
                f"a{j}", "b", "m", reference + effect + rng.normal(0, sd, SEEDS), reference, 0.5
            )
            for j in range(SIZE)
        ]


def test_no_more_than_5_percent_of_families_name_a_false_winner():
    wrong = sum(
        any(c.verdict == WINNER for c in decide(family, "null")) for family in _families(0.0)
    )
    assert wrong / FAMILIES <= 0.05


def test_no_more_than_5_percent_of_families_call_equivalent_at_the_margin():
    # Every true difference sits exactly on the margin (0.5): not equivalent.
    wrong = sum(
        any(c.verdict == EQUIVALENT for c in decide(family, "edge"))
        for family in _families(0.5, sd=0.3, seed=1)
    )
    assert wrong / FAMILIES <= 0.05


def test_the_intervals_of_a_family_cover_together_at_least_95_percent():
    covered = sum(
        all(c.ci_low <= 0.3 <= c.ci_high for c in decide(family, "cover"))
        for family in _families(0.3, seed=2)
    )
    # At least 95%, up to the simulation's own error: a count this low or lower would be
    # rare (p < 0.01) if the true coverage were 95%.
    assert stats.binomtest(covered, FAMILIES, 0.95, alternative="less").pvalue > 0.01
