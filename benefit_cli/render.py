"""The only module that prints data.

Commands hand it a result — ``Rows`` (a table), ``Sections`` (several titled tables),
or a finished ``Page`` (an HTML statement, written as it is) — and a format. Tables go
to stdout (or ``--output``); on a terminal they are rich tables, piped they are plain
aligned text with no colour. Messages for people go to
stderr through ``note``, so ``benefit ... -f csv > file.csv`` is always clean data.

Text from the database or a file is never trusted by a terminal: every value a table,
a chart or a message shows passes through ``printable``, which turns control and bidi
characters into visible escapes, and rich never reads markup in it. CSV and JSON are
data, not terminal text: they keep every value exact (CSV neutralises formulas only).

A table on a terminal shows at most ``TERMINAL_LIMIT`` rows unless told otherwise, and
says on stderr what it left out; only those rows are read from a streaming result (the
rest are counted, not formatted).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice, repeat
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from rich.console import Console

from benefit_cli.domain.units import amount, money
from benefit_cli.output_file import replacing

__all__ = ["FORMATS", "Page", "Rows", "Sections", "amount", "bar_chart", "money", "note", "render"]

FORMATS = ("table", "csv", "json", "markdown")
TERMINAL_LIMIT = 200  # rows of a table on a terminal when --limit is not given


@dataclass
class Rows:
    """A table. Each row is a mapping by column name, or a sequence of values in column
    order: a report of many rows hands over the tuples its query made, as building a
    dict a row would cost more than writing it. ``rows`` may be an iterator: CSV and
    JSON write it a row at a time, so a report of a million rows never sits in memory;
    a table or markdown takes it whole, to size its columns."""

    columns: list[str]
    rows: Iterable[Mapping[str, Any] | Sequence[Any]]
    title: str | None = None
    key: str | None = None  # the part's fixed name in the JSON of ``Sections``

    def whole(self) -> Rows:
        if isinstance(self.rows, list):
            return self
        return Rows(self.columns, list(self.rows), self.title, self.key)

    def keyed(self, key: str) -> Rows:
        """These rows as the part ``key`` of a ``Sections``."""
        self.key = key
        return self

    def values(self) -> Iterator[Sequence[Any]]:
        """Each row's values in column order."""
        columns = self.columns
        for row in self.rows:
            yield [row.get(c) for c in columns] if isinstance(row, Mapping) else row


@dataclass
class Sections:
    """Several tables about one thing (``contact show``). Each part has a ``key``: JSON is
    an object of the parts by key, fixed names a script can address (``.balances``), where
    a title may hold a name or a date ("Balances of C000116 on 2026-11-28")."""

    parts: list[Rows] = field(default_factory=list)


@dataclass
class Page:
    """A finished document (``report statement -f html``): written as it is, whole."""

    text: str
    rows: int  # the data rows it shows, for the "Wrote N row(s)" note


# -- what a terminal may be shown --------------------------------------------------------------

# C0 and C1 controls and DEL can move the cursor, clear the screen, set the window title
# or open a hyperlink (ESC sequences, and their 8-bit forms); bidi controls make a name
# read as another (U+202E turns "gpj.exe" around); line and paragraph separators break a
# line where the table does not expect it. Each is shown as the escape Python would
# write for it, so it is visible and can be reported.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C, 0x2028, 0x2029)
_SHORT = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_ESCAPES = {
    **{code: _SHORT.get(code, f"\\x{code:02x}") for code in (*range(0x20), *range(0x7F, 0xA0))},
    **{code: f"\\u{code:04x}" for code in _BIDI},
}


def printable(text: str) -> str:
    """``text`` as a terminal may show it: control and bidi characters as visible escapes
    (``\\x1b``, ``\\u202e``, ``\\n``); everything else, backslashes included, as it is."""
    # Every character escaped is one str.isprintable refuses: most text returns here.
    return text if text.isprintable() else text.translate(_ESCAPES)


