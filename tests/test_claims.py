"""core.claims: when per-seed numbers resolve "A beats B", and the words for it."""

import numpy as np
import pytest

from aeflow.core.claims import (
    Spread,
    agreement,
    agreement_text,
    compare,
    comparison_text,
)

# Held-out MSE of two models over 5 seeds, paired by seed.
AE2 = [0.118, 0.125, 0.121, 0.116, 0.125]
AE1 = [0.149, 0.141, 0.155, 0.146, 0.154]


def test_a_unanimous_separated_difference_names_the_winner():
    c = compare(AE2, AE1)
    assert (c.wins_a, c.wins_b, c.seeds) == (5, 0, 5)
    assert c.a.mean == pytest.approx(0.121) and c.b.mean == pytest.approx(0.149)
    assert c.a.std == pytest.approx(np.std(AE2)) and c.b.std == pytest.approx(np.std(AE1))
    assert (c.a.low, c.a.high) == (0.116, 0.125)
    assert not c.overlap and c.verdict == "A" and c.resolved
    assert compare(AE1, AE2).verdict == "B"
    assert comparison_text(c, "ae2", "ae1", "held-out MSE") == (
        "ae2 < ae1 in held-out MSE in 5 of 5 seeds (0.121 ± 0.0036 vs 0.149 ± 0.0052)"
    )
    # Argument order does not change the sentence: the leader is named first.
    assert comparison_text(compare(AE1, AE2), "ae1", "ae2", "held-out MSE") == (
        comparison_text(c, "ae2", "ae1", "held-out MSE")
    )


def test_higher_is_better_flips_the_winner_and_the_sign():
    c = compare(AE2, AE1, lower_is_better=False)
    assert (c.wins_a, c.wins_b, c.verdict) == (0, 5, "B")
    assert comparison_text(c, "ae2", "ae1", "gap").startswith("ae1 > ae2 in gap in 5 of 5 seeds")


def test_every_seed_agreeing_is_not_enough_when_the_ranges_overlap():
    a = [0.10, 0.12, 0.14]
    b = [0.11, 0.13, 0.15]  # worse in every seed, but inside A's range
    c = compare(a, b)
    assert (c.wins_a, c.overlap, c.verdict) == (3, True, None)
    assert comparison_text(c, "x", "y", "MSE") == (
        "x vs y in MSE: not resolved (x < y in 3 of 3 seeds; 0.12 ± 0.016 vs 0.13 ± 0.016; "
        "their ranges over seeds overlap)"
    )


def test_disagreeing_seeds_leave_it_unresolved_even_with_separated_means():
    a = [0.10, 0.10, 0.30]
    b = [0.20, 0.20, 0.20]
    c = compare(a, b)
    assert (c.wins_a, c.wins_b, c.verdict) == (2, 1, None)
    assert "not resolved (x < y in 2 of 3 seeds;" in comparison_text(c, "x", "y", "MSE")
    assert "not in all 3 seeds, their ranges over seeds overlap)" in comparison_text(
        c, "x", "y", "MSE"
    )


def test_identical_values_are_a_tie_not_a_win():
    values = [0.2, 0.3, 0.25, 0.22, 0.28]
    c = compare(values, list(values))
    assert (c.wins_a, c.wins_b, c.overlap, c.verdict) == (0, 0, True, None)
    text = comparison_text(c, "ae2", "ae2_copy", "held-out MSE")
    assert "not resolved" in text and "in 0 of 5 seeds, equal in 5" in text


def test_touching_ranges_count_as_overlap():
    assert compare([1.0, 2.0], [2.0, 3.0]).overlap
    assert compare([1.0, 2.0], [2.0, 3.0]).verdict is None
    assert compare([1.0, 1.9], [2.0, 3.0]).verdict == "A"


def test_one_seed_resolves_nothing():
    c = compare([0.1], [0.9])
    assert (c.wins_a, c.overlap, c.verdict) == (1, False, None)
    assert comparison_text(c, "a", "b", "MSE") == (
        "a < b in MSE (0.1 vs 0.9) from 1 seed only; not resolved (one seed cannot separate "
        "the two)"
    )


def test_compare_needs_paired_values():
    with pytest.raises(ValueError, match="equally many"):
        compare([0.1, 0.2], [0.3])
    with pytest.raises(ValueError):
        compare([], [])


def test_spread_texts():
    spread = Spread.of([0.116, 0.125, 0.121])
    assert spread.text() == "0.121 ± 0.0037"
    assert spread.range_text() == "0.121 ± 0.0037, range 0.116 to 0.125"
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
    assert agreement_text(agreement([False]), "monotone", "not monotone") == (
        "not monotone from 1 seed only; not resolved (one seed)"
    )
