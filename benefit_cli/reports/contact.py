"""``contact show`` and ``membership show``: one thing with everything that hangs on it."""

from __future__ import annotations

import datetime as dt

from benefit_cli.db.store import Store
from benefit_cli.render import Rows, Sections
from benefit_cli.reports.balance import balance_rows
from benefit_cli.reports.lists import (
    CONTACT_COLUMNS,
    allocation_rows,
    allocations_made_rows,
    level_rows,
    membership_rows,
)
from benefit_cli.reports.usage_list import usage_rows

RECENT_USES = 10


def contact_sections(store: Store, key: str, today: dt.date) -> Sections:
    contact = store.contacts.get(key)
    business = store.contacts.by_id(contact.business_id).ref if contact.business_id else None
    details = Rows(
        CONTACT_COLUMNS,
        [
            {
                "id": contact.id,
                "ref": contact.ref,
                "name": contact.name,
                "kind": contact.kind,
                "business_ref": business,
                "email": contact.email,
                "joined_on": contact.joined_on,
            }
        ],
        "Contact",
    ).keyed("contact")
    # Each part's key is what ``contact show -f json`` names it: fixed, for scripts.
    parts = [details, membership_rows(store, today, contact_id=contact.id).keyed("memberships")]
    parts.append(level_rows(store, store.memberships.levels(contact.id), today, "Levels").keyed("levels"))
    received = store.allocations.to_contact(contact.id)
    parts.append(
        allocation_rows(store, received, today, "Allocations received").keyed("allocations_received")
    )
    parts.append(allocations_made_rows(store, contact.id, today).keyed("allocations_made"))
    delegated = store.allocations.delegated_levels(contact.id)
    if delegated:
        parts.append(
            level_rows(store, delegated, today, "Levels it may use for their owner").keyed("delegate_levels")
        )
    parts.append(balance_rows(store, contact.ref, today).keyed("balances"))
    recent = usage_rows(store, contact.ref, limit=RECENT_USES, title="Recent entries")
    parts.append(recent.keyed("recent_entries"))
    return Sections(parts)


def membership_sections(store: Store, membership_id: int, today: dt.date) -> Sections:
    membership = store.memberships.get(membership_id)
    rows = membership_rows(store, today, contact_id=membership.contact_id)
    at_id = rows.columns.index("id")
    rows.rows = [r for r in rows.values() if r[at_id] == membership_id]
    rows.title = f"Membership {membership_id}"
    granted = store.memberships.levels_of_membership(membership_id)
    levels = level_rows(store, granted, today, "Levels granted")
    return Sections([rows.keyed("membership"), levels.keyed("levels")])
