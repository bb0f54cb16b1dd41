"""Text for CSV cells a spreadsheet will open: a cell that starts like a formula is not run as one."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_quoted(value):
    """Return ``value`` with a leading ' when it is text a spreadsheet would run as a formula; else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value
