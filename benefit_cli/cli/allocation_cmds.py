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
from benefit_cli.cli.values import allocation_id, level_id, membership_id

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
    from benefit_cli.domain.units import show_amount
    from benefit_cli.reports.lists import allocation_rows
    from benefit_cli.services.allocations import allocate as allocate_

    starts_on, stops_on = day(start, "--start"), day(stop, "--stop")
    with transaction() as tx:
        found, receiver = tx.memberships.level(level), tx.contacts.get(contact)
        unit = tx.catalog.type_by_id(found.type_id).unit
        amount = values.quantity(number, unit, "--number")
        done = allocate_(tx, found, receiver, amount, starts_on, stops_on, comment)
        rows = allocation_rows(tx, [done.allocation], today())
    for earlier in done.stopped:
        note(
            f"Allocation {earlier.id}, the card it replaces, now ends on {earlier.stops_on}; it can be"
            " used through that day."
        )
    note(f"Allocated; {show_amount(done.unallocated, unit)} of level {level} remain unallocated.")
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

    now = today()
    when = day(on, "--on") or now
    with transaction() as tx:
        done = respond(tx, tx.allocations.get(allocation), action, when, now)
    if action == "end":
        note(
            f"Allocation {done.id} ends on {done.stops_on}: it can be used through that day, and what it"
            " has not used returns to its level the day after."
        )
    elif action == "decline":
        note(
            f"Allocation {done.id} was declined on {done.response_on}; its whole number returns to level"
            f" {done.level_id}" + (" from that day." if done.took_effect() else " (it never took effect).")
        )
    elif action == "deliver":
        note(f"Allocation {done.id} was delivered on {done.delivered_on}.")
    else:
        note(f"Allocation {done.id} was accepted on {done.response_on}.")


@app.command("accept")
def accept(allocation: AllocationId, on: On = None) -> None:
    """Record that the recipient accepted an allocation.

    Example: benefit allocation accept 7
    """
    _respond("accept", allocation, on)


@app.command("decline")
def decline(allocation: AllocationId, on: On = None) -> None:
    """Record that the recipient declined; its number returns to the level.

    An allocation already used from cannot be declined (end it, or void its uses first).

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
    """End an allocation on a day: today, a past day after its start, or a future day.

    It stays usable through that day; what it has not used returns to the level the day
    after.

    Example: benefit allocation end 7 --on 2026-06-30
    """
    _respond("end", allocation, on)


# ``delegate add|remove (LEVEL | --membership ID) CONTACT``: two words, or one with
# --membership; read as they come and sorted out by ``_delegation``.
First = Annotated[str | None, typer.Argument(metavar="LEVEL", help="The level (left out with --membership).")]
# Named ``contact`` for the shell's completion; with --membership the contact comes first.
Contact = Annotated[str | None, typer.Argument(metavar="CONTACT", help="The delegate (ref or id).")]
MembershipOpt = Annotated[
    int | None,
    typer.Option(
        "--membership",
        help="Every level of this membership and of its renewals.",
        parser=membership_id("--membership"),
    ),
]


def _delegation(first: str | None, contact: str | None, membership: int | None) -> tuple[int | None, str]:
    """(level, contact) of ``delegate add|remove LEVEL CONTACT`` or ``--membership ID CONTACT``."""
    from benefit_cli.domain.errors import UsageError

    if first is None:
        raise UsageError("Give a level and a contact (e.g. 31 C000105), or --membership ID and a contact.")
    if membership is not None:
        if contact is not None:
            raise UsageError("Give --membership ID and a contact, or a level and a contact, not both.")
        return None, first
    if contact is None:
        raise UsageError("Give a level and a contact (e.g. 31 C000105), or --membership ID and a contact.")
    return level_id()(first), contact


@delegate_app.command("add")
def delegate_add(first: First = None, contact: Contact = None, membership: MembershipOpt = None) -> None:
    """Let a contact use a level's unallocated balance for its owner, or every level of a
    membership and of its renewals (--membership).

    Example: benefit delegate add 31 C000105

    Example: benefit delegate add --membership 12 C000105
    """
    from benefit_cli.services.allocations import add_delegate, add_membership_delegate

    level, who = _delegation(first, contact, membership)
    with transaction() as tx:
        if level is not None:
            found, delegate = tx.memberships.level(level), tx.contacts.get(who)
            add_delegate(tx, found, delegate)
        else:
            assert membership is not None
            held, delegate = tx.memberships.get(membership), tx.contacts.get(who)
            add_membership_delegate(tx, held, delegate)
    what = (
        f"level {level}" if level is not None else f"every level of membership {membership} and its renewals"
    )
    note(f'"{delegate.ref}" may now use {what}.')


@delegate_app.command("remove")
def delegate_remove(first: First = None, contact: Contact = None, membership: MembershipOpt = None) -> None:
    """Stop a contact from using a level, or a membership's levels (--membership).

    Example: benefit delegate remove 31 C000105
    """
    from benefit_cli.services.allocations import remove_delegate, remove_membership_delegate

    level, who = _delegation(first, contact, membership)
    with transaction() as tx:
        if level is not None:
            found, delegate = tx.memberships.level(level), tx.contacts.get(who)
            remove_delegate(tx, found, delegate)
        else:
            assert membership is not None
            held, delegate = tx.memberships.get(membership), tx.contacts.get(who)
            remove_membership_delegate(tx, held, delegate)
    what = f"level {level}" if level is not None else f"the levels of membership {membership}"
    note(f'"{delegate.ref}" may no longer use {what}.')


@delegate_app.command("list")
def delegate_list(
    contact: Annotated[str | None, typer.Option(help="Only this contact's delegations.")] = None,
    level: Annotated[
        int | None, typer.Option(help="Only those that cover this level.", parser=level_id("--level"))
    ] = None,
    membership: Annotated[
        int | None,
        typer.Option(
            "--membership",
            help="Only those that cover this membership.",
            parser=membership_id("--membership"),
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    limit: LimitOpt = None,
    bom: BomOpt = False,
    delimiter: DelimiterOpt = None,
) -> None:
    """List who may use levels for their owners: delegates of a level, or of a membership
    and its renewals.

    Example: benefit delegate list --membership 12
    """
    from benefit_cli.reports.lists import delegate_rows

    store = open_store()
    contact_id = store.contacts.get(contact).id if contact else None
    if level is not None:
        store.memberships.level(level)
    if membership is not None:
        store.memberships.get(membership)
    show(delegate_rows(store, contact_id, level, membership), fmt, limit=limit, bom=bom, delimiter=delimiter)