def terminal(stream: IO[str]) -> bool:
    """Whether ``stream`` is a person's terminal. ``TTY_COMPATIBLE=1`` or ``0`` (the
    variable rich reads too) overrides the guess, for tests and for terminals that a
    program sees as a pipe."""
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def note(message: str) -> None:
    """A message for the person at the terminal (stderr). It may quote data, so it is
    shown ``printable``: one note is one line."""
    print(printable(message), file=sys.stderr)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _shown(value: Any) -> str:
    """A value as a table on a screen or in a document shows it (``printable``)."""
    text = _text(value)
    return text if text.isprintable() else text.translate(_ESCAPES)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cells(rows: Rows) -> list[list[str]]:  # of a whole table
    cells = []
    for values in rows.values():
        texts = [_text(v) for v in values]
        # One test a row: a row of printable texts joins into a printable text.
        cells.append(texts if "".join(texts).isprintable() else [printable(t) for t in texts])
    return cells


def _width(text: str) -> int:
    """Terminal cells ``text`` takes: CJK characters take two, combining marks none."""
    if text.isascii():  # printable ASCII: one cell a character
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _numeric_columns(rows: Rows) -> list[bool]:  # of a whole table
    """Whether each column holds numbers only (and at least one): those align right."""
    numeric = [False] * len(rows.columns)
    for index, column in enumerate(zip(*rows.values(), strict=True)):
        present = [v for v in column if v is not None]
        numeric[index] = bool(present) and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
        )
    return numeric


def _plain(rows: Rows, out: IO[str]) -> None:
    header = [printable(c) for c in rows.columns]
    right = _numeric_columns(rows)
    # Piped output can be a million rows, so the table is laid out a column at a time. A
    # column of printable ASCII (a cell a character) is padded by str.ljust; any other is
    # measured by rich (CJK takes two cells, a combining accent none).
    padded: list[list[str]] = []
    columns = list(zip(*_cells(rows), strict=True)) or [()] * len(header)
    for name, column, align_right in zip(header, columns, right, strict=True):
        pad = str.rjust if align_right else str.ljust
        if "".join(column).isascii():
            width = max(map(len, (name, *column)))
            padded.append(list(map(pad, (name, *column), repeat(width))))
        else:
            width = max(map(_width, (name, *column)))
            padded.append([pad(v, width - _width(v) + len(v)) for v in (name, *column)])
    lines = ["  ".join(values).rstrip() for values in zip(*padded, strict=True)]
    rule = "  ".join("-" * _width(cells[0]) for cells in padded)
    out.write("\n".join([lines[0], rule, *lines[1:]]) + "\n")


# -- rich tables that fit the terminal ---------------------------------------------------------

# Columns whose values are read as one token: an id, a ref, a code, a date. They are never
# wrapped or cut, as "2027-02…" or "C0001" + "23" would be misread; text columns wrap.
_TOKEN_NAMES = frozenset(("id", "ref", "code", "type", "plan", "date", "month"))
_TOKEN_SUFFIXES = ("_id", "_ref", "_on", "_at")
_TEXT_WIDTH = 20  # a text column wraps down to this before a token column's header folds
_NARROWEST_TEXT = 8  # and down to this before the table is let wider than the terminal
_FOLDED_HEADER = 4


def _token_columns(rows: Rows, numeric: list[bool]) -> list[bool]:
    dates = [False] * len(rows.columns)
    for index, column in enumerate(zip(*rows.values(), strict=True)):
        present = [v for v in column if v is not None]
        dates[index] = bool(present) and all(isinstance(v, dt.date) for v in present)
    return [
        number or is_date or name in _TOKEN_NAMES or name.endswith(_TOKEN_SUFFIXES)
        for name, number, is_date in zip(rows.columns, numeric, dates, strict=True)
    ]


