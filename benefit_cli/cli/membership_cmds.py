"""``benefit membership ...`` and ``benefit level ...``"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    transaction,
)
from benefit_cli.cli.values import PRIORITY, membership_id

app = typer.Typer(help="Who holds which plan, when.", no_args_is_help=True)
level_app = typer.Typer(help="Grants of a benefit to a contact.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="membership")
    root.add_typer(level_app, name="level")


@app.command("add")
def add(
    contact: Annotated[str, typer.Argument(help="The member's ref or id.")],
    plan: Annotated[str, typer.Argument(help="The plan's code.")],
    start: Annotated[str | None, typer.Option(help="First day (default: today).")] = None,
) -> None:
    """Enrol a contact in a plan; its benefits are granted at once.

    Example: benefit membership add C000123 FAMILY --start 2026-03-01
    """
    from benefit_cli.services.memberships import add_membership

    start_on = day(start, "--start") or today()
    with transaction() as tx:
        created = add_membership(tx, tx.contacts.get(contact), tx.catalog.plan(plan), start_on)
    m = created.membership
    note(f"Added membership {m.id}: {m.start_on} to {m.end_on}, {created.levels} level(s) granted.")
    print(m.id)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with contact, plan, start_on.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and say what it would do; write nothing.")
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="The file's encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="',', ';' or 'tab' (default: guessed).")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read 03/04/2026 as 3 April.")] = False,
    monthfirst: Annotated[bool, typer.Option("--monthfirst", help="Read 03/04/2026 as March 4.")] = False,
) -> None:
    """Import memberships, all or nothing; a row already present adds nothing.

    Example: benefit membership import memberships.csv
    """
    from benefit_cli.cli.imports import check_file, date_order
    from benefit_cli.services.importing import ImportOptions
    from benefit_cli.services.memberships import import_memberships

    check_file(file)
    options = ImportOptions(
        today(),
        dry_run=dry_run,
        encoding=encoding,
        delimiter=delimiter,
        dayfirst=date_order(dayfirst, monthfirst),
    )
    summary = import_memberships(open_store(), file, options)
    if summary.rejected:
        raise summary.refusal(dry_run)
    levels = summary.counts.get("levels", 0)
    would = "would be " if dry_run else ""
    note(
        summary.sentence(
            ("Dry run, nothing written: " if dry_run else "")
            + f"{summary.rows} rows read: {summary.imported} memberships {would}added ({levels} levels"
            f" {would}granted), {summary.already} already present; {summary.seconds:.1f} s"
        )
    )


@app.command("list")
def list_(
    contact: Annotated[str | None, typer.Option(help="Only this contact's.")] = None,
    plan: Annotated[str | None, typer.Option(help="Only this plan's.")] = None,
    active_on: Annotated[str | None, typer.Option(help="Only those running on this date.")] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List memberships.

    Example: benefit membership list --plan FAMILY --active-on 2026-06-01
    """
    from benefit_cli.reports.lists import membership_rows

    store = open_store()
    contact_id = store.contacts.get(contact).id if contact else None
    plan_id = store.catalog.plan(plan).id if plan else None
    show(
        membership_rows(store, today(), contact_id, plan_id, day(active_on, "--active-on")),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )


@app.command("show")
def show_(
    membership: Annotated[int, typer.Argument(help="The membership's id.", parser=membership_id())],
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Show a membership and the levels it granted.

    Example: benefit membership show 12
    """
    from benefit_cli.reports.contact import membership_sections

    show(
        membership_sections(open_store(), membership, today()), fmt, limit=limit, bom=bom, delimiter=delimiter
    )


@app.command("renew")
def renew(
    membership: Annotated[int, typer.Argument(help="The membership's id.", parser=membership_id())],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what it would do; change nothing.")
    ] = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Renew one membership now, whatever its end date (refused if cancelled or renewed).

    Example: benefit membership renew 12
    """
    from benefit_cli.cli.run_cmds import finish
    from benefit_cli.services.runs import RunReport, renew_one

    report = RunReport(keeps_rows=dry_run)
    with transaction(rehearse=dry_run) as tx:
        renew_one(tx, membership, report)
    finish(report, dry_run, fmt, limit, bom, delimiter)


@app.command("cancel")
def cancel(
    membership: Annotated[int, typer.Argument(help="The membership's id.", parser=membership_id())],
    on: Annotated[str | None, typer.Option(help="Last day it counts (default: today).")] = None,
) -> None:
    """Cancel a membership: its benefits cannot be used after that day.

    Example: benefit membership cancel 12 --on 2026-09-30
    """
    from benefit_cli.services.memberships import cancel_membership

    when = day(on, "--on") or today()
    with transaction() as tx:
        cancelled = cancel_membership(tx, tx.memberships.get(membership), when)
    note(f"Cancelled membership {cancelled.id} on {cancelled.cancelled_on}.")


@level_app.command("add")
def level_add(
    contact: Annotated[str, typer.Argument(help="Who receives it (ref or id).")],
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The benefit type's code.")],
    quantity: Annotated[str, typer.Option(help="How much, e.g. 2 or 25.00.")],
    start: Annotated[str | None, typer.Option(help="First day it can be used (default: today).")] = None,
    expires: Annotated[str | None, typer.Option(help="Last day it can be used.")] = None,
    priority: Annotated[
        int | None, typer.Option(help="1-100; lower is drawn first (default 50).", parser=PRIORITY)
    ] = None,
    source: Annotated[str, typer.Option(help="manual or product.")] = "manual",
    membership: Annotated[
        int | None,
        typer.Option(help="Tie it to a membership (expires with it).", parser=membership_id("--membership")),
    ] = None,
) -> None:
    """Grant a benefit by hand (a goodwill gesture, a purchase).

    Example: benefit level add C000123 GUESTPASS --quantity 2 --expires 2026-12-31
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.reports.lists import level_rows
    from benefit_cli.services.allocations import add_level

    if source not in ("manual", "product"):
        raise UsageError(f'--source must be manual or product, got "{source}".')
    starts_on, expires_on = day(start, "--start") or today(), day(expires, "--expires")
    if expires_on is None and membership is None:
        raise UsageError("Give --expires (the last day it can be used) or --membership ID.")
    with transaction() as tx:
        receiver, benefit_type = tx.contacts.get(contact), tx.catalog.type(type_)
        amount = values.quantity(quantity, benefit_type.unit)
        tied = tx.memberships.get(membership) if membership is not None else None
        level = add_level(tx, receiver, benefit_type, amount, starts_on, expires_on, priority, source, tied)
        rows = level_rows(tx, [level], today())
    note(f"Granted level {level.id}.")
    show(rows)


@level_app.command("list")
def level_list(
    contact: Annotated[str | None, typer.Option(help="Only this contact's.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this benefit type.")] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List levels with what is allocated, used and remaining.

    Example: benefit level list --contact C000123
    """
    from benefit_cli.reports.lists import level_rows

    store = open_store()
    contact_id = store.contacts.get(contact).id if contact else None
    type_id = store.catalog.type(type_).id if type_ else None
    show(
        level_rows(store, store.memberships.levels(contact_id, type_id), today()),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )
