"""The visitor's currency on the public site: asked for with ``?currency=``, remembered in a cookie.

A cookie rather than the session: the public pages stay free of session rows and queries, and the
choice is the visitor's, not a secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions import catalog

COOKIE = "unison_currency"
COOKIE_AGE = 365 * 24 * 3600
NAMES = {"usd": "US dollars", "eur": "Euros", "inr": "Indian rupees"}


@dataclass(frozen=True)
class CurrencyChoice:
    code: str  # one of catalog.CURRENCIES
    asked: str = ""  # a valid ``?currency=`` to remember, else ""
    refusal: str = ""  # why an unknown ``?currency=`` was not used


def currency_choice(request) -> CurrencyChoice:
    """Return the currency to show: a known ``?currency=``, else the remembered one, else USD."""
    remembered = request.COOKIES.get(COOKIE, "")
    remembered = remembered if remembered in catalog.CURRENCIES else catalog.CURRENCY
    if "currency" not in request.GET:
        return CurrencyChoice(remembered)
    asked = request.GET["currency"].strip().lower()
    if asked in catalog.CURRENCIES:
        return CurrencyChoice(asked, asked=asked)
    shown = request.GET["currency"][:12]
    return CurrencyChoice(catalog.CURRENCY, refusal=(
        f"We don't sell in \u201c{shown}\u201d: prices are shown in USD. Choose USD, EUR or INR."))


def currency_remember(response, choice: CurrencyChoice) -> None:
    """Keep a currency the visitor asked for in the cookie for a year."""
    if choice.asked:
        response.set_cookie(COOKIE, choice.asked, max_age=COOKIE_AGE, samesite="Lax")
