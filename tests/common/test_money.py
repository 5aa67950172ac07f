"""Billing rounds half-even once, on the total; amounts read in the currency."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from common.money import billed_cents, money_text


def test_half_a_cent_rounds_to_the_even_cent() -> None:
    assert billed_cents(1, 1800) == 0  # 0.5 cent → 0
    assert billed_cents(3, 1800) == 2  # 1.5 cents → 2
    assert billed_cents(5, 1800) == 2  # 2.5 cents → 2
    assert billed_cents(3600 * 12 + 1800, 4500) == 56250  # 12.5 h at $45.00


@given(st.integers(0, 10**7), st.integers(0, 10**6))
def test_the_amount_is_the_exact_one_within_half_a_cent(seconds: int, rate: int) -> None:
    exact = Decimal(seconds) * rate / 3600

    assert abs(billed_cents(seconds, rate) - exact) <= Decimal("0.5")


def test_amounts_read_with_their_currency() -> None:
    assert money_text(123450, "USD") == "$1,234.50"
    assert money_text(5, "EUR") == "€0.05"
    assert money_text(-2000, "USD") == "−$20.00"
    assert money_text(123450, "CHF") == "1,234.50 CHF"
