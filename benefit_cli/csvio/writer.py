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
from itertools import islice
from typing import IO, Any, cast

__all__ = ["safe_cell", "write_csv"]

_RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset(_RISKY_STARTS)
_SEQUENCES = (tuple, list)  # checked first: cheaper than the abstract Mapping
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


# A large export is checked a chunk of rows at a time, and a column at a time: a column
# that holds only whole numbers and empty cells, or only text of which none starts with a
# risky character — nearly every column of every chunk — is written as it is, with no
# Python code run per cell. Any other column is converted cell by cell.
_CHUNK = 1000
_NONE = type(None)
_AS_IS = frozenset((int, _NONE))
_TEXT = frozenset((str, _NONE))
_SEPARATOR = "\x00"
_RISKY_AFTER_SEPARATOR = re.compile(_SEPARATOR + "[" + re.escape("".join(_RISKY_STARTS)) + "]")


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

    Every cell is written as ``safe_cell`` would have it: text as it is unless its first
    character is risky, whole numbers as digits, None as an empty cell, and any other
    value as ``text`` shows it (a renderer passes how it shows money and dates), checked.
    The caller opens ``fileobj`` with ``newline=''``; lines end with CRLF as Excel
    expects. Returns the number of data rows written.
    """
    writer = csv.writer(fileobj)
    writer.writerow([safe_cell(name) for name in columns])
    count = 0
    source = iter(rows)
    while chunk := [
        row if isinstance(row, _SEQUENCES) or not isinstance(row, Mapping) else list(map(row.get, columns))
        for row in islice(source, _CHUNK)
    ]:
        writer.writerows(_safe_chunk(chunk, text))
        count += len(chunk)
    return count


def _safe_chunk(chunk: list[Sequence[Any]], text: Callable[[Any], str]) -> Iterable[Sequence[Any]]:
    columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
    changed = False
    for index, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds <= _AS_IS or (kinds <= _TEXT and _plain_text(column, _NONE in kinds)):
            continue
        columns[index] = [
            (safe_cell(c) if c[:1] in _RISKY_FIRST else c)
            if c.__class__ is str
            else (c if c is None or c.__class__ is int else safe_cell(text(c)))
            for c in column
        ]
        changed = True
    return zip(*columns, strict=True) if changed else chunk


def _plain_text(column: Sequence[str | None], with_none: bool) -> bool:
    """Whether no text in the column starts with a risky character. Joined, each text
    follows a separator, so one that starts with a risky character shows as a separator
    followed by it (a separator inside a text can only make a harmless text look risky,
    and be checked cell by cell)."""
    texts = [c for c in column if c is not None] if with_none else column
    joined = _SEPARATOR + _SEPARATOR.join(cast(Sequence[str], texts))
    return _RISKY_AFTER_SEPARATOR.search(joined) is None
