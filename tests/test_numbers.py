"""core.numbers: one formatter; no signed zero, no zero for a non-zero quantity, effects
and bounds that differ in print when they differ in value, labelled spreads."""

import numpy as np
import pytest

from aeflow.core.numbers import (
    cell,
    count,
    distinct,
    events,
    interval,
    iqm,
    modes,
    number,
    share,
    spread,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (-2.9e-7, "-2.9e-07"),
        (0.0043, "0.0043"),
        (0.12345, "0.12"),
        (1250.0, "1,250"),
        (96000.0, "96,000"),
        (1234.5, "1,234"),
        (float("nan"), "n/a"),
    ],
)
def test_number(value, text):
    assert number(value) == text


def test_a_non_zero_share_never_prints_as_zero_percent():
    assert share(-2.9e-7) != "0%" and share(-2.9e-7).startswith("-")
    assert share(0.0) == "0%"
    assert share(0.453) == "45%"


def test_an_effect_and_its_bounds_differ_in_print():
    assert distinct([0.121, 0.124, 0.126]) == ["0.121", "0.124", "0.126"]
    assert interval(0.12, 0.13) == "0.12 to 0.13"
    assert len(set(distinct([0.1201, 0.1202, 0.1203]))) == 3


def test_counts_and_spreads_are_labelled():
    assert count(3, 5) == "3 of 5 seeds"
    assert spread([1.0, 2.0, 3.0]) == "mean 2 (SD 1, 3 seeds)"  # the sample SD (n - 1)
    assert cell([1.0, 2.0, 3.0]) == "2 ± 1"
    assert spread([0.5]) == "0.5 (1 seed)"


def test_seeds_split_into_modes_are_named_with_median_and_iqm():
    # The Playground baseline's shape: 2 of 5 seeds stuck, the rest near 0.0003.
    losses = [0.0003, 0.0004, 0.0002, 0.02, 0.06]
    low, high = modes(losses)
    assert list(high) == [0.02, 0.06] and len(low) == 3
    text = spread(losses)
    assert "seeds split: 2 of 5 at 0.02 to 0.06" in text and "median 0.0004" in text
    assert iqm(losses) == pytest.approx(np.mean([0.0003, 0.0004, 0.02]))
    assert modes([0.1, 0.11, 0.12]) is None


def test_counts_print_as_counts():
    assert events([0, 0, 0, 3, 0]) == "3 in 1 of 5 seeds"
    assert events([1, 9, 0, 2, 0]) == "12 in 3 of 5 seeds (most 9)"
    assert events([0, 0]) == "none in 2 seeds"
