"""``benefit use``, ``adjust``, ``balance`` and ``benefit usage ...``"""

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
    OutputOpt,
    day,
    note,
    open_store,
    show,
    today,
    transaction,
)
from benefit_cli.cli.values import entry_id, level_id

usage_app = typer.Typer(help="The usage ledger: list, void, bulk and import.", no_args_is_help=True)

Contact = Annotated[str, typer.Argument(help="The contact's ref or id.")]
TypeCode = Annotated[str, typer.Argument(metavar="TYPE", help="The benefit type's code.")]


def register(root: typer.Typer) -> None:
    root.command("use")(use)
    root.command("adjust")(adjust)
    root.command("balance")(balance)
    root.add_typer(usage_app, name="usage")


def use(
    contact: Contact,
    type_: TypeCode,
    quantity: Annotated[str, typer.Option(help="How much, e.g. 1, 90 (minutes) or 12.50.")] = "1",
    on: Annotated[str | None, typer.Option(help="Date of the use (default: today).")] = None,
    description: Annotated[str | None, typer.Option(help="What the member sees on statements.")] = None,
    note_: Annotated[
        str | None, typer.Option("--note", help="Internal note, never shown to members.")
    ] = None,
    ref: Annotated[
        str | None, typer.Option(help="Your key for this use; repeating it records nothing twice.")
    ] = None,
) -> None:
    """Record that a contact used a benefit; prints what it drew from and what remains.

    Example: benefit use C000123 ROOM --quantity 90 --on 2026-03-04 --description "Board meeting"
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.units import show_amount
    from benefit_cli.services.ledger import record_use

    when = day(on, "--on") or today()
    with transaction() as tx:
        user, benefit_type = tx.contacts.get(contact), tx.catalog.type(type_)
        wanted = values.quantity(quantity, benefit_type.unit)
        used = record_use(tx, user, benefit_type, wanted, when, description, note_, ref)
    unit = used.benefit_type.unit
    if used.already:
        note(
            f'Already recorded under ref "{used.ref}" (entries'
            f" {', '.join(map(str, used.entry_ids))}); nothing was added."
        )
    for draw in used.draws:
        note(
            f"Used {show_amount(draw.quantity, unit)} from {draw.balance.label}, expires"
            f" {draw.balance.last_day}; {show_amount(draw.left, unit)} left there."
        )
    note(
        f"{used.contact.ref} has {show_amount(used.remaining, unit)} of {used.benefit_type.code}"
        " left on that date."
    )
    print(" ".join(map(str, used.entry_ids)))


def adjust(
    contact: Contact,
    type_: TypeCode,
    by: Annotated[str, typer.Option(help="How much to add (+N) or take away (-N).")],
    reason: Annotated[str, typer.Option(help="Why; kept in the history.")],
    level: Annotated[
        int | None,
        typer.Option(help="The level to adjust (default: the next to be drawn).", parser=level_id("--level")),
    ] = None,
    on: Annotated[str | None, typer.Option(help="Date of the adjustment (default: today).")] = None,
) -> None:
    """Add to or take from a contact's balance, with a reason.

    Example: benefit adjust C000123 GUESTPASS --by +1 --reason "Apology for the closed gallery"
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import Invalid
    from benefit_cli.domain.units import show_amount
    from benefit_cli.services.ledger import adjust as adjust_

    if not reason.strip():
        raise Invalid("Give a --reason: every correction says why.")
    when = day(on, "--on") or today()
    with transaction() as tx:
        holder, benefit_type = tx.contacts.get(contact), tx.catalog.type(type_)
        change = values.signed_quantity(by, benefit_type.unit)
        done = adjust_(tx, holder, benefit_type, change, reason, when, level)
    unit = done.benefit_type.unit
    note(
        f"Adjusted level {done.level_id} by {'+' if done.by > 0 else ''}"
        f"{show_amount(done.by, unit)}; {show_amount(done.remaining, unit)} left there."
    )
    print(done.entry_id)


