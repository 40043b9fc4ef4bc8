"""Small parsers shared by the services: quantities and money typed by a user."""

from __future__ import annotations

from benefit_cli.csvio.quantities import parse_quantity, parse_signed_quantity
from benefit_cli.domain.errors import UsageError


def quantity(text: str | int, unit: str, what: str = "--quantity") -> int:
    """A positive quantity in the unit's storage (cents for money)."""
    try:
        return parse_quantity(str(text), unit)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from exc


def signed_quantity(text: str, unit: str, what: str = "--by") -> int:
    try:
        return parse_signed_quantity(str(text), unit)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from exc


def money(text: str | None, what: str) -> int:
    """An amount of money in cents; zero allowed (a free item)."""
    if text is None or text.strip() in ("", "0", "0.0", "0.00"):
        return 0
    return quantity(text, "money", what)


def priority(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 100:
        raise UsageError(f"--priority must be between 1 and 100 (1 is drawn first), got {value}.")
    return value
