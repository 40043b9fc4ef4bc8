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
    )
    parts = [details, membership_rows(store, today, contact_id=contact.id)]
    parts.append(level_rows(store, store.memberships.levels(contact.id), today, "Levels"))
    received = store.allocations.to_contact(contact.id)
    parts.append(allocation_rows(store, received, today, "Allocations received"))
    parts.append(allocations_made_rows(store, contact.id, today))
    delegated = store.allocations.delegated_levels(contact.id)
    if delegated:
        parts.append(level_rows(store, delegated, today, "Levels it may use for their owner"))
    parts.append(balance_rows(store, contact.ref, today))
    parts.append(usage_rows(store, contact.ref, limit=RECENT_USES, title="Recent entries"))
    return Sections(parts)


def membership_sections(store: Store, membership_id: int, today: dt.date) -> Sections:
    membership = store.memberships.get(membership_id)
    rows = membership_rows(store, today, contact_id=membership.contact_id)
    at_id = rows.columns.index("id")
    rows.rows = [r for r in rows.values() if r[at_id] == membership_id]
    rows.title = f"Membership {membership_id}"
    return Sections(
        [
            rows,
            level_rows(store, store.memberships.levels_of_membership(membership_id), today, "Levels granted"),
        ]
    )
