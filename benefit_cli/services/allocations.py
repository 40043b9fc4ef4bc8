"""Manual levels, allocations (splitting a level among contacts) and delegates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.db.store import Tx
from benefit_cli.domain.allocation import allocatable, cards_to_stop
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import DEFAULT_PRIORITY, Allocation, BenefitType, Contact, Level, Membership
from benefit_cli.services.balances import holders_of_levels


def add_level(
    tx: Tx,
    contact: Contact,
    benefit_type: BenefitType,
    quantity: int,
    starts_on: dt.date,
    expires_on: dt.date | None,
    priority: int | None = None,
    source: str = "manual",
    membership: Membership | None = None,
) -> Level:
    """A manual (or product) grant to any contact, valid ``starts_on..expires_on``; a
    level tied to a membership expires with its grace period unless told otherwise."""
    if not benefit_type.active:
        raise Invalid(f'"{benefit_type.code}" is retired; it cannot be granted any more.')
    if membership is not None:
        if membership.contact_id != contact.id:
            raise Invalid(f"Membership {membership.id} does not belong to {contact.label}.")
        expires_on = expires_on or membership.grace_end_on
    if expires_on is None:
        raise Invalid("A level needs the last day it can be used, or a membership to expire with.")
    if expires_on < starts_on:
        raise Invalid(f"The last day {expires_on} is before the start {starts_on}.")
    level_id = tx.memberships.add_level(
        {
            "contact_id": contact.id,
            "type_id": benefit_type.id,
            "quantity": quantity,
            "starts_on": starts_on,
            "expires_on": expires_on,
            "source": source,
            "priority": priority or DEFAULT_PRIORITY,
            "unit_value": benefit_type.unit_value,
            "membership_id": membership.id if membership else None,
        }
    )
    return tx.memberships.level(level_id)


@dataclass(frozen=True)
class Allocated:
    allocation: Allocation
    level: Level
    unallocated: int
    stopped: tuple[Allocation, ...]


def allocate(
    tx: Tx,
    level: Level,
    contact: Contact,
    number: int,
    starts_on: dt.date | None = None,
    stops_on: dt.date | None = None,
    comment: str | None = None,
) -> Allocated:
    """Convey ``number`` of a level's unallocated, unused balance to a contact
    (invariant 1); a card of an exclusive group ends the contact's earlier card."""
    benefit_type = tx.catalog.type_by_id(level.type_id)
    starts_on = starts_on or level.starts_on
    stops_on = stops_on or level.last_day
    if starts_on < level.starts_on or stops_on > level.expires_on:
        raise Invalid(
            f"Level {level.id} is valid {level.starts_on} to {level.expires_on};"
            " an allocation must start and stop within those dates."
        )
    if stops_on < starts_on:
        raise Invalid(f"The stop date {stops_on} is before the start date {starts_on}.")
    unallocated = _unallocated(tx, level, starts_on, stops_on)
    if number > unallocated:
        raise Invalid(
            f"Cannot allocate {number} {benefit_type.code} from level {level.id}:"
            f" {unallocated} remain unallocated and unused from {starts_on} (of {level.quantity} granted)."
        )
    stopped = []
    if benefit_type.exclusive_group:
        for earlier, stop_on in cards_to_stop(
            tx.allocations.active_cards(contact.id, benefit_type.exclusive_group), starts_on
        ):
            tx.allocations.update(earlier.id, {"active": False, "stops_on": stop_on, "ended_on": stop_on})
            stopped.append(tx.allocations.get(earlier.id))
    allocation_id = tx.allocations.add(
        {
            "level_id": level.id,
            "contact_id": contact.id,
            "number": number,
            "starts_on": starts_on,
            "stops_on": stops_on,
            "comment": comment,
        }
    )
    remaining = _unallocated(tx, level, starts_on, stops_on)
    return Allocated(tx.allocations.get(allocation_id), level, remaining, tuple(stopped))


def _unallocated(tx: Tx, level: Level, start: dt.date, stop: dt.date) -> int:
    """What an allocation from ``start`` to ``stop`` may take: what the owner's part keeps
    free from ``start`` on, within what the level's other allocations leave of its quantity."""
    own, *given = holders_of_levels(tx, [level.id])[level.id]
    room = allocatable(
        level.quantity, [(h.starts_on, h.last_day, h.given, h.used) for h in given], start, stop
    )
    return max(0, min(own.available_on(start), room))


RESPONSES = ("accept", "decline", "deliver", "end")


def respond(tx: Tx, allocation: Allocation, action: str, on: dt.date) -> Allocation:
    """``accept``, ``decline``, ``deliver`` or ``end`` an allocation on a date."""
    allocation_id = allocation.id
    if action in ("accept", "decline"):
        if allocation.response is not None:
            raise Invalid(
                f"Allocation {allocation_id} was already {allocation.response} on {allocation.response_on}."
            )
        if not allocation.active:
            raise Invalid(f"Allocation {allocation_id} has ended; it cannot be {action}ed.")
        values: dict[str, object] = {
            "response": f"{action}ed" if action == "accept" else "declined",
            "response_on": on,
        }
        if action == "decline":
            values["active"] = False
            values["ended_on"] = on
    elif action == "deliver":
        if allocation.delivered_on is not None:
            raise Invalid(f"Allocation {allocation_id} was already delivered on {allocation.delivered_on}.")
        values = {"delivered_on": on}
    elif action == "end":
        if not allocation.active:
            raise Invalid(f"Allocation {allocation_id} has already ended ({allocation.status}).")
        if on < allocation.starts_on:
            raise Invalid(
                f"Allocation {allocation_id} starts on {allocation.starts_on}; it cannot end before that."
            )
        values = {"active": False, "ended_on": on, "stops_on": min(on, allocation.stops_on)}
    else:
        raise ValueError(f"an allocation is answered with one of {RESPONSES}, not {action!r}")
    tx.allocations.update(allocation_id, values)
    return tx.allocations.get(allocation_id)


def add_delegate(tx: Tx, level: Level, contact: Contact) -> None:
    if contact.id == level.contact_id:
        raise Invalid(f"{contact.label} owns level {level.id}; an owner needs no delegation.")
    if tx.allocations.is_delegate(level.id, contact.id):
        raise Invalid(f"{contact.label} is already a delegate of level {level.id}.")
    tx.allocations.add_delegate(level.id, contact.id)


def remove_delegate(tx: Tx, level: Level, contact: Contact) -> None:
    if not tx.allocations.is_delegate(level.id, contact.id):
        raise Invalid(f"{contact.label} is not a delegate of level {level.id}.")
    tx.allocations.remove_delegate(level.id, contact.id)
