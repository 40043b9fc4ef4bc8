"""Read and write quantities in a benefit's unit, exactly.

Quantities are stored as integers in the unit: uses (``count``), ``minutes``, ``pages``, or
cents (``money``), so sums stay exact. Money is read from text by splitting on the decimal
point, never through a binary float: "0.10" is 10 cents, always.

What a spreadsheet writes depends on its locale: "1.000" is one thousand in Germany and
one in England. A number that could be read both ways is refused with both readings
rather than guessed, because a wrong guess records a thousand uses instead of one.
"""

from __future__ import annotations

__all__ = ["UNITS", "format_quantity", "parse_quantity", "parse_signed_quantity"]

UNITS = ("count", "minutes", "pages", "money")

#: Larger than any real quantity, small enough that a million of them fit in SQLite's int64.
MAX_QUANTITY = 999_999_999_999

_WHOLE_NOUN = {"count": "whole number", "minutes": "whole number of minutes",
               "pages": "whole number of pages"}  # fmt: skip
_DIGITS = frozenset("0123456789")
#: Marks that group thousands in some locale and never mark decimals (NBSP and narrow NBSP:
#: French; apostrophe: Swiss; underscore: Python).
_GROUP_MARKS = (" ", "\u00a0", "\u202f", "'", "_")


def _expect(unit: str, signed: bool) -> str:
    if unit == "money":
        what = "amount with at most two decimals, like 12.50"
        return f"an {what} (or -12.50)" if signed else f"a positive {what}"
    noun = _WHOLE_NOUN[unit]
    return f"a {noun} with a sign, like +3 or -2" if signed else f"a positive {noun}"


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")


def _digits(text: str) -> bool:
    return bool(text) and _DIGITS.issuperset(text)


def _parse_magnitude(body: str, text: str, unit: str, signed: bool) -> int:
    """Value of an unsigned number ``body`` in storage units; ``text`` is shown in errors.

    ``.`` and ``,`` are both decimal marks, as spreadsheets write them in English and in
    European locales. Each is also a thousands separator somewhere, so one mark followed by
    exactly three digits ("1.000", "1,000", "12.505") is refused as ambiguous in every
    unit, as are numbers with several marks or a space, apostrophe or underscore.
    """
    expect = _expect(unit, signed)
    if body.count(".") + body.count(",") > 1 or any(mark in body for mark in _GROUP_MARKS):
        raise ValueError(f"quantity must be {expect}, written without thousands separators, got '{text}'.")
    mark = "." if "." in body else ","
    whole, _, frac = body.partition(mark)
    if not (whole or frac) or (whole and not _digits(whole)) or (frac and not _digits(frac)):
        raise ValueError(f"quantity must be {expect}, got '{text}'.")
    if len(frac) == 3 and len(whole) <= 3 and whole[:1] not in ("", "0"):
        raise _ambiguous(whole, frac, text, unit, signed)
    if unit == "money":
        if len(frac) > 2:
            raise ValueError(f"quantity must be {expect}; '{text}' has more than two decimals.")
        value = int(whole or "0") * 100 + int(frac.ljust(2, "0"))
    else:
        if frac.strip("0"):
            raise ValueError(f"quantity must be a {_WHOLE_NOUN[unit]}, got '{text}'.")
        value = int(whole or "0")
    if value > MAX_QUANTITY:
        raise ValueError(f"quantity '{text}' is too large; check the number.")
    return value


def _ambiguous(whole: str, frac: str, text: str, unit: str, signed: bool) -> ValueError:
    """The refusal of "1.000": one thousand with a thousands separator, or one with decimals?"""
    sign = "-" if signed and text.startswith("-") else ""
    decimals = frac.rstrip("0")
    as_decimal = f"{sign}{whole}.{decimals}" if decimals else sign + whole
    as_thousands = sign + whole + frac
    if unit == "money":
        other = f", or as {as_decimal}" if len(decimals) <= 2 else ", or with at most two decimals"
    else:
        other = "" if decimals else f", or as {as_decimal}"
    return ValueError(
        f"quantity '{text}' is ambiguous ({as_decimal} or {as_thousands}?); write it without a "
        f"thousands separator, like {as_thousands}{other}."
    )


def parse_quantity(text: str, unit: str) -> int:
    """Return the positive quantity written in ``text`` in ``unit``'s storage (cents for money).

    Raises ``ValueError`` with a sentence for a user for empty, zero, negative, fractional
    (except money, up to two decimals) or non-numeric text.
    """
    if unit in _WHOLE_NOUN:
        try:
            value = int(text)
        except ValueError:
            pass
        else:
            # int() also takes "1_000" and non-ASCII digits; send those the slow way.
            if 0 < value <= MAX_QUANTITY and text.isascii() and "_" not in text:
                return value
    _check_unit(unit)
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"the quantity is empty; write {_expect(unit, False)}.")
    body = stripped[1:] if stripped[0] == "+" else stripped
    if body.startswith("-"):
        _parse_magnitude(body[1:], stripped, unit, False)  # a non-number says so first
        raise ValueError(f"quantity must be {_expect(unit, False)}, got '{stripped}'.")
    value = _parse_magnitude(body, stripped, unit, False)
    if value == 0:
        raise ValueError(f"quantity must be {_expect(unit, False)}, got '{stripped}'.")
    return value


def parse_signed_quantity(text: str, unit: str) -> int:
    """Like ``parse_quantity`` but for a change (``adjust --by``): a sign is allowed, 0 is not."""
    _check_unit(unit)
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"the quantity is empty; write {_expect(unit, True)}.")
    sign = 1
    body = stripped
    if body[0] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    value = _parse_magnitude(body, stripped, unit, True)
    if value == 0:
        raise ValueError(f"the change must not be zero; write {_expect(unit, True)}.")
    return sign * value


def format_quantity(value: int, unit: str) -> str:
    """Write a stored quantity for people: cents as "12.50" (or "-3.00"), others as "3"."""
    if unit == "money":
        sign = "-" if value < 0 else ""
        whole, cents = divmod(abs(value), 100)
        return f"{sign}{whole}.{cents:02d}"
    return str(int(value))
