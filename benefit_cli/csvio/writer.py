"""Write CSV that is safe to open in a spreadsheet (SPEC 3, "CSV exports").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be
run as a formula by Excel or LibreOffice ("CSV injection"), so it is written with a leading
``'``, which spreadsheets show as text. Genuine numbers ("-3", "+2", "-3.50") are left
alone so that they stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

__all__ = ["safe_cell", "write_csv"]

_RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset(_RISKY_STARTS)
_MAPPINGS = (dict, Mapping)  # dict first: a cheap check before the abstract one
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def safe_cell(value: Any) -> Any:
    """Return ``value`` ready for a CSV cell: risky text gets a leading ``'``; None is ''."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_RISKY_STARTS):
        if _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def write_csv(
    fileobj: IO[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any] | Mapping[str, Any]],
    text: Callable[[Any], str] = str,
) -> int:
    """Write a header and then ``rows`` (sequences in column order, or mappings by column).

    Text, whole numbers and None are written as they are (None as an empty cell); any
    other value as ``text`` gives it (a renderer passes how it shows money and dates).
    The caller opens ``fileobj`` with ``newline=''``; lines end with CRLF as Excel
    expects. Returns the number of data rows written.
    """
    writer = csv.writer(fileobj)
    writer.writerow([safe_cell(name) for name in columns])
    count = 0
    for row in rows:
        cells = map(row.get, columns) if isinstance(row, _MAPPINGS) else row
        # One pass over millions of cells in a large export. Text: as it is, unless its
        # first character is risky. Whole numbers and None: as they are (csv writes the
        # digits, or an empty cell). Anything else: as ``text`` shows it, checked.
        writer.writerow(
            [
                (
                    (safe_cell(c) if c[:1] in _RISKY_FIRST else c)
                    if c.__class__ is str
                    else (c if c is None or c.__class__ is int else safe_cell(text(c)))
                )
                for c in cells
            ]
        )
        count += 1
    return count
