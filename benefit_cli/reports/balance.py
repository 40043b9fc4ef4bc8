"""``benefit balance``: what a contact has left of each benefit, on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.db.store import Store
from benefit_cli.domain.models import Level
from benefit_cli.render import Rows, amount
from benefit_cli.services.balances import LevelState, level_states

BALANCE_COLUMNS = [
    "contact_ref",
    "type",
    "granted",
    "allocated_out",
    "used",
    "remaining",
    "expires_on",
    "status",
]
ALL_COLUMNS = [
    "contact_ref",
    "type",
    "level_id",
    "allocation_id",
    "granted",
    "allocated_out",
    "used",
    "remaining",
    "starts_on",
    "expires_on",
    "status",
]
STATUS_ORDER = ("current", "not started", "expired")


@dataclass(frozen=True)
class Line:
    """One balance of a contact: the own part of a level it owns, or an allocation to it."""

    type_id: int
    level_id: int
    allocation_id: int | None
    granted: int  # 0 for an allocation out of the contact's own level (not granted twice)
    shown_granted: int
    allocated_out: int
    used: int
    remaining: int
    starts_on: dt.date
    expires_on: dt.date

    def status(self, on: dt.date) -> str:
        if on < self.starts_on:
            return "not started"
        return "expired" if on > self.expires_on else "current"


def balance_lines(store: Store, contact_id: int, type_id: int | None = None) -> list[Line]:
    owned = store.memberships.levels(contact_id, type_id)
    received = store.allocations.to_contact(contact_id, type_id)
    levels: dict[int, Level] = {level.id: level for level in owned}
    for allocation in received:
        levels.setdefault(allocation.level_id, store.memberships.level(allocation.level_id))
    states: dict[int, LevelState] = level_states(store, list(levels.values()))
    used = store.balances.used_sums(list(levels))
    lines = []
    for level in owned:
        split = states[level.id].split
        lines.append(
            Line(
                level.type_id,
                level.id,
                None,
                level.quantity,
                level.quantity,
                split.held_active_to_others,
                used.get((level.id, None), 0),
                split.own_remaining,
                level.starts_on,
                level.last_day,
            )
        )
    for allocation in received:
        level = levels[allocation.level_id]
        state = states[level.id]
        change = state.allocation_change(allocation.id)
        own = level.contact_id == contact_id
        # An ended allocation keeps only what it consumed (as in report balances).
        held = allocation.number if allocation.active else -change
        lines.append(
            Line(
                level.type_id,
                level.id,
                allocation.id,
                0 if own else held,
                held,
                0,
                used.get((level.id, allocation.id), 0),
                allocation.number + change if allocation.active else 0,
                max(level.starts_on, allocation.starts_on),
                min(level.last_day, allocation.stops_on),
            )
        )
    return lines


def balance_rows(
    store: Store,
    contact_key: str,
    on: dt.date,
    type_code: str | None = None,
    every: bool = False,
) -> Rows:
    contact = store.contacts.get(contact_key)
    type_id = store.catalog.type(type_code).id if type_code else None
    types = store.catalog.types_by_id()
    lines = balance_lines(store, contact.id, type_id)
    if every:
        rows = []
        for line in sorted(
            lines, key=lambda x: (types[x.type_id].code, x.starts_on, x.level_id, x.allocation_id or 0)
        ):
            unit = types[line.type_id].unit
            rows.append(
                {
                    "contact_ref": contact.ref,
                    "type": types[line.type_id].code,
                    "level_id": line.level_id,
                    "allocation_id": line.allocation_id,
                    "granted": amount(line.shown_granted, unit),
                    "allocated_out": amount(line.allocated_out, unit),
                    "used": amount(line.used, unit),
                    "remaining": amount(line.remaining, unit),
                    "starts_on": line.starts_on,
                    "expires_on": line.expires_on,
                    "status": line.status(on),
                }
            )
        return Rows(ALL_COLUMNS, rows, f"Balances of {contact.ref}, every level and allocation")
    by_type: dict[int, list[Line]] = {}
    for line in lines:
        by_type.setdefault(line.type_id, []).append(line)
    rows = []
    for tid, group in sorted(by_type.items(), key=lambda item: types[item[0]].code):
        status = next(s for s in STATUS_ORDER if any(x.status(on) == s for x in group))
        chosen = [x for x in group if x.status(on) == status]
        left = [x.expires_on for x in chosen if x.remaining > 0]
        unit = types[tid].unit
        rows.append(
            {
                "contact_ref": contact.ref,
                "type": types[tid].code,
                "granted": amount(sum(x.granted for x in chosen), unit),
                "allocated_out": amount(sum(x.allocated_out for x in chosen), unit),
                "used": amount(sum(x.used for x in chosen), unit),
                "remaining": amount(sum(x.remaining for x in chosen), unit),
                "expires_on": min(left) if left else None,
                "status": status,
            }
        )
    return Rows(BALANCE_COLUMNS, rows, f"Balances of {contact.ref} on {on}")
