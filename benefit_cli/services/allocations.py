"""Manual levels, allocations (splitting a level among contacts) and delegates.

An allocation's life is dated (SPEC §1 "An allocation's life"): it is offered, then
accepted or declined on a day, delivered on a day, and ended on a day; it can be used
exactly on the days its dates say, and its status is read as of a day
(``Allocation.status_on``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.db.allocations import DatedEntry
from benefit_cli.db.store import Tx
from benefit_cli.domain.allocation import allocatable, cards_to_stop
from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import (
    ACCEPTED,
    DECLINED,
    DEFAULT_PRIORITY,
    Allocation,
    BenefitType,
    Contact,
    Level,
    Membership,
)
from benefit_cli.domain.units import show_amount
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
    """Convey ``number`` of a level's unallocated, unused balance to a contact from
    ``starts_on`` through ``stops_on`` (invariant 1); a card of an exclusive group ends the
    contact's card in force the day before it starts (SPEC "Cards")."""
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
    stopped = []
    if benefit_type.exclusive_group:
        # Before the room is counted: the card it replaces may give back to this very level.
        change = cards_to_stop(tx.allocations.cards_of(contact.id, benefit_type.exclusive_group), starts_on)
        if change.blocking:
            card = change.blocking[0]
            raise Invalid(
                f"{contact.label} holds allocation {card.id}, a card of the group"
                f" {benefit_type.exclusive_group} from {card.starts_on}, which a new card from {starts_on}"
                f" cannot replace; start the new card after {card.starts_on}, or end or decline"
                f" allocation {card.id} first."
            )
        for card, stop_on in change.stop:
            later = tx.allocations.first_entry_outside(card.id, stop_on)
            if later is not None:
                raise Invalid(
                    f"Allocation {card.id}, the card a new one from {starts_on} would replace, has a"
                    f" {later.kind} on {later.entry_on} (entry {later.id}); start the new card on or after"
                    f" {_earliest_last_day(later) + ONE_DAY}{_or_void(later)}."
                )
            tx.allocations.update(card.id, {"active": False, "stops_on": stop_on, "ended_on": stop_on})
            stopped.append(tx.allocations.get(card.id))
    unallocated = _unallocated(tx, level, starts_on, stops_on)
    if number > unallocated:
        raise Invalid(
            f"Cannot allocate {show_amount(number, benefit_type.unit)} of {benefit_type.code} from level"
            f" {level.id}: {show_amount(unallocated, benefit_type.unit)} remain unallocated and unused"
            f" from {starts_on} (of {show_amount(level.quantity, benefit_type.unit)} granted)."
        )
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


def _earliest_last_day(entry: DatedEntry) -> dt.date:
    """The earliest last day that keeps ``entry`` inside the allocation's life: a use's
    day, or the day before a void (what is left goes back to the owner the day after the
    last day, by when the void must be in)."""
    return entry.entry_on - ONE_DAY if entry.kind == "void" else entry.entry_on


def _or_void(entry: DatedEntry) -> str:
    """The other way out when an entry is in the way: a use can be voided, a void cannot."""
    return f", or void entry {entry.id} first" if entry.kind == "use" else ""


RESPONSES = ("accept", "decline", "deliver", "end")
_DONE = {"accept": "accepted", "decline": "declined", "deliver": "delivered", "end": "ended"}


def respond(
    tx: Tx, allocation: Allocation, action: str, on: dt.date, today: dt.date | None = None
) -> Allocation:
    """``accept``, ``decline``, ``deliver`` or ``end`` an allocation on a date (SPEC "An
    allocation's life"). Each is dated, and the allocation is usable exactly on the days
    its dates say: through the day before a decline, through the day of an end. An end may
    be dated in the future; an answer or a delivery has happened, so not after ``today``."""
    if today is not None and on > today and action != "end":
        raise Invalid(
            f"Allocation {allocation.id} cannot be {_DONE[action]} on {on}, after today ({today});"
            " record it on the day it happens, or give --on that day."
        )
    if action == "accept":
        values = _answer(allocation, ACCEPTED, on)
    elif action == "decline":
        values = _answer(allocation, DECLINED, on)
        uses = tx.allocations.uses(allocation.id)
        if uses:
            first = uses[0]
            when = (
                f"on {first.entry_on}" if len(uses) == 1 else f"{len(uses)} times, first on {first.entry_on}"
            )
            raise Invalid(
                f"Allocation {allocation.id} was used {when} (entry {first.id}), so it cannot be declined;"
                " end it instead, or void its uses first."
            )
        values["active"] = False
        later = tx.allocations.first_entry_outside(allocation.id, on - ONE_DAY)
        if later is not None:
            raise Invalid(
                f"Allocation {allocation.id} has a {later.kind} on {later.entry_on} (entry {later.id}),"
                f" which a decline on {on} would leave outside it; decline it on or after"
                f" {_earliest_last_day(later) + ONE_DAY}."
            )
    elif action == "deliver":
        values = _delivery(allocation, on)
    elif action == "end":
        values = _end(allocation, on)
        later = tx.allocations.first_entry_outside(allocation.id, on)
        if later is not None:
            raise Invalid(
                f"Allocation {allocation.id} has a {later.kind} on {later.entry_on} (entry {later.id}),"
                f" which an end on {on} would leave outside it; end it on or after"
                f" {_earliest_last_day(later)}{_or_void(later)}."
            )
    else:
        raise ValueError(f"an allocation is answered with one of {RESPONSES}, not {action!r}")
    tx.allocations.update(allocation.id, values)
    return tx.allocations.get(allocation.id)


