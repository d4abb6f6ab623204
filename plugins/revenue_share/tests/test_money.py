"""Pure money arithmetic: largest-remainder splits and the rounding modes (no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.revenue_share.money import apply_rate, round_fraction, split, to_yuan

rates = st.one_of(
    st.integers(0, 10_000),
    st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=600, deadline=None)
@given(total=st.integers(1, 10**10), weights=st.lists(rates, min_size=1, max_size=12))
def test_parts_add_up_and_stay_within_one_fen(total: int, weights: list[int | Decimal]) -> None:
    if sum(Fraction(w) for w in weights) == 0:
        weights = [*weights, 1]
    parts = split(total, weights)
    assert sum(parts) == total
    whole = sum(Fraction(w) for w in weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * Fraction(weight) / whole) < 1
        assert part >= 0


def test_ties_go_to_the_earlier_part() -> None:
    assert split(100, [1, 1, 1]) == [34, 33, 33]
    assert split(1, [1, 1]) == [1, 0]


@pytest.mark.parametrize(
    ("value", "half_even", "half_up", "down", "up"),
    [
        (Fraction(5, 2), 2, 3, 2, 3),
        (Fraction(7, 2), 4, 4, 3, 4),
        (Fraction(-5, 2), -2, -3, -2, -3),
        (Fraction(21, 10), 2, 2, 2, 3),
        (Fraction(3), 3, 3, 3, 3),
    ],
)
def test_rounding_modes(value: Fraction, half_even: int, half_up: int, down: int, up: int) -> None:
    expected = {"half_even": half_even, "half_up": half_up, "down": down, "up": up}
    assert {mode: round_fraction(value, mode) for mode in expected} == expected


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 10**12), rate=st.integers(0, 10_000))
def test_rates_match_decimal_arithmetic(amount: int, rate: int) -> None:
    exact = Decimal(amount) * Decimal(rate) / Decimal(10_000)
    assert apply_rate(amount, rate, "half_even") == int(exact.quantize(Decimal(1)))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        split(-1, [1])
    with pytest.raises(ValueError):
        split(1, [0, 0])
    with pytest.raises(ValueError):
        round_fraction(Fraction(1, 2), "bankers")
    assert to_yuan(12_345) == "123.45" and to_yuan(-5) == "-0.05"
