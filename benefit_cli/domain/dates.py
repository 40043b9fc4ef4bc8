"""Dates typed on the command line, and the arithmetic of terms and periods.

Terms and periods are anchored on the start date with ``relativedelta`` (never chained
month by month, never SQLite's date modifiers): a 12-month term starting 2026-01-31 ends
2027-01-30, and its monthly periods start on 01-31, 02-28, 03-31, ...
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from benefit_cli.domain.errors import UsageError

ONE_DAY = dt.timedelta(days=1)
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}

#: The dates a command or a file may name: any membership's, and narrow enough that a term
#: of 1200 months, a grace of 3650 days or a look 36500 days ahead never runs off the
#: calendar, which ends with 9999 (0001-01-01 and 9999-12-31 were internal errors).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
OUT_OF_RANGE = f"dates run from {FIRST_DAY} to {LAST_DAY} (for a benefit that never ends, {LAST_DAY} will do)"


def parse_iso(text: str, what: str) -> dt.date:
    """A command-line date: strictly ``YYYY-MM-DD``."""
    text = text.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if not FIRST_DAY <= day <= LAST_DAY:
                raise UsageError(f'{what} "{text}" is out of range: {OUT_OF_RANGE}.')
            return day
    raise UsageError(f'{what} "{text}" is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-01.')


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def from_iso(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def add_months(start: dt.date, months: int) -> dt.date:
    return start + (_RELATIVEDELTA or _load_relativedelta())(months=months)


# dateutil takes about 5 ms to load: only commands that compute terms pay for it (once).
_RELATIVEDELTA: Any = None


def _load_relativedelta() -> Any:
    global _RELATIVEDELTA
    from dateutil.relativedelta import relativedelta

    _RELATIVEDELTA = relativedelta
    return relativedelta


def term_end(start: dt.date, months: int) -> dt.date:
    """The last day of a term of ``months`` starting on ``start``."""
    return add_months(start, months) - ONE_DAY


def periods(
    start: dt.date, end: dt.date, per: str, anchor: dt.date | None = None, offset: int = 0
) -> list[tuple[dt.date, dt.date]]:
    """The periods of a term ``start..end`` (inclusive) for a ``per`` rule.

    ``term`` is one period; ``month``/``quarter``/``year`` periods begin ``offset`` + k*step
    months after ``anchor`` (default: the term's own start), so a renewal's periods keep the
    day of month its chain began on; the last one is cut at ``end``.
    """
    if per == "term":
        return [(start, end)]
    step = PERIOD_MONTHS[per]
    anchor = anchor or start
    result = []
    k = 0
    while True:
        begin = max(start, add_months(anchor, offset + k * step))
        if begin > end:
            break
        finish = min(add_months(anchor, offset + (k + 1) * step) - ONE_DAY, end)
        result.append((begin, finish))
        k += 1
    return result