def balance(
    contact: Contact,
    type_: Annotated[str | None, typer.Option("--type", help="Only this benefit type.")] = None,
    on: Annotated[str | None, typer.Option(help="The date (default: today).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="One row per level and allocation.")] = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Show what a contact has left of each benefit, with expiry and status.

    Example: benefit balance C000123 --type ROOM --on 2026-03-15
    """
    from benefit_cli.reports.balance import balance_rows

    show(
        balance_rows(open_store(), contact, day(on, "--on") or today(), type_, all_),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )


@usage_app.command("void")
def void(
    entry: Annotated[int, typer.Argument(help="The ledger entry id of the use.", parser=entry_id())],
    reason: Annotated[str, typer.Option(help="Why; kept in the history.")],
) -> None:
    """Reverse a use that should not have been recorded.

    Example: benefit usage void 812 --reason "Booked twice by mistake"
    """
    from benefit_cli.domain.errors import Invalid
    from benefit_cli.domain.units import show_amount
    from benefit_cli.services.ledger import void as void_

    if not reason.strip():
        raise Invalid("Give a --reason: every correction says why.")
    with transaction() as tx:
        done = void_(tx, entry, reason, today())
    where = f"allocation {done.allocation_id}" if done.allocation_id else f"level {done.level_id}"
    note(f"Voided entry {done.entry_id}: {show_amount(done.quantity, done.unit)} returned to {where}.")
    if done.siblings:
        note(
            f"The same use also drew entries {', '.join(map(str, done.siblings))}; void them too"
            " if the whole use was a mistake."
        )
    print(done.void_id)


@usage_app.command("list")
def list_(
    contact: Annotated[str | None, typer.Option(help="Only this contact's entries.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this benefit type.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="From this date.")] = None,
    to: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="use, void, adjust, expire or rollover.")] = None,
    ref: Annotated[str | None, typer.Option(help="Only entries with this ref.")] = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List ledger entries in date order.

    Example: benefit usage list --contact C000123 --from 2026-01-01 -f csv
    """
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.reports.usage_list import usage_rows

    kinds = [k.lower() for k in kind or []]
    unknown = set(kinds) - {"use", "void", "adjust", "expire", "rollover"}
    if unknown:
        raise UsageError(
            f"--kind must be use, void, adjust, expire or rollover; got {', '.join(sorted(unknown))}."
        )
    show(
        usage_rows(open_store(), contact, type_, day(from_, "--from"), day(to, "--to"), kinds or None, ref),
        fmt,
        output,
        limit,
        bom,
        delimiter,
    )


@usage_app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(help="CSV with contact, type, quantity, used_on, description, note, ref.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    on_error: Annotated[
        str, typer.Option(help="abort: bad rows stop everything; skip: import the good rows.")
    ] = "abort",
    rejects: Annotated[
        Path | None, typer.Option(help="Write the bad rows here, with an error column, to fix and re-import.")
    ] = None,
    encoding: Annotated[str | None, typer.Option(help="The file's encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="',', ';' or 'tab' (default: guessed).")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read 03/04/2026 as 3 April.")] = False,
    monthfirst: Annotated[bool, typer.Option("--monthfirst", help="Read 03/04/2026 as March 4.")] = False,
    ignore_extra: Annotated[
        bool, typer.Option("--ignore-extra", help="Ignore columns benefit does not know.")
    ] = False,
) -> None:
    """Import usage from a CSV file: every row checked, all or nothing, safe to repeat.

    Example: benefit usage import visits-march.csv --rejects march-rejects.csv
    """
    from benefit_cli.cli.imports import check_file, date_order, progress_bar
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.services.importing import ImportOptions
    from benefit_cli.services.usage_import import import_usage

    if on_error not in ("abort", "skip"):
        raise UsageError(f'--on-error must be abort or skip, got "{on_error}".')
    check_file(file)
    options = ImportOptions(
        today(),
        on_error,
        rejects,
        dry_run,
        encoding,
        delimiter,
        date_order(dayfirst, monthfirst),
        ignore_extra,
    )
    store = open_store()
    with progress_bar(f"Importing {file.name}") as progress:
        summary = import_usage(store, file, options, progress)
    imported = (
        f"imported {summary.imported}" if summary.written else f"valid {summary.imported} (not written)"
    )
    note(
        summary.sentence(
            ("Dry run, nothing written: " if dry_run else "")
            + f"rows read {summary.rows}, {imported}, skipped as already present {summary.already},"
            f" rejected {summary.rejected}, {summary.seconds:.1f} s"
        )
    )
    if summary.rejected and rejects is not None:
        note(
            f"The rejected rows are in {rejects}, with an error column; fix them there and import that file."
        )
    if summary.rejected and not summary.written:
        raise summary.refusal(dry_run)
    if summary.rejected:
        raise summary.done_in_part(rejects)


@usage_app.command("bulk")
def bulk(
    type_: TypeCode,
    contacts: Annotated[str | None, typer.Option(help="Refs or ids, separated by commas.")] = None,
    contacts_file: Annotated[
        Path | None, typer.Option(help="One ref per line, or a CSV with a contact column.")
    ] = None,
    plan: Annotated[str | None, typer.Option(help="Everyone holding this plan on the date.")] = None,
    joined_from: Annotated[
        str | None, typer.Option(help="Contacts who joined on or after this date.")
    ] = None,
    joined_to: Annotated[str | None, typer.Option(help="Contacts who joined on or before this date.")] = None,
    quantity: Annotated[str, typer.Option(help="How much each contact used.")] = "1",
    on: Annotated[str | None, typer.Option(help="Date of the use (default: today).")] = None,
    description: Annotated[str | None, typer.Option(help="What the members see on statements.")] = None,
    ref: Annotated[
        str | None,
        typer.Option(
            help="Your key for this bulk: each use gets PREFIX-<contact ref>, so running it again"
            " records nothing twice."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check every contact and show what it would record; record nothing."),
    ] = False,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Record the same use for many contacts at once, all or nothing.

    Example: benefit usage bulk LECTURE --plan BUSINESS --on 2026-05-12 --ref LECTURE-0512
    """
    from benefit_cli.cli import values
    from benefit_cli.cli.imports import choose_contacts
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.domain.units import show_amount
    from benefit_cli.render import Rows, amount
    from benefit_cli.services.ledger import bulk_use

    day_of_use = day(on, "--on") or today()
    first_joined, last_joined = day(joined_from, "--joined-from"), day(joined_to, "--joined-to")
    prefix = ref.strip() if ref is not None else None
    if prefix is not None and not prefix:
        raise UsageError("--ref must not be empty: give the key of this bulk, e.g. LECTURE-0512.")
    with transaction(rehearse=dry_run) as tx:
        keys = choose_contacts(tx, contacts, contacts_file, plan, first_joined, last_joined, day_of_use)
        benefit_type = tx.catalog.type(type_)
        wanted = values.quantity(quantity, benefit_type.unit)
        result = bulk_use(tx, keys, benefit_type, wanted, day_of_use, description, prefix)
    rows = []
    for used in result.uses:
        unit = used.benefit_type.unit
        rows.append(
            {
                "contact_ref": used.contact.ref,
                "type": used.benefit_type.code,
                "quantity": amount(wanted if used.already else sum(d.quantity for d in used.draws), unit),
                "drawn_from": ", ".join(d.balance.label for d in used.draws),
                "remaining": amount(used.remaining, unit),
                "ref": used.ref,
                "already": used.already,
                # A rehearsal's entries were rolled back: their numbers are nobody's.
                "entries": None if dry_run and not used.already else " ".join(map(str, used.entry_ids)),
            }
        )
    columns = ["contact_ref", "type", "quantity", "drawn_from", "remaining", "ref", "already", "entries"]
    title = "Uses it would record" if dry_run else "Uses recorded"
    show(Rows(columns, rows, title), fmt, limit=limit, bom=bom, delimiter=delimiter)
    unit = result.uses[0].benefit_type.unit
    new = sum(not used.already for used in result.uses)
    done = f"Dry run, nothing recorded: would record {new}" if dry_run else f"Recorded {new}"
    repeated = len(result.uses) - new
    already = f"; {repeated} already recorded under their refs, nothing added for them" if repeated else ""
    note(f"{done} use{'' if new == 1 else 's'}, {show_amount(result.total, unit)} in all{already}.")
