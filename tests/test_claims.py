"""core.claims: when per-seed numbers resolve "A beats B", and the words for it."""

import numpy as np
import pytest
from scipy import stats

from aeflow.core.claims import (
    ALPHA,
    Contrast,
    Spread,
    agreement,
    agreement_text,
    compare,
    comparison_text,
    contrast_texts,
    failed,
    family,
    holm,
)

# Held-out MSE of ae2 and ae1 in a default run (5 seeds, paired by seed): ae2 is lower in
# every seed, yet one ae2 seed (0.1376) lies above one ae1 seed (0.1330), so the old rule
# (unanimous seeds and separate ranges) left it "not resolved".
AE2 = [0.1376, 0.1196, 0.1221, 0.1144, 0.1188]
AE1 = [0.1486, 0.1330, 0.1531, 0.1322, 0.1386]


def test_paired_interval_resolves_what_overlapping_ranges_did_not():
    c = compare(AE2, AE1)
    d = np.subtract(AE2, AE1)
    assert Spread.of(AE2).high > Spread.of(AE1).low  # the ranges overlap
    assert (c.wins_a, c.wins_b, c.seeds) == (5, 0, 5)
    assert c.difference == pytest.approx(d.mean())
    t = stats.ttest_rel(AE2, AE1)
    assert c.p_value == pytest.approx(t.pvalue)
    ci = t.confidence_interval(0.95)
    assert (c.low, c.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert c.verdict == "A" and c.resolved
    assert compare(AE1, AE2).verdict == "B"
    assert comparison_text(c, "ae2", "ae1", "held-out MSE") == (
        "ae2 < ae1 in held-out MSE by 0.019 (95% CI 0.009 to 0.028; lower in 5 of 5 seeds)"
    )
    # Argument order does not change the sentence: the better run is named first.
    assert comparison_text(compare(AE1, AE2), "ae1", "ae2", "held-out MSE") == (
        comparison_text(c, "ae2", "ae1", "held-out MSE")
    )


def test_learning_rate_0_1_against_0_001_resolves_in_a_family_of_five():
    # Playground test loss per seed (default run): lr 0.1 (the baseline) against 0.001,
    # compared with the four other learning rates too, Holm over the five.
    base = np.array([0.029, 0.031, 0.027, 0.035, 0.024])
    slow = np.array([0.180, 0.175, 0.190, 0.170, 0.185])
    others = [base + 0.01 * np.array([1, -1, 0.5, -0.5, 0]) * k for k in (1, 2, 3, 4)]
    comparisons = family([(base, slow), *((base, other) for other in others)])
    assert comparisons[0].family == 5 and comparisons[0].verdict == "A"
    assert comparisons[0].level == 1 - ALPHA / 5  # the smallest p-value: Bonferroni's step
    assert "adjusted 95% CI" in comparison_text(comparisons[0], "0.1", "0.001", "test loss")
    assert not any(c.resolved for c in comparisons[1:])


def test_higher_is_better_flips_the_winner_and_the_sign():
    c = compare(AE2, AE1, lower_is_better=False)
    assert (c.wins_a, c.wins_b, c.verdict) == (0, 5, "B")
    assert comparison_text(c, "ae2", "ae1", "gap").startswith(
        "ae1 > ae2 in gap by 0.019 (95% CI 0.009 to 0.028; higher in 5 of 5 seeds)"
    )


def test_a_difference_within_the_noise_is_not_resolved_and_says_its_interval():
    a = [0.10, 0.12, 0.14, 0.11]
    b = [0.11, 0.11, 0.15, 0.12]
    c = compare(a, b)
    assert c.low < 0 < c.high and c.verdict is None
    assert comparison_text(c, "x", "y", "MSE") == (
        "not resolved: x vs y in MSE differ by 0.005 (95% CI -0.011 to 0.021; "
        "x lower in 3 of 4 seeds)"
    )


def test_identical_values_are_a_tie_not_a_win():
    values = [0.2, 0.3, 0.25, 0.22, 0.28]
    c = compare(values, list(values))
    assert (c.wins_a, c.wins_b, c.verdict, c.p_value) == (0, 0, None, 1.0)
    text = comparison_text(c, "ae2", "ae2_copy", "held-out MSE")
    assert "not resolved" in text and "differ by 0 (" in text and "equal in 5" in text


def test_one_seed_resolves_nothing():
    c = compare([0.1], [0.9])
    assert (c.wins_a, c.verdict) == (1, None)
    assert comparison_text(c, "a", "b", "MSE") == (
        "a < b in MSE (0.1 vs 0.9) from 1 seed only; not resolved (one seed cannot separate "
        "the two)"
    )


def test_a_diverged_seed_keeps_a_run_out_of_the_comparison():
    c = compare([0.1, np.nan, 0.1], [0.5, 0.6, 0.7])
    assert c.diverged and c.diverged_a == 1 and c.verdict is None
    assert comparison_text(c, "lr=1000", "lr=0.1", "test loss") == (
        "lr=1000 diverged in 1 of 3 seeds: not compared in test loss"
    )
    # Within a family it is not tested, so it does not count in Holm's m.
    comparisons = holm([c, compare(AE2, AE1)])
    assert comparisons[1].family == 1 and comparisons[1].level == 0.95


def test_compare_needs_paired_values():
    with pytest.raises(ValueError, match="equally many"):
        compare([0.1, 0.2], [0.3])
    with pytest.raises(ValueError):
        compare([], [])


def _families(rng, seeds, effect, count, size=5):
    """``count`` families shaped like a one-at-a-time sweep: ``size`` settings each compared
    with one baseline, per-seed values with a shared seed effect plus noise; the first
    setting is ``effect`` worse than the baseline, the others equal to it."""
    resolved_first, any_false = 0, 0
    for _ in range(count):
        shared = rng.normal(0, 1.0, seeds)  # what a seed does to every setting alike
        base = shared + rng.normal(0, 0.5, seeds)
        settings = [
            shared + (effect if i == 0 else 0) + rng.normal(0, 0.5, seeds) for i in range(size)
        ]
        comparisons = family([(base, s) for s in settings])
        resolved_first += comparisons[0].resolved
        start = 1 if effect else 0
        any_false += any(c.resolved for c in comparisons[start:])
    return resolved_first / count, any_false / count


def test_power_does_not_fall_as_seeds_grow():
    rng = np.random.default_rng(0)
    power = {n: _families(rng, n, effect=0.8, count=400)[0] for n in (5, 10, 20)}
    assert power[5] <= power[10] <= power[20]
    assert power[20] > 0.95  # and the effect is found


def test_holm_keeps_the_family_wise_false_winner_rate_at_5_percent():
    rng = np.random.default_rng(1)
    for seeds in (5, 20):
        _, false_rate = _families(rng, seeds, effect=0.0, count=1000)
        assert false_rate <= ALPHA, (seeds, false_rate)
    # Without the correction the same families name a false winner far more often.
    uncorrected = 0
    for _ in range(1000):
        base = rng.normal(0, 1, 5)
        uncorrected += any(compare(base, rng.normal(0, 1, 5)).resolved for _ in range(5))
    assert uncorrected / 1000 > 2 * ALPHA


def test_failed_replicas_are_the_diverged_and_the_untrained():
    final = [0.12, 0.853, np.nan, 0.153, np.inf]
    assert failed(final, [0.833] * 5).tolist() == [False, True, True, False, True]


def test_seeds_that_did_not_train_are_left_out_and_the_sentence_says_how_many():
    some = Contrast("x", "y", "MSE", AE2, AE1, left_out=[True, False, False, False, False])
    assert some.dropped == 1 and not some.none_trained
    ((comparison, text),) = contrast_texts([some])
    assert comparison.seeds == 4
    assert text.endswith("lower in 4 of 4 seeds); 1 seed left out (did not train)")


def test_when_no_seed_trained_all_are_compared_and_none_is_said_to_be_left_out():
    # Dropping every flagged seed would leave nothing: all five are compared as measured,
    # and the sentence must not claim that seeds were left out.
    every = Contrast("x", "y", "MSE", AE2, AE1, left_out=[True] * 5)
    assert every.dropped == 0 and every.none_trained
    ((comparison, text),) = contrast_texts([every])
    assert comparison.seeds == 5
    assert "left out (did not train)" not in text
    assert text.endswith(
        "lower in 5 of 5 seeds); none left out: each seed has a run that did not train"
    )
    # No flags at all: nothing is added.
    ((_, plain),) = contrast_texts([Contrast("x", "y", "MSE", AE2, AE1)])
    assert plain.endswith("lower in 5 of 5 seeds)")


def test_spread_texts():
    spread = Spread.of([0.116, 0.125, 0.121])
    assert spread.text() == "0.121 ± 0.0037"
    assert spread.range_text() == "0.121 ± 0.0037, range 0.116 to 0.125"
    assert Spread.of([0.12, 0.153, 0.853]).median_text() == "median 0.153, range 0.12 to 0.853"
    assert Spread.of([0.5]).text() == "0.5" and Spread.of([0.5]).range_text() == "0.5"
    # A signed format signs the mean, not the std.
    assert Spread.of([0.1, 0.3]).text("+.2g") == "+0.2 ± 0.1"
    assert Spread.of([0.1, 0.3]).text("+.0%") == "+20% ± 10%"


def test_agreement_of_a_yes_no_finding():
    assert agreement([True] * 5).verdict is True
    assert agreement([False] * 5).verdict is False
    assert agreement([True, False, True]).verdict is None
    assert agreement([True]).verdict is None  # one seed
    assert agreement_text(agreement([True] * 4), "monotone", "not monotone") == (
        "monotone in 4 of 4 seeds"
    )
    assert agreement_text(agreement([False] * 3), "monotone", "not monotone", "replicas") == (
        "not monotone in 3 of 3 replicas"
    )
    assert agreement_text(agreement([True, False, True]), "monotone", "not monotone") == (
        "not resolved: monotone in 2 of 3 seeds"
    )
