"""What every command module shares: the open database, common options, date parsing."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from benefit_cli.render import Rows, Sections


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, csv, json or markdown.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of the screen.")
]


class _State:
    db: Path | None = None


state = _State()


def db_path() -> Path:
    if state.db is not None:
        return state.db
    from benefit_cli.db.connection import default_path

    return default_path()


def open_db(create: bool = False, busy_wait: float | None = None) -> sqlite3.Connection:
    """The database in use; a write waits ``busy_wait`` seconds for another command's (default
    30, for a person at a terminal; ``BENEFIT_BUSY_TIMEOUT`` overrides it)."""
    from benefit_cli.db.connection import COMMAND_BUSY_WAIT, connect

    wait = COMMAND_BUSY_WAIT if busy_wait is None else busy_wait
    return connect(db_path(), create=create, busy_wait=wait, on_busy=busy_notice)


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
    from benefit_cli.domain.clock import today as clock_today

    return clock_today()


def show(result: Rows | Sections, fmt: Format = Format.table, output: Path | None = None) -> None:
    from benefit_cli.render import render

    render(result, fmt.value, output)


def note(message: str) -> None:
    from benefit_cli.render import note as render_note

    render_note(message)
