"""Money: integer amounts in the currency's minor unit (cents), never floats; time billed at an
hourly rate is rounded half-even to the cent once, on the total."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

SECONDS_PER_HOUR = 3600


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
