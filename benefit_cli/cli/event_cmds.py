"""``benefit event ...``"""

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
    day,
    note,
    open_store,
    show,
    today,
    transaction,
)
from benefit_cli.cli.values import registration_id

app = typer.Typer(help="Events, and registrations that draw on benefits.", no_args_is_help=True)
regtype_app = typer.Typer(help="The ways to register for an event.", no_args_is_help=True)
app.add_typer(regtype_app, name="regtype")

EventArg = Annotated[str, typer.Argument(help="The event's code.")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="event")


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. GALA26.")],
    name: Annotated[str, typer.Option(help="The name members see.")],
    date: Annotated[str, typer.Option(help="The day it is held: its registrations use benefits that day.")],
) -> None:
    """Add an event.

    Example: benefit event add GALA26 --name "Spring gala" --date 2026-05-16
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.services.events import add_event

    code = values.code(code, "The event code")
    held_on = day(date, "--date")
    assert held_on is not None  # a required option
    if not name.strip():
        raise UsageError("--name must not be empty.")
    with transaction() as tx:
        added = add_event(tx, code, name.strip(), held_on)
    note(f'Added event "{added.code}" ({added.name}) on {added.held_on}.')


@regtype_app.command("add")
def regtype_add(
    event: EventArg,
    name: Annotated[str, typer.Argument(help='Its name, e.g. "Member ticket".')],
    type_: Annotated[
        str | None, typer.Option("--type", help="The benefit each registration of it uses.")
    ] = None,
    quantity: Annotated[
        str | None, typer.Option(help="How much of that benefit, in its unit, e.g. 1, 90 (minutes) or 12.50.")
    ] = None,
) -> None:
    """Add a way to register for an event, drawing on a benefit or not.

    Example: benefit event regtype add GALA26 "Member ticket" --type TICKET --quantity 1
    """
    from benefit_cli.cli import values
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.services.events import add_regtype

    if (type_ is None) != (quantity is None):
        given, missing = ("--type", "--quantity") if quantity is None else ("--quantity", "--type")
        raise UsageError(
            f"{given} needs {missing}: a registration type that draws on a benefit names the benefit"
            " type and how much of it one registration uses."
        )
    if not name.strip():
        raise UsageError("The registration type's NAME must not be empty.")
    with transaction() as tx:
        benefit_type, wanted = None, None
        if type_ is not None and quantity is not None:
            benefit_type = tx.catalog.type(type_)
            wanted = values.quantity(quantity, benefit_type.unit)
        found = tx.events.event(event)
        added = add_regtype(tx, found, name.strip(), benefit_type, wanted)
    if benefit_type is not None and wanted is not None:
        from benefit_cli.domain.units import show_amount

        uses = f"each registration uses {show_amount(wanted, benefit_type.unit)} {benefit_type.code}"
    else:
        uses = "it uses no benefit"
    note(f'Added registration type "{added.name}" to {found.code}; {uses}.')


@app.command("register")
def register_(
    event: EventArg,
    contact: Annotated[str, typer.Argument(help="Who registers (ref or id).")],
    regtype: Annotated[str, typer.Option(help="The registration type's name.")],
    ref: Annotated[
        str | None, typer.Option(help="Your key for this registration; repeating it registers nothing twice.")
    ] = None,
) -> None:
    """Register a contact for an event; a registration type tied to a benefit uses it.

    Example: benefit event register GALA26 C000116 --regtype "Member ticket" --ref GALA26-C000116
    """
    from benefit_cli.domain.errors import UsageError
    from benefit_cli.domain.units import show_amount
    from benefit_cli.services.events import register as register_contact

    key = ref.strip() if ref is not None else None
    if key is not None and not key:
        raise UsageError("--ref must not be empty: give the key of this registration, e.g. GALA26-C000116.")
    with transaction() as tx:
        found = tx.events.event(event)
        kind = tx.events.regtype(found, regtype)
        who = tx.contacts.get(contact)
        done = register_contact(tx, found, who, kind, key)
    registration = done.registration
    if done.already:
        note(f'Already registered under ref "{registration.ref}" (registration {registration.id});'
             " nothing was added.")  # fmt: skip
    else:
        said = f"Registered {who.label} for {found.code} (registration {registration.id})"
        benefit, wanted = done.benefit_type, kind.quantity
        if benefit is None or wanted is None:
            note(f'{said}; a "{kind.name}" registration uses no benefit.')
        elif done.used is None:
            note(
                f"{said}, not covered by a benefit: {show_amount(done.left, benefit.unit)} of"
                f' {benefit.code} left on {found.held_on}, and a "{kind.name}" registration uses'
                f" {show_amount(wanted, benefit.unit)}."
            )
        else:
            note(f"{said}, covered by {show_amount(wanted, benefit.unit)} {benefit.code}.")
            for draw in done.used.draws:
                note(
                    f"Used {show_amount(draw.quantity, benefit.unit)} from {draw.balance.label}, expires"
                    f" {draw.balance.last_day}; {show_amount(draw.left, benefit.unit)} left there."
                )
    print(registration.id)


@app.command("list")
def list_(
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List the events, soonest first, with their registration types and registrations.

    Example: benefit event list
    """
    from benefit_cli.reports.events import event_rows

    show(event_rows(open_store()), fmt, output, limit, bom, delimiter)


@app.command("registrations")
def registrations(
    event: EventArg,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List the registrations of an event, cancelled ones with their date.

    Example: benefit event registrations GALA26 -f csv
    """
    from benefit_cli.reports.events import registration_rows

    store = open_store()
    show(registration_rows(store, store.events.event(event)), fmt, output, limit, bom, delimiter)


@app.command("cancel")
def cancel(
    registration: Annotated[int, typer.Argument(help="The registration's id.", parser=registration_id())],
) -> None:
    """Cancel a registration: the benefit it used is given back.

    Example: benefit event cancel 42
    """
    from benefit_cli.domain.units import show_amount
    from benefit_cli.services.events import cancel_registration

    with transaction() as tx:
        done = cancel_registration(tx, registration, today())
    said = f"Cancelled registration {done.registration.id} of {done.contact.label} for {done.event.code}"
    if done.voided:
        unit = done.voided[0].unit
        entries = ", ".join(str(v.entry_id) for v in done.voided)
        noun = "entry" if len(done.voided) == 1 else "entries"
        note(f"{said}; {show_amount(done.returned, unit)} returned ({noun} {entries} voided).")
        print(" ".join(str(v.void_id) for v in done.voided))
    elif done.registration.covered:
        note(f"{said}; its use had been voided already, so nothing else was given back.")
    else:
        note(f"{said}; it had used no benefit.")
