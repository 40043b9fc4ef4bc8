"""Quantities as people read them: money in currency units, everything else as it is.

Stored quantities are integers in the unit (uses, minutes, pages, cents), so sums stay
exact; these turn them into what a table, a CSV cell or a sentence shows.
"""

from __future__ import annotations

from decimal import Decimal


def money(cents: int | None) -> Decimal | None:
    """Cents as currency units with two decimals."""
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def amount(value: int | None, unit: str) -> int | Decimal | None:
    """A stored quantity as the user reads it: money in currency units, others as is."""
    return money(value) if unit == "money" else value


# The units a sentence names after the number, singular and plural. A count is of the
# type's name ("2 guest passes"), which a sentence says after the code instead.
_WORDS = {"minutes": ("minute", "minutes"), "pages": ("page", "pages")}


def show_amount(value: int, unit: str) -> str:
    """A quantity as a sentence says it: "3", "1 minute", "90 minutes", "12.50", "1 page"."""
    shown = amount(value, unit)
    if unit == "money":
        return f"{shown:.2f}"
    words = _WORDS.get(unit)
    if words is None:
        return str(shown)
    return f"{shown} {words[0] if abs(value) == 1 else words[1]}"