def _shrink(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Narrow the widest column that may still narrow, again and again, until the widths
    fit ``room`` or every column is at its floor."""
    widths = list(widths)
    excess = sum(widths) - room
    while excess > 0:
        narrowable = [i for i, (w, f) in enumerate(zip(widths, floors, strict=True)) if w > f]
        if not narrowable:
            break
        widest = max(narrowable, key=widths.__getitem__)
        # In one step down to the next widest (or the floor, or the fit), not cell by cell.
        others = [widths[i] for i in narrowable if i != widest]
        target = max(floors[widest], widths[widest] - excess, *others)
        step = max(1, widths[widest] - target)
        widths[widest] -= step
        excess -= step
    return widths


def _column_widths(headers: list[str], contents: list[int], token: list[bool], room: int) -> list[int]:
    """Column widths (without padding) that fit ``room`` cells if they can. Text columns
    wrap first, down to ``_TEXT_WIDTH``; then the header of a token column breaks after
    an underscore ("contact_" / "ref"); then text columns wrap down to ``_NARROWEST_TEXT``;
    then token headers fold anywhere. A token column is never narrower than its widest
    value, so the sum may stay above ``room``."""
    full = [max(_width(h), c, 1) for h, c in zip(headers, contents, strict=True)]
    parts = [max(c, *map(_width, _header_parts(h)), 1) for h, c in zip(headers, contents, strict=True)]
    # Folded anywhere, a header keeps a few characters a line ("entr" / "y_id"), even
    # over an empty column.
    values = [max(c, min(_width(h), _FOLDED_HEADER)) for h, c in zip(headers, contents, strict=True)]
    widths = full
    stages = (
        (_TEXT_WIDTH, full),
        (_TEXT_WIDTH, parts),
        (_NARROWEST_TEXT, parts),
        (_NARROWEST_TEXT, values),
    )
    for text_floor, token_floors in stages:
        floors = [
            floor if is_token else min(width, text_floor)
            for width, floor, is_token in zip(full, token_floors, token, strict=True)
        ]
        widths = _shrink(widths, floors, room)
        if sum(widths) <= room:
            break
    return widths


def _header_parts(header: str) -> list[str]:
    """Where a header may break: after each underscore."""
    return header.replace("_", "_\n").split("\n")


def _header(header: str, width: int) -> str:
    """``header`` on as few lines of ``width`` as its underscores allow (rich folds a part
    that is still too wide)."""
    lines: list[str] = []
    for part in _header_parts(header):
        if lines and _width(lines[-1]) + _width(part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return "\n".join(lines)


def _rich(rows: Rows, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    cells = _cells(rows)
    headers = [printable(c) for c in rows.columns]
    numeric = _numeric_columns(rows)
    token = _token_columns(rows, numeric)
    contents = [max((_width(r[i]) for r in cells), default=0) for i in range(len(headers))]
    # A column has a rule on its right (the first one on its left too) and a cell of
    # padding either side; when that does not fit, the padding goes.
    for padding in (1, 0):
        frame = (1 + 2 * padding) * len(headers) + 1
        widths = _column_widths(headers, contents, token, console.width - frame)
        if sum(widths) + frame <= console.width:
            break
    title = Text(printable(rows.title)) if rows.title else None
    table = Table(title=title, title_justify="left", header_style="bold", padding=(0, padding))
    for header, width, is_number in zip(headers, widths, numeric, strict=True):
        justify: Literal["left", "right"] = "right" if is_number else "left"
        table.add_column(Text(_header(header, width), overflow="fold"), width=width, justify=justify)
    for row in cells:
        # Text, never str: rich would read "[bold]" or ":smile:" in a str as markup.
        table.add_row(
            *(
                Text(cell, no_wrap=True) if is_token else Text(cell, overflow="fold")
                for cell, is_token in zip(row, token, strict=True)
            )
        )
    needed = sum(widths) + frame
    if needed > console.width:
        # More dates, refs and numbers than this terminal is wide: its lines run past
        # the edge (the terminal wraps them) rather than cut one.
        note(
            f"This table needs {needed} columns and the terminal has {console.width}; widen the"
            " window, or use -f csv."
        )
        console.width = needed
    console.print(table)


def _console(out: IO[str]) -> Console:
    from rich.console import Console

    return Console(file=out, force_terminal=True, markup=False, highlight=False, emoji=False)


def _markdown(rows: Rows, out: IO[str]) -> None:
    from tabulate import tabulate

    # A "|" in a cell would end it early in a Markdown table.
    cells = [[cell.replace("|", "\\|") for cell in row] for row in _cells(rows)]
    headers = [printable(c) for c in rows.columns]
    out.write(tabulate(cells, headers=headers, tablefmt="github", disable_numparse=True))
    out.write("\n")


def _csv(rows: Rows, out: IO[str], delimiter: str) -> int:
    from benefit_cli.csvio.writer import write_csv

    # Numbers leave _text as digits, which write_csv recognizes as genuine numbers.
    return write_csv(out, rows.columns, rows.rows, text=_csv_text, delimiter=delimiter)


def _csv_text(value: Any) -> str:
    """A cell as CSV shows it: booleans as ``1``/``0`` (SPEC §2), the rest as ``_text``."""
    if isinstance(value, bool):
        return "1" if value else "0"
    return _text(value)


def _json_stream(rows: Rows, out: IO[str]) -> int:
    """A JSON list of objects, one written at a time, laid out as ``json.dump(..., indent=2)``
    would (inside a JSON string a newline is escaped, so each line break is layout)."""
    count = 0
    out.write("[")
    for row in _json_objects(rows):
        text = json.dumps(row, indent=2, ensure_ascii=False)
        out.write(",\n  " if count else "\n  ")
        out.write(text.replace("\n", "\n  "))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


# -- limits ------------------------------------------------------------------------------------


class _Cut:
    """A part's rows cut to ``limit`` (0: every row). Once the rows shown have been read,
    ``left_out`` says how many were not: a list knows, a stream is counted by stepping
    through it without formatting a row (what formatting them cost is what the limit
    saves; an exact count is what a person needs to choose between --limit 0 and a CSV)."""

    def __init__(self, part: Rows, limit: int) -> None:
        self._source: Iterable[Any] = part.rows
        self.limit = limit
        if limit and not isinstance(part.rows, Sized):
            self._source = iter(part.rows)
            self.part = Rows(part.columns, islice(self._source, limit), part.title, part.key)
        elif limit:
            self.part = Rows(part.columns, list(islice(part.rows, limit)), part.title, part.key)
        else:
            self.part = part

    def left_out(self) -> int:
        if not self.limit:
            return 0
        if isinstance(self._source, Sized):
            return max(0, len(self._source) - self.limit)
        return sum(1 for _ in self._source)


def _limit_for(limit: int | None, fmt: str, on_terminal: bool) -> int:
    """``limit`` as given (0: every row), or, when not given, ``TERMINAL_LIMIT`` for a table
    on a terminal and every row anywhere else (a pipe, a file, CSV, JSON, Markdown)."""
    if limit is not None:
        return limit
    return TERMINAL_LIMIT if fmt == "table" and on_terminal else 0


def _say_left_out(cuts: list[_Cut], fmt: str, sections: bool) -> None:
    for cut in cuts:
        left = cut.left_out()
        if not left:
            continue
        where = f"{cut.part.title}: " if sections and cut.part.title else ""
        if fmt == "table":
            how = "--limit 0 shows them all, -f csv exports them"
        else:
            how = "without --limit, all are written"
        note(f"{where}{left:,} of {cut.limit + left:,} rows left out (--limit {cut.limit}); {how}.")


# -- the renderer ------------------------------------------------------------------------------


def _page(page: Page, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(page.text)
        if terminal(sys.stdout):
            note("To read or print it, write it to a file (-o statement.html) and open that in a browser.")
        return
    with replacing(output) as out:
        out.write(page.text)
    note(f"Wrote {page.rows} row(s) to {output}.")


def render(
    result: Rows | Sections | Page,
    fmt: str = "table",
    output: Path | None = None,
    *,
    limit: int | None = 0,
    bom: bool = False,
    delimiter: str = ",",
) -> None:
    """Write ``result`` as ``fmt`` to stdout, or to ``output`` (put in place only when
    complete). ``limit``: at most that many rows of each table, 0 for all, None for the
    default (``TERMINAL_LIMIT`` on a terminal; every row piped or in a file). ``bom`` and
    ``delimiter`` shape CSV for spreadsheets."""
    if isinstance(result, Page):
        _page(result, output)
        return
    sections = isinstance(result, Sections)
    parts = result.parts if isinstance(result, Sections) else [result]
    if output is not None:
        with replacing(output) as out:
            cuts = [_Cut(part, _limit_for(limit, fmt, False)) for part in parts]
            written = _write(cuts, fmt, out, None, sections, bom, delimiter)
        note(f"Wrote {written} row(s) to {output}.")
        _say_left_out(cuts, fmt, sections)
        return
    on_terminal = fmt == "table" and terminal(sys.stdout)
    cuts = [_Cut(part, _limit_for(limit, fmt, on_terminal)) for part in parts]
    console = _console(sys.stdout) if on_terminal else None
    _write(cuts, fmt, sys.stdout, console, sections, bom, delimiter)
    _say_left_out(cuts, fmt, sections)


def _write(
    cuts: list[_Cut],
    fmt: str,
    out: IO[str],
    console: Console | None,
    sections: bool,
    bom: bool,
    delimiter: str,
) -> int:
    """Write the parts (as a rich table when given a ``console``); return how many rows
    were written."""
    parts = [cut.part for cut in cuts]
    if fmt == "csv" and bom:
        out.write("\ufeff")
    if fmt == "json" and not sections:
        return _json_stream(parts[0], out)
    if fmt != "csv":
        parts = [part.whole() for part in parts]
    if fmt == "json":
        data = {p.key or p.title or str(i): list(_json_objects(p)) for i, p in enumerate(parts)}
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return sum(len(rows) for rows in data.values())
    written = 0
    for index, part in enumerate(parts):
        if index:
            out.write("\n")
        if fmt == "csv":
            written += _csv(part, out, delimiter)
            continue
        written += len(cast(list[Any], part.rows))
        if fmt == "markdown":
            if part.title:
                out.write(f"### {printable(part.title)}\n\n")
            _markdown(part, out)
        elif console is not None:
            _rich(part, console)
        else:
            if sections and part.title:
                out.write(f"{printable(part.title)}\n")
            _plain(part, out)
    return written


def _json_objects(rows: Rows) -> Iterator[dict[str, Any]]:
    """Each row as the JSON object it is written as: typed numbers, ISO dates."""
    for values in rows.values():
        yield dict(zip(rows.columns, map(_json_value, values), strict=True))


def bar_chart(rows: Rows, labels: Sequence[str], value: str, per: str | None = None, width: int = 40) -> None:
    """Totals as horizontal bars on stderr (the data itself went to stdout). Each bar is
    labelled with the ``labels`` columns; with ``per`` (e.g. ``unit``), one chart is drawn
    for each of its values, since minutes and admissions are never on one scale. Without
    it, rows with the same labels are added up (for ``value``, which is money)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(stderr=True, markup=False, highlight=False, emoji=False)
    at_labels = [rows.columns.index(label) for label in labels]
    at_value = rows.columns.index(value)
    at_per = rows.columns.index(per) if per else None
    charts: dict[str, dict[str, float]] = {}
    for row in rows.values():
        chart = charts.setdefault(_shown(row[at_per]) if at_per is not None else "", {})
        name = " / ".join(_shown(row[index]) for index in at_labels)
        chart[name] = chart.get(name, 0.0) + float(row[at_value] or 0)
    for heading, totals in charts.items():
        values = sorted(totals.items()) if "month" in labels else list(totals.items())
        if heading:
            console.print(Text(f"{value} in {heading}", style="bold"))
        top = max((v for _, v in values), default=0) or 1
        pad = max((_width(name) for name, _ in values), default=0)
        for name, amount_ in values:
            bar = "█" * max(1 if amount_ else 0, round(width * amount_ / top))
            line = Text(name + " " * (pad - _width(name)) + "  ")
            line.append(bar, style="cyan")
            line.append(f" {amount_:g}")
            console.print(line)
