"""What every command module shares: the open database, common options, date parsing."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from benefit_cli.cli.values import Whole

if TYPE_CHECKING:
    from benefit_cli.db.store import Store, Tx
    from benefit_cli.render import Page, Rows, Sections


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class StatementFormat(StrEnum):
    """``report statement`` also writes a page for the member (``html``)."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    html = "html"


def _csv_only(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Refuse ``--bom`` and ``--delimiter`` without ``-f csv``, while the command line is
    read, so the command has done nothing yet (``usage bulk`` records before it prints).
    Click reads the options in the order they were typed: the last of the three checks."""
    if param.name == "delimiter" and value is not None:
        value = csv_delimiter(value)
    given: dict[str, Any] = {**ctx.params, str(param.name): value}
    if {"fmt", "bom", "delimiter"} <= given.keys() and given["fmt"] != Format.csv:
        wrong = [option for option, name in (("--bom", "bom"), ("--delimiter", "delimiter")) if given[name]]
        if wrong:
            from benefit_cli.domain.errors import UsageError

            several = len(wrong) > 1
            raise UsageError(
                f"{' and '.join(wrong)} only {'shape' if several else 'shapes'} CSV output; add -f csv,"
                f" or leave {'them' if several else 'it'} out."
            )
    return value


def csv_delimiter(text: str) -> str:
    """``--delimiter`` of a CSV output: ``,``, ``;`` or ``tab``."""
    delimiter = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}.get(text.strip(" ").lower())
    if delimiter is None:
        from benefit_cli.domain.errors import UsageError

        raise UsageError(f"--delimiter must be ',', ';' or 'tab', got \"{text}\".")
    return delimiter


FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="table, csv, json or markdown.", callback=_csv_only)
]
StatementFormatOpt = Annotated[
    StatementFormat,
    typer.Option(
        "--format",
        "-f",
        help="table, csv, json, markdown, or html (a page to print or send).",
        callback=_csv_only,
    ),
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        parser=Whole("--limit", 0, 1_000_000_000, "a whole number of rows", " (0 shows every row)"),
        help="Show at most this many rows (default: 200 on a terminal, every row piped or to a file;"
        " 0 for all).",
    ),
]
BomOpt = Annotated[
    bool,
    typer.Option(
        "--bom",
        help="Start the CSV with a byte-order mark, so Excel on Windows reads accents right.",
        callback=_csv_only,
    ),
]
DelimiterOpt = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help="Separate CSV cells with ',' (default), ';' (Excel in most of Europe) or 'tab'.",
        callback=_csv_only,
    ),
]


APP_NAME = "benefit-cli"


class _State:
    db: Path | None = None


state = _State()


def db_path() -> Path:
    if state.db is not None:
        return state.db
    env = os.environ.get("BENEFIT_DB")
    if env:
        return Path(env)
    return Path(typer.get_app_dir(APP_NAME)) / "benefits.db"


def open_store(create: bool = False, busy_wait: float | None = None) -> Store:
    """The database of this command (``--db``), opened and upgraded; a write waits
    ``busy_wait`` seconds for another command's (default 30, for a person at a terminal;
    ``BENEFIT_BUSY_TIMEOUT`` overrides it)."""
    from benefit_cli.db.connection import COMMAND_BUSY_WAIT, connect
    from benefit_cli.db.store import Store

    wait = COMMAND_BUSY_WAIT if busy_wait is None else busy_wait
    return Store(connect(db_path(), create=create, busy_wait=wait, on_busy=busy_notice))


@contextmanager
def transaction(rehearse: bool = False, references_read: bool = False) -> Iterator[Tx]:
    """The database of this command, in one write transaction: whatever the block does is
    applied whole when it ends, or not at all if it raises -- nor when it ends, to
    ``rehearse`` it (``--dry-run``: every check and every figure, nothing kept).
    ``references_read``: see ``db.connection.write``."""
    with open_store().transaction(rehearse=rehearse, references_read=references_read) as tx:
        yield tx


def busy_notice(seconds: float) -> AbstractContextManager[object]:
    """Tell the person that this command waits for another one's write: a spinner on a
    terminal (gone when the wait ends), one plain line when stderr is piped or a log."""
    shown = "1 second" if seconds == 1 else f"{seconds:g} seconds"
    message = (
        "Another command is writing to the database; this one is waiting for it to finish"
        f" (it gives up after {shown})."
    )
    if sys.stderr.isatty():
        from rich.console import Console

        return Console(stderr=True).status(message, spinner="dots")
    note(message)
    return nullcontext()


def day(value: str | None, what: str) -> dt.date | None:
    """An optional ISO date option."""
    if value is None:
        return None
    from benefit_cli.domain.dates import parse_iso

    return parse_iso(value, what)


def today() -> dt.date:
    from benefit_cli.clock import today as clock_today

    return clock_today()


def show(
    result: Rows | Sections | Page,
    fmt: Format | StatementFormat = Format.table,
    output: Path | None = None,
    limit: int | None = 0,
    bom: bool = False,
    delimiter: str | None = None,
) -> None:
    """Render ``result``. ``limit`` is ``--limit`` as given (None: not given, so a table on a
    terminal shows ``TERMINAL_LIMIT`` rows); a command without ``--limit`` shows every row.
    ``bom`` and ``delimiter`` were checked against ``fmt`` when the options were read."""
    from benefit_cli.render import render

    render(result, fmt.value, output, limit=limit, bom=bom, delimiter=delimiter or ",")


def note(message: str) -> None:
    from benefit_cli.render import note as render_note

    render_note(message)
