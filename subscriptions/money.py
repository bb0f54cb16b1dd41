"""The one money formatter: integer minor units (cents, paise) as the visitor reads them.

English-language formatting in every currency: the symbol first, a point for decimals; dollars and
euros grouped by thousands ($1,234.50, €1,234.50), rupees the Indian way (₹1,00,000, ₹12,34,567).
Whole amounts drop their decimals ($49), as our published prices are written.
"""

from __future__ import annotations

from subscriptions.catalog import CURRENCY

SYMBOLS = {"usd": "$", "eur": "€", "inr": "₹"}


def grouped(whole: int, currency: str) -> str:
    """Return the whole units with their separators: 1,234,567, or for rupees 12,34,567."""
    digits = str(whole)
    if currency != "inr" or len(digits) <= 3:
        return f"{whole:,}"
    head, tail = digits[:-3], digits[-3:]
    pairs = [head[max(0, end - 2):end] for end in range(len(head), 0, -2)]
    return ",".join(reversed(pairs)) + "," + tail


def money_format(amount: int, currency: str = CURRENCY) -> str:
    """Return ``amount`` minor units of ``currency`` for display: 4900 usd → $49, 10000000 inr → ₹1,00,000."""
    amount = int(amount)
    sign, (whole, rest) = ("-" if amount < 0 else ""), divmod(abs(amount), 100)
    currency = (currency or CURRENCY).lower()
    number = grouped(whole, currency) + (f".{rest:02d}" if rest else "")
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {currency.upper()}"
