"""``benefit contact ...``"""

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

app = typer.Typer(help="People and businesses.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="contact")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The person's or business's name.")],
    ref: Annotated[
        str | None, typer.Option(help="Its id in your other systems (default: C + number).")
    ] = None,
    business: Annotated[bool, typer.Option("--business", help="This contact is a business.")] = False,
    of: Annotated[str | None, typer.Option("--of", help="The business this person belongs to.")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    joined: Annotated[str | None, typer.Option(help="Date joined, YYYY-MM-DD.")] = None,
) -> None:
    """Add a person or a business.

    Example: benefit contact add "Ada Byron" --ref C000123 --email ada@example.org
    """
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.render import printable
    from benefit_cli.services.contacts import add_contact

    name = name.strip()
    if not name:
        raise UsageError("The contact's name must not be empty.")
    if business and of:
        raise UsageError("A business cannot belong to another business: give --business or --of, not both.")
    joined_on = day(joined, "--joined")
    with transaction() as tx:
        employer = tx.contacts.get(of) if of else None
        kind = "business" if business else "person"
        contact = add_contact(tx, name, ref.strip() if ref else None, kind, employer, email, joined_on)
    note(f"Added {contact.kind} {contact.label}.")
    print(printable(contact.ref))  # a ref may hold anything typed: it reaches a terminal escaped


@app.command("update")
def update(
    contact: Annotated[str, typer.Argument(help="The contact's ref or id.")],
    name: Annotated[str | None, typer.Option(help="The new name.")] = None,
    ref: Annotated[str | None, typer.Option(help="The new ref (its id in your other systems).")] = None,
    email: Annotated[str | None, typer.Option(help='The new email address ("" for none).')] = None,
    joined: Annotated[str | None, typer.Option(help='The date joined ("" for none).')] = None,
    of: Annotated[
        str | None, typer.Option("--of", help='The business this person belongs to ("" for none).')
    ] = None,
) -> None:
    """Change a contact's name, ref, email, date joined or business.

    Example: benefit contact update C000116 --name "José Álvarez Ruiz" --email jose@example.org
    """
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.services.contacts import KEEP, update_contact

    if all(value is None for value in (name, ref, email, joined, of)):
        raise UsageError("Say what to change: give --name, --ref, --email, --joined or --of.")
    joined_on = KEEP if joined is None else day(joined, "--joined") if joined.strip() else None
    with transaction() as tx:
        current = tx.contacts.get(contact)
        business = KEEP if of is None else tx.contacts.get(of.strip()) if of.strip() else None
        done = update_contact(
            tx,
            current,
            name=KEEP if name is None else name,
            ref=KEEP if ref is None else ref,
            email=KEEP if email is None else email,
            joined_on=joined_on,
            business=business,
        )
    if done.changed:
        note(f"Updated {done.contact.label}: {', '.join(done.changed)}.")
    else:
        note(f"{done.contact.label} already has these details; nothing was changed.")
    print(done.contact.ref)


@app.command("list")
def list_(
    name: Annotated[
        str | None, typer.Option(help="Only names containing this text, whatever its accents and case.")
    ] = None,
    joined_from: Annotated[str | None, typer.Option(help="Joined on or after this date.")] = None,
    joined_to: Annotated[str | None, typer.Option(help="Joined on or before this date.")] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List contacts.

    Example: benefit contact list --name smith -f csv
    """
    from benefit_cli.reports.lists import contact_rows

    show(
        contact_rows(open_store(), name, day(joined_from, "--joined-from"), day(joined_to, "--joined-to")),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )


@app.command("show")
def show_(
    contact: Annotated[str, typer.Argument(help="The contact's ref or id.")],
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Show a contact with its memberships, levels, allocations and balances.

    Example: benefit contact show C000123
    """
    from benefit_cli.reports.contact import contact_sections

    show(contact_sections(open_store(), contact, today()), fmt, limit=limit, bom=bom, delimiter=delimiter)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV with ref, name, kind, business_ref, email, joined_on.")],
    update: Annotated[bool, typer.Option("--update", help="Change contacts whose details differ.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and say what it would do; write nothing.")
    ] = False,
    encoding: Annotated[str | None, typer.Option(help="The file's encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[str | None, typer.Option(help="',', ';' or 'tab' (default: guessed).")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="Read 03/04/2026 as 3 April.")] = False,
    monthfirst: Annotated[bool, typer.Option("--monthfirst", help="Read 03/04/2026 as March 4.")] = False,
) -> None:
    """Import contacts from a CSV file, all or nothing; importing again adds nothing.

    Example: benefit contact import contacts.csv
    """
    from benefit_cli.cli.imports import check_file, date_order
    from benefit_cli.services.contacts import import_contacts
    from benefit_cli.services.importing import ImportOptions

    check_file(file)
    options = ImportOptions(
        today(),
        dry_run=dry_run,
        encoding=encoding,
        delimiter=delimiter,
        dayfirst=date_order(dayfirst, monthfirst),
    )
    summary = import_contacts(open_store(), file, options, update)
    if summary.rejected:
        raise summary.refusal(dry_run)
    would = "would be " if dry_run else ""
    note(
        summary.sentence(
            ("Dry run, nothing written: " if dry_run else "")
            + f"{summary.rows} rows read: {summary.imported} {would}added, {summary.updated} {would}updated,"
            f" {summary.already} already present"
        )
    )
