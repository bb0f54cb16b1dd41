"""Tax ID formats we accept: an Indian GSTIN (``in_gst``) and an EU VAT number (``eu_vat``).

Plain Python (no Django), so the local Stripe stand-in checks the same formats Stripe does.
Stripe refuses a malformed tax ID too; checking first keeps a refusal from leaving half a change.
"""

from __future__ import annotations

import re

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
# The countries the billing forms offer, by ISO code.
COUNTRIES = {"US": "United States", "IN": "India", "DE": "Germany", "FR": "France", "NL": "Netherlands",
             "ES": "Spain", "IT": "Italy", "IE": "Ireland", "GB": "United Kingdom"}
GSTIN = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
EU_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z]{8,12}$")
# Greece's VAT numbers start with EL, not GR.
VAT_PREFIX = {"GR": "EL"}


def tax_id_type(country: str) -> str | None:
    """Return the tax ID type a customer in ``country`` gives (in_gst, eu_vat), or None when we take none."""
    country = (country or "").upper()
    if country == "IN":
        return "in_gst"
    return "eu_vat" if country in EU_COUNTRIES else None


def tax_id_normalize(value: str) -> str:
    """Return the tax ID as Stripe stores it: upper case, without spaces, dots or dashes."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def tax_id_problem(country: str, value: str) -> str | None:
    """Return why ``value`` is not a valid tax ID for a customer in ``country``, or None when it is."""
    kind, value = tax_id_type(country), tax_id_normalize(value)
    if kind is None:
        return "Tax IDs are taken for India (GSTIN) and EU countries (VAT number) only; leave it empty."
    if kind == "in_gst" and not GSTIN.match(value):
        return "A GSTIN has 15 characters, like 27AAPFU0939F1ZV."
    if kind == "eu_vat":
        prefix = VAT_PREFIX.get(country.upper(), country.upper())
        if not EU_VAT.match(value) or not value.startswith(prefix):
            return f"An EU VAT number starts with the country code {prefix}, then 8 to 12 letters or digits, " \
                   f"like {prefix}123456789."
    return None
