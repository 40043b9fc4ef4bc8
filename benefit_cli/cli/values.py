"""What a user types, turned into typed values: quantities in a unit, money, priorities and
choices, ids and other whole numbers. Messages name the option, since only the command line
knows it.

Every number a command takes has a range. A whole-number option or argument is read by a
``Whole`` (a Typer ``parser``) rather than by Click's ``int``, so that anything outside its
range — a typo, a negative, ``99999999`` days that no date can hold, an id larger than SQLite
can store — is one ``Error:`` line (exit 2) before the command starts, never Click's usage
text nor an overflow deep inside a report.
"""

from __future__ import annotations

from collections.abc import Sequence

from benefit_cli.domain.errors import UsageError

#: The largest id SQLite can give a row (a signed 64-bit integer).
MAX_ID = 2**63 - 1
_DIGITS = frozenset("0123456789")


class Whole:
    """A whole number from ``low`` to ``high``, as Typer's ``parser=`` for an option or an
    argument. Only ASCII digits with an optional ``+`` are read (Python's ``int`` also takes
    ``1_000`` and other scripts' digits, which no spreadsheet or person means here)."""

    __name__ = "integer"  # Click names a parameter's type after its parser: --help shows <integer>

    def __init__(
        self, what: str, low: int, high: int, meaning: str = "a whole number", hint: str = ""
    ) -> None:
        self.what, self.low, self.high, self.meaning, self.hint = what, low, high, meaning, hint

    def __call__(self, value: str | int) -> int:
        if isinstance(value, int):  # a default, already a number
            number: int | None = value
        else:
            digits = value.strip().removeprefix("+")
            # 20 digits hold any int64: longer is out of range, and never handed to int().
            number = int(digits) if digits and len(digits) <= 20 and _DIGITS.issuperset(digits) else None
        if number is None or not self.low <= number <= self.high:
            raise UsageError(self.refusal(str(value)))
        return number

    def refusal(self, text: str) -> str:
        return f'{self.what} must be {self.meaning} from {self.low} to {self.high}{self.hint}, got "{text}".'


class Id(Whole):
    """The id of a row (a level, a membership, ...): a whole number from 1 up."""

    def __init__(self, what: str, thing: str, listing: str) -> None:
        super().__init__(what, 1, MAX_ID)
        self.thing, self.listing = thing, listing

    def refusal(self, text: str) -> str:
        return (
            f'{self.what} "{text}" is not {self.thing} id: ids are whole numbers from 1 to {MAX_ID}.'
            f" Find it with: {self.listing}."
        )


def level_id(what: str = "LEVEL") -> Id:
    return Id(what, "a level", "benefit level list --contact C")


def membership_id(what: str = "MEMBERSHIP") -> Id:
    return Id(what, "a membership", "benefit membership list --contact C")


def allocation_id(what: str = "ALLOCATION") -> Id:
    return Id(what, "an allocation", "benefit allocation list --contact C")


def entry_id(what: str = "ENTRY") -> Id:
    return Id(what, "a ledger entry", "benefit usage list --contact C")


def registration_id(what: str = "REGISTRATION") -> Id:
    return Id(what, "an event registration", "benefit event registrations EVENT")


#: A balance's place in the consumption order (SPEC §1: 1-100, lowest drawn first).
PRIORITY = Whole("--priority", 1, 100, hint=" (1 is drawn first)")


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
