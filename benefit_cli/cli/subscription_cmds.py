"""``benefit subscription ...``: deliver a subscription's issues (the mailing list), see
what was delivered, and let a member opt out and back in."""

from __future__ import annotations

from typing import Annotated

import typer

from benefit_cli.cli.common import (
    BomOpt,
    DelimiterOpt,
    Format,
    FormatOpt,
    LimitOpt,
    OutputOpt,
    note,
    open_store,
    show,
    today,
    transaction,
)

app = typer.Typer(help="Subscriptions: issues, deliveries and opt-outs.", no_args_is_help=True)

Contact = Annotated[str, typer.Argument(help="The member (ref or id).")]
TypeCode = Annotated[str, typer.Argument(help="The subscription's benefit type code.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="subscription")


@app.command("fulfil")
def fulfil(
    type_: TypeCode,
    through: Annotated[str, typer.Option(help="Deliver every issue dated up to this day.")],
    output: OutputOpt = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the mailing list it would write; record nothing.")
    ] = False,
    fmt: FormatOpt = Format.csv,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """Deliver every issue up to a day to every member owed it: the mailing list, one row
    per issue (name, email, issue date), each recorded so it is never sent twice.

    Example: benefit subscription fulfil MAGAZINE --through 2026-12-15 -o mailing.csv
    """
    from benefit_cli.domain.dates import parse_iso
    from benefit_cli.render import Rows
    from benefit_cli.services.subscriptions import MAILING_COLUMNS
    from benefit_cli.services.subscriptions import fulfil as fulfil_issues

    until = parse_iso(through, "--through")
    with transaction(rehearse=dry_run, references_read=True) as tx:
        done = fulfil_issues(tx, tx.catalog.type(type_), until, today())
    rows = Rows(MAILING_COLUMNS, done.delivered, f"Mailing list of {done.benefit_type.code}")
    if dry_run:
        show(rows, fmt, None, limit, bom, delimiter)
        unwritten = f"; {output} not written" if output else ""
        note(f"Dry run: would deliver {len(done.delivered)} issue(s); nothing recorded{unwritten}.")
        return
    show(rows, fmt, output, limit, bom, delimiter)
    note(f"Delivered {len(done.delivered)} issue(s) of {done.benefit_type.code} through {until}.")


@app.command("deliveries")
def deliveries(
    contact: Annotated[str | None, typer.Option(help="Only this member's.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this subscription's.")] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List the issues delivered, by issue date.

    Example: benefit subscription deliveries --contact M-1042
    """
    from benefit_cli.render import Rows

    store = open_store()
    contact_id = store.contacts.get(contact).id if contact else None
    type_id = store.catalog.type(type_).id if type_ else None
    rows = store.subscriptions.deliveries(contact_id, type_id)
    columns = ["contact_ref", "type", "issue_date", "delivered_on"]
    show(Rows(columns, rows, "Deliveries"), fmt, None, limit, bom, delimiter)


@app.command("optout")
def optout(contact: Contact, type_: TypeCode) -> None:
    """Stop a member's issues of a subscription from today, back issues included; their
    next renewal leaves it out.

    Example: benefit subscription optout M-1042 MAGAZINE
    """
    from benefit_cli.services.subscriptions import opt_out

    with transaction() as tx:
        member, benefit_type = tx.contacts.get(contact), tx.catalog.type(type_)
        done = opt_out(tx, member, benefit_type, today())
    if done.already:
        note(f"{member.label} was already opted out of {benefit_type.code} (since {done.since}).")
    else:
        note(f"{member.label} receives no more {benefit_type.code} from {done.since}.")


@app.command("optin")
def optin(contact: Contact, type_: TypeCode) -> None:
    """Restore a member's subscription: the issues dated after today, and at their next
    renewal.

    Example: benefit subscription optin M-1042 MAGAZINE
    """
    from benefit_cli.services.subscriptions import opt_in

    with transaction() as tx:
        member, benefit_type = tx.contacts.get(contact), tx.catalog.type(type_)
        restored = opt_in(tx, member, benefit_type, today())
    if restored:
        note(f"{member.label} receives {benefit_type.code} again: the issues dated after {today()}.")
    else:
        note(f"{member.label} was not opted out of {benefit_type.code}; nothing changed.")
