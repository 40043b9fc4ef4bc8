"""``benefit usage list``: ledger entries, newest last."""

from __future__ import annotations

import datetime as dt

from benefit_cli.db.store import Store
from benefit_cli.render import Rows, amount

USAGE_COLUMNS = [
    "entry_id",
    "date",
    "contact_ref",
    "type",
    "kind",
    "quantity",
    "level_id",
    "ref",
    "description",
]


def entry_quantity(kind: str, stored: int) -> int:
    """The quantity as staff say it: a use of 3, a void of 3, an adjustment of -2."""
    return stored if kind == "adjust" else abs(stored)


def usage_rows(
    store: Store,
    contact_key: str | None = None,
    type_code: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kinds: list[str] | None = None,
    ref: str | None = None,
    limit: int | None = None,
    title: str = "Ledger entries",
) -> Rows:
    contact_id = store.contacts.get(contact_key).id if contact_key else None
    type_id = store.catalog.type(type_code).id if type_code else None
    rows = [
        (
            e.id,
            e.entry_on,
            row.contact_ref,
            row.type,
            e.kind,
            amount(entry_quantity(e.kind, e.quantity), row.unit),
            e.level_id,
            e.ref,
            e.description,
        )
        for row in store.ledger.rows(contact_id, type_id, date_from, date_to, kinds, ref, limit)
        for e in [row.entry]
    ]
    return Rows(USAGE_COLUMNS, rows, title)
