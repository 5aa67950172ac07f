"""Money: integer amounts in the currency's minor unit (cents), never floats; time billed at an
hourly rate is rounded half-even to the cent once, on the total."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

SECONDS_PER_HOUR = 3600
MAX_AMOUNT_CENTS = 100_000_000_00  # a hundred million in the currency: a typo, past it
_AMOUNT = re.compile(r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{1,2}))?")


def billed_cents(seconds: int, hourly_rate_cents: int) -> int:
    """``seconds`` of time at the hourly rate, rounded half-even to the cent."""
    exact = Decimal(seconds) * Decimal(hourly_rate_cents) / SECONDS_PER_HOUR
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money_text(cents: int, currency: str) -> str:
    """An amount as people read it: "$1,234.50", "€45.00", "−$20.00", "1,234.50 CHF" (every
    currency taken has cents)."""
    minus = "−" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    amount = f"{whole:,}.{part:02d}"
    sign = CURRENCY_SIGNS.get(currency)
    return f"{minus}{sign}{amount}" if sign else f"{minus}{amount} {currency}"


def typed_cents(text: str, currency: str, least: int = 1, most: int = MAX_AMOUNT_CENTS) -> int:
    """An amount as a person types it ("1200", "1,200.50") in integer cents, read exactly (no
    floats); ValueError says what is wrong with it."""
    typed = text.strip()
    found = _AMOUNT.fullmatch(typed)
    if typed.startswith(("-", "−")):
        raise ValueError("an amount cannot be negative")
    if re.fullmatch(r"[\d,]*\.\d{3,}", typed):
        raise ValueError("an amount has at most 2 decimals (cents)")
    if found is None:
        raise ValueError("type an amount in digits, such as 1200 or 1,200.50")
    whole = found["whole"].replace(",", "").lstrip("0")
    if len(whole) > len(str(most)):  # too many digits to be read as a number, let alone an amount
        raise ValueError(f"the amount can be at most {money_text(most, currency)}")
    cents = int(whole or "0") * 100 + int((found["cents"] or "0").ljust(2, "0"))
    if cents < least:
        raise ValueError(f"the amount must be at least {money_text(least, currency)}")
    if cents > most:
        raise ValueError(f"the amount can be at most {money_text(most, currency)}")
    return cents
