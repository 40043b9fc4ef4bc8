"""Read the dates found in spreadsheet exports: ISO first, slash dates only when unambiguous.

``YYYY-MM-DD`` is the fast path. ``DD/MM/YYYY`` and ``MM/DD/YYYY`` are read the way the user
says (``dayfirst``); without a say, a slash date that reads both ways is refused rather
than guessed, because a wrong guess silently books a use on the wrong day. ``DD.MM.YYYY``
is always day first, even with ``--monthfirst``: nobody writes month-first dates with
dots, and German and other European spreadsheets write day-first ones by default.

A two-digit year (``05.03.26``, German LibreOffice's default, or ``05/03/26``) is read as
2000-2069 for 00-69 and 1970-1999 for 70-99. That is a guess about the century, so an
import says it made it: ``DateReader`` parses like ``parse_date`` and keeps the texts it
read that way for the import's summary.

Results are cached: an import has few distinct dates and many rows.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from benefit_cli.domain.dates import FIRST_DAY, LAST_DAY, OUT_OF_RANGE

__all__ = ["DateReader", "century_of", "parse_date"]

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


#: Two-digit years up to this one are read in the 2000s, later ones in the 1900s.
_LAST_OF_2000S = 69


def century_of(two_digits: int) -> int:
    """The year a two-digit year stands for: 00-69 -> 2000-2069, 70-99 -> 1970-1999."""
    return two_digits + (2000 if two_digits <= _LAST_OF_2000S else 1900)


def _slash_date(text: str, dayfirst: bool | None) -> dt.date:
    separator = "." if "." in text else "/"
    parts = text.split(separator)
    if len(parts) != 3:
        raise _invalid(text)
    first, second, year = parts
    if not (
        1 <= len(first) <= 2
        and 1 <= len(second) <= 2
        and len(year) in (2, 4)
        and (first + second + year).isascii()
        and (first + second + year).isdigit()
    ):
        raise _invalid(text)
    a, b, y = int(first), int(second), int(year)
    if len(year) == 2:
        y = century_of(y)
    if separator == ".":
        dayfirst = True  # dotted dates are day first wherever they are written
    if dayfirst is True:
        found = _make(y, b, a)
        if found is None:
            raise _invalid(text, f" when read day first (DD{separator}MM{separator}YYYY)")
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
    slash date only if it reads one way; dotted dates DD.MM.YYYY are day first whatever it
    says. Years may have two digits in slash and dotted dates (see ``century_of``).
    ``20230523`` and other forms are refused, as is a date out of ``FIRST_DAY..LAST_DAY``.
    """
    day = _parse_date(text, dayfirst)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"'{text.strip()}' is out of range: {OUT_OF_RANGE}.")
    return day


def _parse_date(text: str, dayfirst: bool | None) -> dt.date:
    """``parse_date`` but for its range."""
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


def _has_two_digit_year(text: str) -> bool:
    """Whether a date text that parsed ends in a two-digit year ("5.3.26", "05/03/26 ")."""
    text = text.rstrip()
    return len(text) >= 3 and text[-3] in "./" and text[-2:].isdigit()


class DateReader:
    """``parse_date`` for one import, remembering which dates had a two-digit year.

    An importer makes one per file, calls ``parse`` for every date cell, and at the end
    puts ``two_digit_note()`` (when it is not None) in its summary, as SPEC §4 asks. A
    repeated text costs one dict look-up (less than ``parse_date``); only a text seen for
    the first time that is not ISO is looked at for its year.
    """

    #: How many example texts ``two_digit_note`` shows.
    EXAMPLES = 3

    #: Distinct texts remembered; a file has about a thousand, so this is rarely reached.
    CACHED = 10_000

    def __init__(self, dayfirst: bool | None = None) -> None:
        self.dayfirst = dayfirst
        #: Each distinct text read with a two-digit year -> the date it was read as,
        #: in the order first seen. A file has few distinct dates, so this stays small.
        self.two_digit_years: dict[str, dt.date] = {}
        self._known: dict[str, dt.date] = {}

    def parse(self, text: str) -> dt.date:
        """The date in ``text``; raises ``ValueError`` with a sentence, as ``parse_date``."""
        # A dict of its own answers a repeated text faster than parse_date's lru_cache.
        day = self._known.get(text)
        if day is None:
            day = parse_date(text, dayfirst=self.dayfirst)
            if text[4:5] != "-" and _has_two_digit_year(text):
                self.two_digit_years.setdefault(text.strip(), day)
            if len(self._known) >= self.CACHED:
                self._known.clear()
            self._known[text] = day
        return day

    def two_digit_note(self) -> str | None:
        """A clause for the import's summary when two-digit years were read, else None.

        E.g. ``two-digit years were read as 2000-2069 or 1970-1999 ("05.03.26" as
        2026-03-05, "1.1.99" as 1999-01-01)``.
        """
        if not self.two_digit_years:
            return None
        shown = list(self.two_digit_years.items())[: self.EXAMPLES]
        examples = ", ".join(f'"{text}" as {day.isoformat()}' for text, day in shown)
        more = len(self.two_digit_years) - len(shown)
        if more:
            examples += f" and {more} more"
        return f"two-digit years were read as 2000-2069 or 1970-1999 ({examples})"
