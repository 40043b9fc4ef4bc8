"""``benefit allocate``, ``benefit allocation ...`` and ``benefit delegate ...``"""

from __future__ import annotations

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
from benefit_cli.cli.values import allocation_id, level_id

app = typer.Typer(help="Parts of levels conveyed to other contacts.", no_args_is_help=True)
delegate_app = typer.Typer(help="Contacts allowed to use a level for its owner.", no_args_is_help=True)

AllocationId = Annotated[int, typer.Argument(help="The allocation's id.", parser=allocation_id())]
On = Annotated[str | None, typer.Option(help="The date (default: today).")]


def register(root: typer.Typer) -> None:
    root.command("allocate")(allocate)
    root.add_typer(app, name="allocation")
    root.add_typer(delegate_app, name="delegate")


def allocate(
    level: Annotated[int, typer.Argument(help="The level to take from.", parser=level_id())],
    contact: Annotated[str, typer.Argument(help="Who receives it (ref or id).")],
    number: Annotated[str, typer.Option(help="How much to allocate.")] = "1",
    start: Annotated[str | None, typer.Option(help="First day (default: the level's start).")] = None,
    stop: Annotated[str | None, typer.Option(help="Last day (default: the level's expiry).")] = None,
    comment: Annotated[str | None, typer.Option(help="A note, e.g. 'for Grandma'.")] = None,
) -> None:
    """Give part of a level to another contact (a family member, an employee).

    Example: benefit allocate 12 C000124 --number 1
    """
    from benefit_cli.cli import values
    from benefit_cli.reports.lists import allocation_rows
    from benefit_cli.services.allocations import allocate as allocate_

    starts_on, stops_on = day(start, "--start"), day(stop, "--stop")
    with transaction() as tx:
        found, receiver = tx.memberships.level(level), tx.contacts.get(contact)
        amount = values.quantity(number, tx.catalog.type_by_id(found.type_id).unit, "--number")
        done = allocate_(tx, found, receiver, amount, starts_on, stops_on, comment)
        rows = allocation_rows(tx, [done.allocation], today())
    for earlier in done.stopped:
        note(f"Ended allocation {earlier.id} (same card group) on {earlier.stops_on}.")
    note(f"Allocated; {done.unallocated} of level {level} remain unallocated.")
    show(rows)


@app.command("list")
def list_(
    contact: Annotated[str | None, typer.Option(help="Only those made to this contact.")] = None,
    level: Annotated[
        int | None, typer.Option(help="Only those of this level.", parser=level_id("--level"))
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this benefit type.")] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List allocations with what each has used and has left.

    Example: benefit allocation list --level 12
    """
    from benefit_cli.reports.lists import allocation_rows

    store = open_store()
    contact_id = store.contacts.get(contact).id if contact else None
    type_id = store.catalog.type(type_).id if type_ else None
    if level is not None:
        store.memberships.level(level)
    show(
        allocation_rows(store, store.allocations.find(contact_id, level, type_id), today()),
        fmt,
        limit=limit,
        bom=bom,
        delimiter=delimiter,
    )


def _respond(action: str, allocation: int, on: str | None) -> None:
    from benefit_cli.services.allocations import respond

    when = day(on, "--on") or today()
    with transaction() as tx:
        done = respond(tx, tx.allocations.get(allocation), action, when)
    note(
        f"Allocation {done.id} is now {done.status}"
        + (f", delivered {done.delivered_on}." if done.delivered_on else ".")
    )


@app.command("accept")
def accept(allocation: AllocationId, on: On = None) -> None:
    """Record that the recipient accepted an allocation.

    Example: benefit allocation accept 7
    """
    _respond("accept", allocation, on)


@app.command("decline")
def decline(allocation: AllocationId, on: On = None) -> None:
    """Record that the recipient declined; its number returns to the level.

    Example: benefit allocation decline 7
    """
    _respond("decline", allocation, on)


@app.command("deliver")
def deliver(allocation: AllocationId, on: On = None) -> None:
    """Record that a card or ticket was handed over.

    Example: benefit allocation deliver 7 --on 2026-03-02
    """
    _respond("deliver", allocation, on)


@app.command("end")
def end(allocation: AllocationId, on: On = None) -> None:
    """End an allocation; what it has not used returns to the level.

    Example: benefit allocation end 7 --on 2026-06-30
    """
    _respond("end", allocation, on)


@delegate_app.command("add")
def delegate_add(
    level: Annotated[int, typer.Argument(help="The level.", parser=level_id())],
    contact: Annotated[str, typer.Argument(help="Who may use it (ref or id).")],
) -> None:
    """Let a contact use a level's unallocated balance for its owner.

    Example: benefit delegate add 31 C000105
    """
    from benefit_cli.services.allocations import add_delegate

    with transaction() as tx:
        found, delegate = tx.memberships.level(level), tx.contacts.get(contact)
        add_delegate(tx, found, delegate)
    note(f'"{delegate.ref}" may now use level {level}.')


@delegate_app.command("remove")
def delegate_remove(
    level: Annotated[int, typer.Argument(help="The level.", parser=level_id())],
    contact: Annotated[str, typer.Argument(help="The delegate (ref or id).")],
) -> None:
    """Stop a contact from using a level.

    Example: benefit delegate remove 31 C000105
    """
    from benefit_cli.services.allocations import remove_delegate

    with transaction() as tx:
        found, delegate = tx.memberships.level(level), tx.contacts.get(contact)
        remove_delegate(tx, found, delegate)
    note(f'"{delegate.ref}" may no longer use level {level}.')
