"""What a user types, turned into typed values: quantities in a unit, money, priorities and
choices. Messages name the option, since only the command line knows it."""

from __future__ import annotations

from collections.abc import Sequence

from benefit_cli.domain.errors import UsageError


def quantity(text: str, unit: str, what: str = "--quantity") -> int:
    """A positive quantity in the unit's storage (cents for money)."""
    from benefit_cli.csvio.quantities import parse_quantity

    try:
        return parse_quantity(text, unit)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from exc


def signed_quantity(text: str, unit: str, what: str = "--by") -> int:
    from benefit_cli.csvio.quantities import parse_signed_quantity

    try:
        return parse_signed_quantity(text, unit)
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


def choice(value: str, allowed: Sequence[str], what: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise UsageError(f'{what} must be one of {", ".join(allowed)}; got "{value}".')
    return value


def code(text: str, what: str) -> str:
    """A type or plan code: one word, stored upper-case."""
    text = text.strip().upper()
    if not text or any(ch.isspace() for ch in text):
        raise UsageError(f'{what} "{text}" must be one word without spaces, e.g. GUESTPASS.')
    return text
