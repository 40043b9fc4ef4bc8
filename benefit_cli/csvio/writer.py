"""Write CSV that is safe to open in a spreadsheet (SPEC 3, "CSV exports").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be
run as a formula by Excel or LibreOffice ("CSV injection"), so it is written with a leading
``'``, which spreadsheets show as text. Genuine numbers ("-3", "+2", "-3.50") are left
alone so that they stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

__all__ = ["safe_cell", "write_csv"]

_RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset(_RISKY_STARTS)
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
) -> int:
    """Write a header and then ``rows`` (sequences in column order, or mappings by column).

    The caller opens ``fileobj`` with ``newline=''``; lines end with CRLF as Excel expects.
    Returns the number of data rows written.
    """
    writer = csv.writer(fileobj)
    writer.writerow([safe_cell(name) for name in columns])
    count = 0
    for row in rows:
        if isinstance(row, Mapping):
            cells: Iterable[Any] = (row.get(name) for name in columns)
        else:
            cells = row
        # Only text can be risky, and only by its first character; csv writes numbers as
        # digits and None as an empty cell. A large export has millions of cells.
        writer.writerow([safe_cell(c) if c.__class__ is str and c[:1] in _RISKY_FIRST else c for c in cells])
        count += 1
    return count
