"""``benefit usage list``: ledger entries, newest last."""

from __future__ import annotations

import datetime as dt
import sqlite3

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
    conn: sqlite3.Connection,
    contact_key: str | None = None,
    type_code: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kinds: list[str] | None = None,
    ref: str | None = None,
    limit: int | None = None,
    title: str = "Ledger entries",
) -> Rows:
    store = Store(conn)
    contact_id = store.contact(contact_key).id if contact_key else None
    type_id = store.benefit_type(type_code).id if type_code else None
    entries = store.list_entries(contact_id, type_id, date_from, date_to, kinds, ref, limit)
    if limit is not None:
        entries.reverse()
    rows = [
        {
            "entry_id": e["id"],
            "date": e["entry_on"],
            "contact_ref": e["contact_ref"],
            "type": e["type"],
            "kind": e["kind"],
            "quantity": amount(entry_quantity(e["kind"], e["quantity"]), e["unit"]),
            "level_id": e["level_id"],
            "ref": e["ref"],
            "description": e["description"],
        }
        for e in entries
    ]
    return Rows(USAGE_COLUMNS, rows, title)