def _answer(allocation: Allocation, response: str, on: dt.date) -> dict[str, object]:
    """The recipient's answer, once, while the allocation still runs."""
    verb = "accepted" if response == ACCEPTED else "declined"
    if allocation.response is not None:
        raise Invalid(
            f"Allocation {allocation.id} was already {allocation.response} on {allocation.response_on};"
            " an answer is recorded once."
        )
    if on > allocation.stops_on:
        over = "ended" if allocation.ended_on is not None else "stopped"
        raise Invalid(
            f"Allocation {allocation.id} {over} on {allocation.stops_on}; it can no longer be {verb} on {on}."
        )
    return {"response": response, "response_on": on}


def _delivery(allocation: Allocation, on: dt.date) -> dict[str, object]:
    if allocation.delivered_on is not None:
        raise Invalid(f"Allocation {allocation.id} was already delivered on {allocation.delivered_on}.")
    if allocation.declined:
        raise Invalid(
            f"Allocation {allocation.id} was declined on {allocation.response_on}; a declined allocation"
            " cannot be delivered."
        )
    if on < allocation.starts_on:
        raise Invalid(
            f"Allocation {allocation.id} starts on {allocation.starts_on}; it cannot be delivered before"
            " that (give --on a later date)."
        )
    return {"delivered_on": on}


def _end(allocation: Allocation, on: dt.date) -> dict[str, object]:
    """A stop date of ``on``: today, a past day from its start on, or a future day. Moving
    an end earlier is allowed; ending later than it stops is not."""
    if allocation.declined:
        raise Invalid(
            f"Allocation {allocation.id} was declined on {allocation.response_on}; it has nothing left"
            " to end."
        )
    if on < allocation.starts_on:
        raise Invalid(
            f"Allocation {allocation.id} starts on {allocation.starts_on}; it cannot end before that"
            " (decline it instead)."
        )
    if on > allocation.stops_on or (on == allocation.stops_on and allocation.ended_on is not None):
        said = "already ends" if allocation.ended_on is not None else "stops"
        raise Invalid(
            f"Allocation {allocation.id} {said} on {allocation.stops_on}; an end on {on} would not"
            " shorten it. Give --on a day before that."
        )
    return {"active": False, "ended_on": on, "stops_on": on}


# -- delegates -----------------------------------------------------------------------------------


def add_delegate(tx: Tx, level: Level, contact: Contact) -> None:
    """Let a contact use a level's own part for its owner."""
    if contact.id == level.contact_id:
        raise Invalid(f"{contact.label} owns level {level.id}; an owner needs no delegation.")
    if tx.allocations.level_delegation(level.id, contact.id) is not None:
        raise Invalid(f"{contact.label} is already a delegate of level {level.id}.")
    if level.membership_id is not None:
        covering = tx.allocations.membership_delegation(level.membership_id, contact.id)
        if covering is not None:
            raise Invalid(
                f"{contact.label} is already a delegate of membership {covering}, which covers level"
                f" {level.id}."
            )
    tx.allocations.add_delegate(contact.id, level_id=level.id)


def remove_delegate(tx: Tx, level: Level, contact: Contact) -> None:
    if tx.allocations.level_delegation(level.id, contact.id) is None:
        covering = (
            tx.allocations.membership_delegation(level.membership_id, contact.id)
            if level.membership_id is not None
            else None
        )
        if covering is not None:
            raise Invalid(
                f"{contact.label} may use level {level.id} as a delegate of membership {covering};"
                f" remove that with: benefit delegate remove --membership {covering} {contact.ref}."
            )
        raise Invalid(f"{contact.label} is not a delegate of level {level.id}.")
    tx.allocations.remove_delegate(contact.id, level_id=level.id)


def add_membership_delegate(tx: Tx, membership: Membership, contact: Contact) -> None:
    """Let a contact use every level of a membership, and of its renewals, for its owner."""
    if contact.id == membership.contact_id:
        raise Invalid(f"{contact.label} holds membership {membership.id}; an owner needs no delegation.")
    covering = tx.allocations.membership_delegation(membership.id, contact.id)
    if covering is not None:
        what = "" if covering == membership.id else f" through membership {covering}, which it renews"
        raise Invalid(f"{contact.label} is already a delegate of membership {membership.id}{what}.")
    tx.allocations.add_delegate(contact.id, membership_id=membership.id)


def remove_membership_delegate(tx: Tx, membership: Membership, contact: Contact) -> None:
    covering = tx.allocations.membership_delegation(membership.id, contact.id)
    if covering is None:
        raise Invalid(f"{contact.label} is not a delegate of membership {membership.id}.")
    if covering != membership.id:
        raise Invalid(
            f"{contact.label} is a delegate of membership {membership.id} through membership {covering},"
            f" which it renews; remove that with: benefit delegate remove --membership {covering}"
            f" {contact.ref}."
        )
    tx.allocations.remove_delegate(contact.id, membership_id=membership.id)
