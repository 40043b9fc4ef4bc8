"""``benefit run ...``: the cron entry points. They never prompt; piped or under cron they
print one summary line, on a terminal a progress bar too; they exit 1 when something
needs a person (each listed on stderr), else 0."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    day,
    note,
    open_store,
    show,
    today,
)
from benefit_cli.cli.values import Whole

if TYPE_CHECKING:
    from benefit_cli.services.runs import RunReport

app = typer.Typer(
    help="Renewals, expiries and subscription issues, for cron: safe to run twice, or beside staff.",
    no_args_is_help=True,
)

# A cron run may wait longer for the write lock than a person at a terminal would.
RUN_BUSY_WAIT = 600.0

AsOf = Annotated[
    str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="The run's date (default: today).")
]
Window = Annotated[
    int,
    typer.Option(
        help="Renew memberships ending within this many days of the date.",
        parser=Whole("--window", 0, 3660, "a whole number of days"),
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="List what it would do; change nothing.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="run")


@app.command("renew")
def renew(
    as_of: AsOf = None,
    window: Window = 30,
    dry_run: DryRun = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Renew every membership due: not cancelled, not renewed, ending by the date + window.

    Example: benefit run renew --as-of 2026-12-01 --dry-run
    """
    _run((True, False, False), as_of, window, dry_run, fmt, limit, bom, delimiter)


@app.command("expire")
def expire(
    as_of: AsOf = None,
    dry_run: DryRun = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Record what expired before the date, rolling over what plan benefits say.

    Example: benefit run expire --as-of 2026-12-01
    """
    _run((False, True, False), as_of, 30, dry_run, fmt, limit, bom, delimiter)


@app.command("scheduled")
def scheduled(
    as_of: AsOf = None,
    window: Window = 30,
    dry_run: DryRun = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Renew, then expire, then deliver every subscription's issues: the one command for cron.

    Example (crontab): 15 2 * * *  benefit --db /srv/benefits.db run scheduled
    """
    _run((True, True, True), as_of, window, dry_run, fmt, limit, bom, delimiter)


def _run(
    steps: tuple[bool, bool, bool],  # renewing, expiring, fulfilling
    as_of: str | None,
    window: int,
    dry_run: bool,
    fmt: Format,
    limit: int | None,
    bom: bool,
    delimiter: str | None,
) -> None:
    from benefit_cli.cli.imports import counter
    from benefit_cli.services.runs import run

    on = day(as_of, "--as-of") or today()
    store = open_store(busy_wait=RUN_BUSY_WAIT)
    with counter("Running") as progress:
        renewing, expiring, fulfilling = steps
        report = run(store, renewing, expiring, on, window, dry_run, progress, fulfilling, today())
    finish(report, dry_run, fmt, limit, bom, delimiter)


def finish(
    report: RunReport, dry_run: bool, fmt: Format, limit: int | None, bom: bool, delimiter: str | None
) -> None:
    """Show a dry run's rows, say what was done in one line, list what needs a person and
    exit 1 if anything does."""
    from benefit_cli.render import Rows
    from benefit_cli.services.runs import ROW_COLUMNS

    if dry_run:
        show(Rows(ROW_COLUMNS, report.rows, "What the run would do"), fmt, None, limit, bom, delimiter)
    note(("Dry run, nothing written: would have " if dry_run else "") + report.summary())
    for line in report.needs_person:
        note(line)
    if report.needs_person:
        raise typer.Exit(1)
