"""The only module that prints data.

Commands hand it a result — ``Rows`` (a table), ``Sections`` (several titled tables)
— and a format. Tables go to stdout (or ``--output``); on a terminal they are rich
tables, piped they are plain aligned text with no colour. Messages for people go to
stderr through ``note``, so ``benefit ... -f csv > file.csv`` is always clean data.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

from benefit_cli.domain.units import amount, money

__all__ = ["FORMATS", "Rows", "Sections", "amount", "bar_chart", "money", "note", "render"]

FORMATS = ("table", "csv", "json", "markdown")


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

    def whole(self) -> Rows:
        return self if isinstance(self.rows, list) else Rows(self.columns, list(self.rows), self.title)

    def values(self) -> Iterator[Sequence[Any]]:
        """Each row's values in column order."""
        columns = self.columns
        for row in self.rows:
            yield [row.get(c) for c in columns] if isinstance(row, Mapping) else row


@dataclass
class Sections:
    parts: list[Rows] = field(default_factory=list)


def note(message: str) -> None:
    """A message for the person at the terminal (stderr)."""
    print(message, file=sys.stderr)


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


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _cells(rows: Rows) -> list[list[str]]:  # of a whole table
    return [[_text(v) for v in values] for values in rows.values()]


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
    cells = _cells(rows)
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(rows.columns)]
    right = _numeric_columns(rows)

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)]
        return "  ".join(parts).rstrip()

    out.write(line(rows.columns) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def _rich(rows: Rows) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=rows.title, title_justify="left", header_style="bold")
    for column, numeric in zip(rows.columns, _numeric_columns(rows), strict=True):
        table.add_column(column, justify="right" if numeric else "left")
    for row in _cells(rows):
        table.add_row(*row)
    Console().print(table)


def _markdown(rows: Rows, out: IO[str]) -> None:
    from tabulate import tabulate

    out.write(tabulate(_cells(rows), headers=rows.columns, tablefmt="github", disable_numparse=True))
    out.write("\n")


def _csv(rows: Rows, out: IO[str]) -> int:
    from benefit_cli.csvio.writer import write_csv

    # Numbers leave _text as digits, which write_csv recognizes as genuine numbers.
    return write_csv(out, rows.columns, rows.rows, text=_text)


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


def render(result: Rows | Sections, fmt: str = "table", output: Path | None = None) -> None:
    parts = result.parts if isinstance(result, Sections) else [result]
    if output is not None:
        # Rows may stream from the database: write beside the file and put it in place
        # only when complete, so an interrupted report never leaves half a file.
        partial = output.with_name(f".{output.name}.partial")
        try:
            out = open(partial, "w", encoding="utf-8", newline="")
        except OSError as exc:
            from benefit_cli.domain.errors import BenefitError

            raise BenefitError(
                f'Cannot write "{output}" ({exc.strerror}); check that the folder exists and that'
                " you may write there."
            ) from None
        try:
            with out:
                written = _write(parts, fmt, out, terminal=False, sections=isinstance(result, Sections))
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        note(f"Wrote {written} row(s) to {output}.")
        return
    _write(parts, fmt, sys.stdout, terminal=sys.stdout.isatty(), sections=isinstance(result, Sections))


def _write(parts: list[Rows], fmt: str, out: IO[str], terminal: bool, sections: bool) -> int:
    """Write the parts; return how many rows were written."""
    if fmt == "json" and not sections:
        return _json_stream(parts[0], out)
    if fmt != "csv":
        parts = [part.whole() for part in parts]
    if fmt == "json":
        data = {p.title or str(i): list(_json_objects(p)) for i, p in enumerate(parts)}
        json.dump(data, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return sum(len(rows) for rows in data.values())
    written = 0
    for index, part in enumerate(parts):
        if index:
            out.write("\n")
        if fmt == "csv":
            written += _csv(part, out)
            continue
        written += len(cast(list[Any], part.rows))
        if fmt == "markdown":
            if part.title:
                out.write(f"### {part.title}\n\n")
            _markdown(part, out)
        elif terminal:
            _rich(part)
        else:
            if sections and part.title:
                out.write(f"{part.title}\n")
            _plain(part, out)
    return written


def _json_objects(rows: Rows) -> Iterator[dict[str, Any]]:
    """Each row as the JSON object it is written as: typed numbers, ISO dates."""
    for values in rows.values():
        yield dict(zip(rows.columns, map(_json_value, values), strict=True))


def bar_chart(rows: Rows, label: str, value: str, width: int = 40) -> None:
    """Totals as horizontal bars on stderr (the data itself went to stdout)."""
    from rich.console import Console

    console = Console(stderr=True)
    at_label, at_value = rows.columns.index(label), rows.columns.index(value)
    values = [(_text(r[at_label]), float(r[at_value] or 0)) for r in rows.values()]
    if label == "month":
        values.sort()
    top = max((v for _, v in values), default=0) or 1
    pad = max((len(name) for name, _ in values), default=0)
    for name, amount_ in values:
        bar = "█" * max(1 if amount_ else 0, round(width * amount_ / top))
        console.print(f"{name.ljust(pad)}  [cyan]{bar}[/cyan] {amount_:g}", highlight=False)
