"""Options shared by the commands that read a CSV file."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from benefit_cli.domain.errors import NotFound, UsageError

if TYPE_CHECKING:
    from benefit_cli.db.store import Store


def check_file(path: Path) -> None:
    if not path.exists():
        raise NotFound(f'No file "{path}". Check the name and the folder.')
    if path.is_dir():
        raise UsageError(f'"{path}" is a folder; give the CSV file inside it.')


def date_order(dayfirst: bool, monthfirst: bool) -> bool | None:
    """``--dayfirst`` / ``--monthfirst`` as the date parser's ``dayfirst``."""
    if dayfirst and monthfirst:
        raise UsageError("Give --dayfirst or --monthfirst, not both.")
    return True if dayfirst else False if monthfirst else None


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when a person is watching; nothing under cron."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from benefit_cli.render import printable

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        # The description is read as markup: a file "visits [march].csv" must show whole.
        task = bar.add_task(escape(printable(title)), total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


@contextmanager
def counter(title: str) -> Iterator[Callable[[int], None] | None]:
    """A spinner with a running count on stderr when a person is watching (a run does not
    know in advance how much it will find); nothing under cron."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), title, MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(title, total=None)

        def advance(done: int) -> None:
            bar.advance(task, done)

        yield advance


def choose_contacts(
    store: Store,
    contacts: str | None,
    contacts_file: Path | None,
    plan: str | None,
    joined_from: dt.date | None,
    joined_to: dt.date | None,
    on: dt.date,
) -> list[str]:
    """The contacts a bulk command is for, chosen exactly one way."""
    ways = [
        contacts is not None,
        contacts_file is not None,
        plan is not None,
        joined_from is not None or joined_to is not None,
    ]
    if sum(ways) != 1:
        raise UsageError(
            "Choose the contacts one way: --contacts, --contacts-file, --plan, or --joined-from/--joined-to."
        )
    if contacts is not None:
        return [key.strip() for key in contacts.split(",") if key.strip()]
    if contacts_file is not None:
        return _contacts_in_file(contacts_file)
    if plan is not None:
        return store.memberships.member_refs(store.catalog.plan(plan).id, on)
    return [row.ref for row in store.contacts.rows(joined_from=joined_from, joined_to=joined_to)]


def _contacts_in_file(path: Path) -> list[str]:
    check_file(path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    if "contact" in first.lower():
        from benefit_cli.csvio.reader import open_csv

        with open_csv(path, columns={"contact": True}, ignore_extra=True) as source:
            return [values["contact"] for _, values, _ in source.rows() if values["contact"]]
    with open(path, encoding="utf-8-sig") as handle:
        return [line.strip() for line in handle if line.strip()]
