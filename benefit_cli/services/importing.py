"""One import pipeline for every CSV file staff bring over: contacts, memberships, usage.

A file is read a chunk of rows at a time, each chunk checked and written inside one
transaction, so an import is all or nothing (invariant 5): with ``on_error='abort'`` one
bad row leaves nothing written and every problem is listed; with ``'skip'`` the good rows
go in and the bad ones are set aside in the rejects file (with an ``error`` column, so the
file, fixed, imports as it is). ``dry_run`` checks everything and writes nothing. Each
kind of import plugs in what it reads and how it checks and writes a chunk (``Kind``);
the pipeline owns the file, the transaction, the rejects, the summary and the progress.

A kind's ``check`` of chunk k+1 runs before its ``write`` of chunk k: a kind that writes
through another process (the usage import, db/ledger_writer.py) overlaps the two. A kind
whose rows depend on the rows before them in the file (a person names a business listed
above) does its checking in ``write``.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from benefit_cli.domain.errors import CsvError, DoneInPart, RowErrors

if TYPE_CHECKING:
    from benefit_cli.csvio.dates import DateReader

# Rows read, checked and written at a time. Chunks of 2,000 rather than 5,000 keep what a
# million-row usage import has in flight (three chunks) in the processor's caches: 8% less
# of its checking and drawing, and still few enough look-ups that each has work to do.
CHUNK_ROWS = 2000

#: One data row: its spreadsheet row number, the known columns' values, the raw cells.
CsvRow = tuple[int, dict[str, str], list[str]]


@dataclass(frozen=True)
class ImportOptions:
    today: dt.date
    on_error: str = "abort"  # or "skip"
    rejects: Path | None = None
    dry_run: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    dayfirst: bool | None = None
    ignore_extra: bool = False


@dataclass
class ImportSummary:
    """What an import did. ``imported`` rows were added, ``updated`` changed what was
    there, ``already`` were present and added nothing, ``rejected`` were refused (with
    ``problems`` problems, the first ``RowErrors.SHOWN`` kept in ``errors``)."""

    rows: int = 0
    imported: int = 0
    updated: int = 0
    already: int = 0
    rejected: int = 0
    problems: int = 0
    written: bool = False
    seconds: float = 0.0
    errors: list[CsvError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what else a kind counts (levels, entries)
    notes: list[str] = field(default_factory=list)  # what the summary must also say

    def sentence(self, said: str) -> str:
        """``said`` (the kind's own account of the import) with the notes, as one sentence."""
        return said + "".join(f"; {note}" for note in self.notes) + "."

    def count(self, what: str, number: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + number

    def refusal(self, dry_run: bool) -> RowErrors:
        """The error that says rows were refused, so nothing was written."""
        done = "nothing was written (dry run)" if dry_run else "nothing was imported"
        return RowErrors(self.errors, problems=self.problems, rows=self.rejected, done=done)

    def done_in_part(self, rejects: Path | None) -> DoneInPart:
        """What says the good rows were written and ``rejected`` set aside (SPEC §3: exit 3);
        where they are is said already when they went to a rejects file."""
        rows = "1 row was" if self.rejected == 1 else f"{self.rejected} rows were"
        message = f"Done in part: {rows} set aside; the rest are recorded"
        if rejects is None:
            them = "it" if self.rejected == 1 else "them"
            message += f"; fix {them} and import {them} again (--rejects FILE collects such rows in a file)"
        return DoneInPart(message + ".", self.errors, self.problems)


class Outcome:
    """Where a kind reports what became of each row."""

    def __init__(self, summary: ImportSummary, rejects: Any) -> None:
        self.summary = summary
        self._rejects = rejects

    def reject(self, number: int, raw: list[str], errors: list[CsvError]) -> None:
        summary = self.summary
        summary.rejected += 1
        summary.problems += len(errors)
        room = RowErrors.SHOWN - len(summary.errors)
        summary.errors.extend(errors[: max(0, room)])
        if self._rejects is not None:
            # Row numbers change in the rejects file; the column and reason still hold.
            self._rejects.writerow(
                [*raw, " ".join(f"column {e.column}: {e.reason}" if e.column else e.reason for e in errors)]
            )


Checked = TypeVar("Checked")


class Kind(Protocol, Generic[Checked]):
    """What one kind of import plugs into the pipeline."""

    def check(self, rows: list[CsvRow]) -> Checked:
        """Check a chunk of rows as far as it can before the chunk before it is written."""
        ...

    def write(self, checked: Checked, outcome: Outcome) -> None:
        """Decide each row of the chunk, in file order, and write the good ones."""
        ...


class _Rollback(Exception):
    """Leave the transaction without writing (a dry run, or bad rows under abort)."""


def run_import(
    path: Path,
    columns: Mapping[str, bool],
    transaction: Callable[[DateReader], AbstractContextManager[Kind[Any]]],
    options: ImportOptions,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import ``path``: ``transaction(dates)`` opens the write transaction and yields the
    kind that checks and writes inside it, reading date cells with ``dates``; leaving it
    normally commits, raising rolls back."""
    from benefit_cli.csvio.dates import DateReader
    from benefit_cli.csvio.reader import open_csv

    started = time.perf_counter()
    summary = ImportSummary()
    total = path.stat().st_size
    with (
        open_csv(
            path,
            columns=columns,
            encoding=options.encoding,
            delimiter=options.delimiter,
            ignore_extra=options.ignore_extra,
        ) as source,
        _rejects_file(options.rejects, source.header, source.delimiter) as rejects,
    ):
        outcome = Outcome(summary, rejects)
        try:
            dates = DateReader(options.dayfirst)
            with transaction(dates) as kind:
                pending: Any = None  # checked, not yet written
                have_pending = False
                for lines in _chunks(source.rows()):
                    summary.rows += len(lines)
                    checked = kind.check(lines)  # before the chunk before it is written
                    if have_pending:
                        kind.write(pending, outcome)
                    if progress:
                        progress(source.bytes_read, total)
                    pending, have_pending = checked, True
                if have_pending:
                    kind.write(pending, outcome)
                if options.dry_run or (summary.rejected and options.on_error == "abort"):
                    raise _Rollback
                summary.written = True
        except _Rollback:
            pass
    summary.seconds = time.perf_counter() - started
    note = dates.two_digit_note()
    if note:
        summary.notes.append(note)
    return summary


def _chunks(rows: Iterator[CsvRow]) -> Iterator[list[CsvRow]]:
    while lines := list(islice(rows, CHUNK_ROWS)):
        yield lines


@contextmanager
def _rejects_file(path: Path | None, header: list[str], delimiter: str) -> Iterator[Any]:
    """A CSV writer for the rejected rows (the file's header and an ``error`` column), or None."""
    if path is None:
        yield None
        return
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow([*header, "error"])
        yield writer
