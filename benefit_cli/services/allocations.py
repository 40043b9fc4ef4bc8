"""Manual levels, allocations (splitting a level among contacts) and delegates."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from benefit_cli.db.connection import write
from benefit_cli.db.store import Store
from benefit_cli.domain.allocation import cards_to_stop
from benefit_cli.domain.dates import iso
from benefit_cli.domain.errors import Invalid, UsageError
from benefit_cli.domain.models import LEVEL_SOURCES, Allocation, Level
from benefit_cli.services.balances import level_state
from benefit_cli.services.common import priority, quantity


def add_level(
    conn: sqlite3.Connection,
    contact_key: str,
    type_code: str,
    quantity_text: str,
    start: dt.date,
    expires: dt.date | None = None,
    priority_value: int | None = None,
    source: str = "manual",
    membership_id: int | None = None,
) -> Level:
    """A manual (or product) grant to any contact."""
    if source not in ("manual", "product"):
        raise UsageError(f'--source must be manual or product, got "{source}".')
    assert source in LEVEL_SOURCES
    priority(priority_value)
    store = Store(conn)
    with write(conn):
        contact = store.contact(contact_key)
        benefit_type = store.benefit_type(type_code)
        if not benefit_type.active:
            raise Invalid(f'"{benefit_type.code}" is retired; it cannot be granted any more.')
        amount = quantity(quantity_text, benefit_type.unit)
        if membership_id is not None:
            membership = store.membership(membership_id)
            if membership.contact_id != contact.id:
                raise Invalid(f"Membership {membership_id} does not belong to {contact.label}.")
            expires = expires or membership.grace_end_on
        if expires is None:
            raise UsageError("Give --expires (the last day it can be used) or --membership ID.")
        if expires < start:
            raise Invalid(f"--expires {expires} is before the start {start}.")
        level_id = store.insert_level(
            {
                "contact_id": contact.id,
                "type_id": benefit_type.id,
                "quantity": amount,
                "starts_on": iso(start),
                "expires_on": iso(expires),
                "source": source,
                "priority": priority_value or 50,
                "unit_value": benefit_type.unit_value,
                "membership_id": membership_id,
            }
        )
    return store.level(level_id)


@dataclass(frozen=True)
class Allocated:
    allocation: Allocation
    level: Level
    unallocated: int
    stopped: tuple[Allocation, ...]


def allocate(
    conn: sqlite3.Connection,
    level_id: int,
    contact_key: str,
    number: str = "1",
    start: dt.date | None = None,
    stop: dt.date | None = None,
    comment: str | None = None,
) -> Allocated:
    """Convey ``number`` of a level's unallocated, unused balance to a contact
    (invariant 1); a card of an exclusive group ends the contact's earlier card."""
    store = Store(conn)
    with write(conn):
        level = store.level(level_id)
        contact = store.contact(contact_key)
        benefit_type = store.benefit_type_by_id(level.type_id)
        amount = quantity(number, benefit_type.unit, "--number")
        starts_on = start or level.starts_on
        stops_on = stop or level.last_day
        if starts_on < level.starts_on or stops_on > level.expires_on:
            raise Invalid(
                f"Level {level.id} is valid {level.starts_on} to {level.expires_on};"
                " an allocation must start and stop within those dates."
            )
        if stops_on < starts_on:
            raise Invalid(f"--stop {stops_on} is before --start {starts_on}.")
        state = level_state(store, level)
        if amount > state.split.unallocated:
            raise Invalid(
                f"Cannot allocate {amount} {benefit_type.code} from level {level.id}:"
                f" {state.split.unallocated} remain unallocated ({level.quantity} granted,"
                f" {state.split.held_active} allocated, {state.split.held_used} used by ended"
                " allocations, own balance"
                f" {state.split.own_remaining})."
            )
        stopped = []
        if benefit_type.exclusive_group:
            for earlier, stop_on in cards_to_stop(
                store.active_cards_of_group(contact.id, benefit_type.exclusive_group), starts_on
            ):
                store.update_allocation(earlier.id, {"active": 0, "stops_on": stop_on, "ended_on": stop_on})
                stopped.append(store.allocation(earlier.id))
        allocation_id = store.insert_allocation(
            {
                "level_id": level.id,
                "contact_id": contact.id,
                "number": amount,
                "starts_on": iso(starts_on),
                "stops_on": iso(stops_on),
                "comment": comment,
            }
        )
        remaining = level_state(store, level).split.unallocated
    return Allocated(store.allocation(allocation_id), level, remaining, tuple(stopped))


def respond(conn: sqlite3.Connection, allocation_id: int, action: str, on: dt.date) -> Allocation:
    """``accept``, ``decline``, ``deliver`` or ``end`` an allocation on a date."""
    store = Store(conn)
    with write(conn):
        allocation = store.allocation(allocation_id)
        if action in ("accept", "decline"):
            if allocation.response is not None:
                raise Invalid(
                    f"Allocation {allocation_id} was already {allocation.response}"
                    f" on {allocation.response_on}."
                )
            if not allocation.active:
                raise Invalid(f"Allocation {allocation_id} has ended; it cannot be {action}ed.")
            values: dict[str, object] = {
                "response": f"{action}ed" if action == "accept" else "declined",
                "response_on": on,
            }
            if action == "decline":
                values["active"] = 0
                values["ended_on"] = on
        elif action == "deliver":
            if allocation.delivered_on is not None:
                raise Invalid(
                    f"Allocation {allocation_id} was already delivered on {allocation.delivered_on}."
                )
            values = {"delivered_on": on}
        elif action == "end":
            if not allocation.active:
                raise Invalid(f"Allocation {allocation_id} has already ended ({allocation.status}).")
            if on < allocation.starts_on:
                raise Invalid(
                    f"Allocation {allocation_id} starts on {allocation.starts_on}; it cannot end before that."
                )
            values = {"active": 0, "ended_on": on, "stops_on": min(on, allocation.stops_on)}
        else:  # pragma: no cover - the CLI offers only these four
            raise ValueError(action)
        store.update_allocation(allocation_id, values)
    return store.allocation(allocation_id)


def add_delegate(conn: sqlite3.Connection, level_id: int, contact_key: str) -> tuple[Level, str]:
    store = Store(conn)
    with write(conn):
        level = store.level(level_id)
        contact = store.contact(contact_key)
        if contact.id == level.contact_id:
            raise Invalid(f"{contact.label} owns level {level_id}; an owner needs no delegation.")
        if store.is_delegate(level_id, contact.id):
            raise Invalid(f"{contact.label} is already a delegate of level {level_id}.")
        store.add_delegate(level_id, contact.id)
    return level, contact.ref


def remove_delegate(conn: sqlite3.Connection, level_id: int, contact_key: str) -> tuple[Level, str]:
    store = Store(conn)
    with write(conn):
        level = store.level(level_id)
        contact = store.contact(contact_key)
        if not store.is_delegate(level_id, contact.id):
            raise Invalid(f"{contact.label} is not a delegate of level {level_id}.")
        store.remove_delegate(level_id, contact.id)
    return level, contact.ref
