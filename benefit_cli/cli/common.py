"""What every command module shares: the open database, common options, date parsing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from benefit_cli.db.store import Store, Tx
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


def open_store(create: bool = False) -> Store:
    """The database of this command (``--db``), opened and upgraded."""
    from benefit_cli.db.connection import connect
    from benefit_cli.db.store import Store

    return Store(connect(db_path(), create=create))


@contextmanager
def transaction() -> Iterator[Tx]:
    """The database of this command, in one write transaction: whatever the block does is
    applied whole when it ends, or not at all if it raises."""
    with open_store().transaction() as tx:
        yield tx


def day(value: str | None, what: str) -> dt.date | None:
    """An optional ISO date option."""
    if value is None:
        return None
    from benefit_cli.domain.dates import parse_iso

    return parse_iso(value, what)


def today() -> dt.date:
    from benefit_cli.clock import today as clock_today

    return clock_today()


def show(result: Rows | Sections, fmt: Format = Format.table, output: Path | None = None) -> None:
    from benefit_cli.render import render

    render(result, fmt.value, output)


def note(message: str) -> None:
    from benefit_cli.render import note as render_note

    render_note(message)
