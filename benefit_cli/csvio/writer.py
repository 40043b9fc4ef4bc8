"""Write CSV that is safe to open in a spreadsheet (SPEC 3, "CSV exports").

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return would be
run as a formula by Excel or LibreOffice ("CSV injection"), so it is written with a leading
``'``, which spreadsheets show as text. Genuine numbers ("-3", "+2", "-3.50") are left
alone so that they stay numbers.

The delimiter is a comma, or a semicolon or a tab for the spreadsheets of locales whose
decimal separator is a comma (SPEC 3, "Spreadsheets").
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice
from typing import IO, Any, cast

__all__ = ["safe_cell", "write_csv"]

_RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SEQUENCES = frozenset((tuple, list))
_TUPLE = frozenset((tuple,))
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


# A large export is written a chunk of rows at a time, and checked a column at a time:
# nearly every column of every chunk is plain — whole numbers, or text none of which
# starts with a risky character — and a column of those with no empty cell is checked
# and turned into text with no Python code run per cell (a join and substring tests, or
# a map of str over whole numbers).
# Lines are formatted directly, as csv would write them and faster: the few cells to
# quote are quoted as csv quotes them (only in the columns that hold one), then each row
# goes through one ``%s`` template (whole numbers become digits inside that C call, with
# no string made per cell first). A lone column goes through csv.
_CHUNK = 1000
_SEPARATOR = "\x00"
# One regular expression, not a substring test per character: "\x00" is in the text
# once a cell, which makes a two-character substring search slow (5x here).
_RISKY_AFTER_SEPARATOR = re.compile(_SEPARATOR + "[" + re.escape("".join(_RISKY_STARTS)) + "]")
_QUOTED = ('"', "\r", "\n")  # what csv quotes a cell for, besides the delimiter
_LINE_END = "\r\n"  # csv's default, which Excel expects
_INT, _NONE = frozenset((int,)), type(None)
_INT_OR_NONE, _STR_OR_NONE = frozenset((int, _NONE)), frozenset((str, _NONE))


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
    delimiter: str = ",",
) -> int:
    """Write a header and then ``rows`` (sequences in column order, or mappings by column).

    Every cell is written as ``safe_cell`` would have it: text as it is unless its first
    character is risky, whole numbers as digits, None as an empty cell, and any other
    value as ``text`` shows it (a renderer passes how it shows money and dates), checked.
    The caller opens ``fileobj`` with ``newline=''``; lines end with CRLF as Excel
    expects; cells are separated by ``delimiter``. Returns the number of data rows written.
    """
    writer = csv.writer(fileobj, delimiter=delimiter, lineterminator=_LINE_END)
    quoted_for = (delimiter, *_QUOTED)
    writer.writerow([safe_cell(name) for name in columns])
    joinable = len(columns) > 1  # csv writes a lone empty cell as "", not as an empty line
    line = delimiter.replace("%", "%%").join(["%s"] * len(columns)) + _LINE_END
    count = 0
    source = iter(rows)
    while batch := list(islice(source, _CHUNK)):
        chunk = (
            cast(list[Sequence[Any]], batch)
            if _SEQUENCES.issuperset(map(type, batch))
            else [list(map(row.get, columns)) if isinstance(row, Mapping) else row for row in batch]
        )
        cells, as_they_are = _chunk_cells(chunk, text, quoted_for if joinable else ())
        if joinable:
            # The rows as they came when every column is as it is (tuples: ``%`` reads a
            # list as one value), else the rows of the columns made.
            plain = as_they_are and _TUPLE.issuperset(map(type, chunk))
            fileobj.write("".join(map(line.__mod__, chunk if plain else zip(*cells, strict=True))))
        else:
            writer.writerows(zip(*cells, strict=True))
        count += len(batch)
    return count


def _chunk_cells(
    chunk: list[Sequence[Any]], text: Callable[[Any], str], quoted_for: Sequence[str]
) -> tuple[list[Sequence[Any]], bool]:
    """The chunk's columns, each as it is when all its cells are whole numbers or safe
    text, else as the text of its cells, safe — and those holding one of the characters
    in ``quoted_for`` quoted as csv quotes them (QUOTE_MINIMAL: in quotes, quotes
    doubled); and whether every column is as it is."""
    columns: list[Sequence[Any]] = []
    as_they_are = True
    for column in zip(*chunk, strict=True):
        cells: Sequence[Any] | None = column
        try:
            # Joined, each cell follows a separator, so one that starts with a risky
            # character shows as a separator followed by it (a separator inside a text
            # can only make a harmless text look risky, and be converted below).
            joined = _SEPARATOR + _SEPARATOR.join(column)
        except TypeError:  # not all text
            kinds = set(map(type, column))
            if kinds <= _INT:  # digits, written by the line's template
                columns.append(column)
                continue
            as_they_are = False
            if kinds <= _INT_OR_NONE:  # the template makes the digits
                columns.append(["" if c is None else c for c in column])
                continue
            cells = ["" if c is None else c for c in column] if kinds <= _STR_OR_NONE else None
            joined = _SEPARATOR + _SEPARATOR.join(cells) if cells is not None else ""
        if cells is None or _RISKY_AFTER_SEPARATOR.search(joined):
            cells = [_cell_text(c, text) for c in column]
            joined = _SEPARATOR.join(cells)
            as_they_are = False
        # Substring tests of one character: they run at memchr speed.
        if any(char in joined for char in quoted_for):
            needs_quotes = re.compile("[" + re.escape("".join(quoted_for)) + "]").search  # cached by re
            cells = ['"' + c.replace('"', '""') + '"' if needs_quotes(c) else c for c in cells]
            as_they_are = False
        columns.append(cells)
    return columns, as_they_are


def _cell_text(value: Any, text: Callable[[Any], str]) -> str:
    """One cell's text, safe: as ``safe_cell`` has it, whole numbers as digits and any
    other value as ``text`` shows it."""
    if value is None:
        return ""
    if isinstance(value, str):  # as the join above takes it
        return str(safe_cell(value))
    if value.__class__ is int:
        return str(value)
    return str(safe_cell(text(value)))
