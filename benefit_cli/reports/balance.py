"""``benefit balance``: what a contact has left of each benefit, on a date.

The per-type rows are the very query of ``report balances`` for one contact, so the two
always agree; ``--all`` lists each holder (a level's own part, or an allocation) instead.
"""

from __future__ import annotations

import datetime as dt

from benefit_cli.db.queries import Filters, scope_of
from benefit_cli.db.store import Store
from benefit_cli.domain.units import amount
from benefit_cli.render import Rows
from benefit_cli.reports.reports import BALANCES_COLUMNS, in_units

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
QUANTITIES = ("granted", "allocated_out", "used", "remaining")


def balance_rows(
    store: Store,
    contact_key: str,
    on: dt.date,
    type_code: str | None = None,
    every: bool = False,
) -> Rows:
    contact = store.contacts.get(contact_key)
    type_id = store.catalog.type(type_code).id if type_code else None
    filters = Filters(contact.id, type_id)
    if every:
        types = store.catalog.types_by_id()
        scope, params = scope_of(filters)
        rows = []
        for f in sorted(
            store.balances.figures(on, scope, params),
            key=lambda f: (types[f.type_id].code, f.starts_on, f.level_id, f.allocation_id or 0),
        ):
            unit = types[f.type_id].unit
            rows.append(
                [
                    contact.ref,
                    types[f.type_id].code,
                    f.level_id,
                    f.allocation_id,
                    *(amount(value, unit) for value in (f.granted, f.allocated_out, f.used, f.remaining)),
                    f.starts_on,
                    f.last_day,
                    f.status,
                ]
            )
        return Rows(ALL_COLUMNS, rows, f"Balances of {contact.ref}, every level and allocation")
    picked = [BALANCES_COLUMNS.index(column) for column in BALANCE_COLUMNS]
    totals = in_units(store.queries.balance_totals(filters, on), BALANCES_COLUMNS, QUANTITIES)
    rows = [[row[index] for index in picked] for row in totals]
    return Rows(BALANCE_COLUMNS, rows, f"Balances of {contact.ref} on {on}")
