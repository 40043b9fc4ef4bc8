"""Read the dates found in spreadsheet exports: ISO first, slash dates only when unambiguous.

``YYYY-MM-DD`` is the fast path. ``DD/MM/YYYY`` and ``MM/DD/YYYY`` are read the way the user
says (``dayfirst``); without a say, a slash date that reads both ways is refused rather
than guessed, because a wrong guess silently books a use on the wrong day. ``DD.MM.YYYY``
is always day first. Results are cached: an import has few distinct dates and many rows.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

__all__ = ["parse_date"]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _invalid(text: str, hint: str = "") -> ValueError:
    return ValueError(f"'{text}' is not a valid date{hint}; write dates as YYYY-MM-DD.")


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _slash_date(text: str, dayfirst: bool | None) -> dt.date:
    separator = "." if "." in text else "/"
    parts = text.split(separator)
    if len(parts) != 3:
        raise _invalid(text)
    first, second, year = parts
    if not (
        1 <= len(first) <= 2
        and 1 <= len(second) <= 2
        and len(year) == 4
        and (first + second + year).isascii()
        and (first + second + year).isdigit()
    ):
        raise _invalid(text)
    a, b, y = int(first), int(second), int(year)
    if separator == ".":
        dayfirst = True  # dotted dates are day first wherever they are written
    if dayfirst is True:
        found = _make(y, b, a)
        if found is None:
            raise _invalid(text, " when read day first (DD/MM/YYYY)")
        return found
    if dayfirst is False:
        found = _make(y, a, b)
        if found is None:
            raise _invalid(text, " when read month first (MM/DD/YYYY)")
        return found
    as_dayfirst = _make(y, b, a)
    as_monthfirst = _make(y, a, b)
    if as_dayfirst is not None and as_monthfirst is not None and as_dayfirst != as_monthfirst:
        raise ValueError(
            f"'{text}' could be {a} {_MONTHS[b - 1]} or {_MONTHS[a - 1]} {b}; write it as "
            "YYYY-MM-DD, or say how to read slash dates with --dayfirst or --monthfirst."
        )
    found = as_dayfirst or as_monthfirst
    if found is None:
        raise _invalid(text)
    return found


@lru_cache(maxsize=8192)
def parse_date(text: str, *, dayfirst: bool | None = None) -> dt.date:
    """Return the date written in ``text``; raise ``ValueError`` with a sentence for a user.

    ``dayfirst``: True reads slash dates DD/MM/YYYY, False reads MM/DD/YYYY, None accepts a
    slash date only if it reads one way. ``20230523`` and other forms are refused.
    """
    # lru_cache caches only returned values, so a refused text raises afresh every time.
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise _invalid(text) from None
    stripped = text.strip()
    if not stripped:
        raise ValueError("the date is empty; write dates as YYYY-MM-DD.")
    if stripped != text:
        return parse_date(stripped, dayfirst=dayfirst)
    if "/" in text or "." in text:
        return _slash_date(text, dayfirst)
    if len(text) == 8 and text.isascii() and text.isdigit():
        raise _invalid(text, f" (use dashes: {text[:4]}-{text[4:6]}-{text[6:]})")
    raise _invalid(text)
