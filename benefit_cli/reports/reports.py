"""``benefit report ...``: history, usage, balances, allocations, statements and expiring
benefits, as rows for the one renderer. Columns are those SPEC §2 fixes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import UsageError
from benefit_cli.render import Rows, amount, money

HISTORY_COLUMNS = [
    "entry_id",
    "date",
    "contact_ref",
    "contact",
    "type",
    "kind",
    "quantity",
    "balance_after",
    "status",
    "used_by",
    "source",
    "description",
    "operator",
]
BALANCES_COLUMNS = [
    "contact_ref",
    "contact",
    "type",
    "granted",
    "allocated_out",
    "used",
    "adjusted",
    "expired",
    "remaining",
    "expires_on",
    "status",
]
ALLOCATIONS_COLUMNS = ["type", "allocations", "number_allocated", "contacts"]
ALLOCATION_LIST_COLUMNS = [
    "id",
    "type",
    "owner_ref",
    "contact_ref",
    "contact",
    "number",
    "used",
    "starts_on",
    "stops_on",
    "status",
    "comment",
]
STATEMENT_COLUMNS = ["date", "type", "used_by", "quantity", "description", "remaining"]
EXPIRING_COLUMNS = ["contact_ref", "contact", "email", "type", "remaining", "expires_on", "days_left"]
USAGE_KEYS = ("type", "contact", "month", "category")
STATEMENT_EXPIRY_DAYS = 60


def resolve_filters(
    store: Store,
    contact: str | None = None,
    type_code: str | None = None,
    category: str | None = None,
    plan: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Filters:
    if date_from and date_to and date_to < date_from:
        raise UsageError(f"--to {date_to} is before --from {date_from}.")
    return Filters(
        store.contacts.get(contact).id if contact else None,
        store.catalog.type(type_code).id if type_code else None,
        category or None,
        store.catalog.plan(plan).id if plan else None,
        date_from,
        date_to,
    )


def in_units(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], quantities: Sequence[str]
) -> Iterator[Sequence[Any]]:
    """Query rows holding ``columns`` in order and then the unit, as the renderer takes
    them: cut to ``columns``, with the ``quantities`` in the units people read (money
    in currency units; see ``amount``)."""
    width = len(columns)
    at = [columns.index(q) for q in quantities]
    for row in rows:
        if row[width] == "money":
            values = list(row[:width])
            for index in at:
                values[index] = money(values[index])
            yield values
        else:
            yield row[:width]


# -- history ----------------------------------------------------------------------------------


def history(store: Store, filters: Filters, today: dt.date) -> Rows:
    rows = store.queries.history_list(filters, today)
    return Rows(
        HISTORY_COLUMNS, in_units(rows, HISTORY_COLUMNS, ("quantity", "balance_after")), "History"
    )  # streams


# -- usage ------------------------------------------------------------------------------------


def usage(store: Store, filters: Filters, by: Sequence[str]) -> Rows:
    keys = list(dict.fromkeys(k.lower() for k in by)) or ["type"]
    unknown = [k for k in keys if k not in USAGE_KEYS]
    if unknown:
        raise UsageError(f"--by must be type, contact, month or category; got {', '.join(unknown)}.")
    rows = []
    for row in store.queries.usage_totals(filters, keys):
        quantity = row["quantity"]
        if row["money_quantity"]:
            quantity += money(row["money_quantity"])
        rows.append(
            {
                **{k: row[k] for k in keys},
                "uses": row["uses"],
                "quantity": quantity,
                "members": row["members"],
                "value": money(int(row["value"] or 0)),
            }
        )
    rows.sort(key=lambda g: (-g["quantity"], -g["uses"], *[str(g[k]) for k in keys]))
    return Rows([*keys, "uses", "quantity", "members", "value"], rows, "Usage by " + ", ".join(keys))


# -- balances ---------------------------------------------------------------------------------


def balances(store: Store, filters: Filters, today: dt.date) -> Rows:
    rows = store.queries.balance_totals(filters, today)
    quantities = ("granted", "allocated_out", "used", "adjusted", "expired", "remaining")
    return Rows(BALANCES_COLUMNS, in_units(rows, BALANCES_COLUMNS, quantities), "Balances")  # streams


# -- allocations ------------------------------------------------------------------------------


def allocations(store: Store, filters: Filters, listing: bool) -> Rows:
    if listing:
        rows = store.queries.allocation_list(filters)
        return Rows(
            ALLOCATION_LIST_COLUMNS,
            in_units(rows, ALLOCATION_LIST_COLUMNS, ("number", "used")),
            "Allocations",
        )
    totals = [
        {
            "type": r["type"],
            "allocations": r["allocations"],
            "number_allocated": amount(r["number_allocated"], r["unit"]),
            "contacts": r["contacts"],
        }
        for r in store.queries.allocation_totals(filters)
    ]
    return Rows(ALLOCATIONS_COLUMNS, totals, "How many allocated")


# -- statement --------------------------------------------------------------------------------


def statement(store: Store, contact_key: str, filters: Filters, today: dt.date) -> Rows:
    """The member's own view: what was used from its balances and from what it allocated
    to others, with member-visible descriptions only (never notes or operators), and
    what expires soon."""
    contact = store.contacts.get(contact_key)
    lines = []
    by_holder = Filters(contact.id, filters.type_id, filters.category, filters.plan_id)
    allocated_to = {
        a.contact_id
        for level in store.memberships.levels(contact.id)
        for a in store.allocations.of_level(level.id)
        if a.contact_id != contact.id
    }
    holders = [by_holder] + [
        Filters(other, filters.type_id, filters.category, filters.plan_id) for other in sorted(allocated_to)
    ]
    own_levels = {level.id for level in store.memberships.levels(contact.id)}
    for holder in holders:
        for row in store.queries.history(holder):
            if row["kind"] not in ("use", "void", "adjust", "expire", "rollover"):
                continue
            if holder.contact_id != contact.id and row["level_id"] not in own_levels:
                continue  # the other person's own benefits are not this member's business
            if (filters.date_from and row["date"] < filters.date_from.isoformat()) or (
                filters.date_to and row["date"] > filters.date_to.isoformat()
            ):
                continue
            unit = row["unit"]
            lines.append(
                {
                    "date": row["date"],
                    "type": row["type"],
                    "used_by": row["used_by"],
                    # What was taken from the balance: a use is positive, its void negative.
                    "quantity": amount(-row["quantity"], unit),
                    # A void's or adjustment's description is staff's reason, not for members.
                    "description": (row["description"] if row["kind"] == "use" else None)
                    or _member_wording(row["kind"]),
                    "remaining": amount(row["balance_after"], unit),
                }
            )
    lines.sort(key=lambda line: line["date"])
    soon = expiring(store, by_holder, STATEMENT_EXPIRY_DAYS, today)
    for values in soon.values():
        row = dict(zip(soon.columns, values, strict=True))
        lines.append(
            {
                "date": row["expires_on"],
                "type": row["type"],
                "used_by": None,
                "quantity": row["remaining"],
                "description": f"Expires on {row['expires_on']} unless used",
                "remaining": row["remaining"],
            }
        )
    return Rows(STATEMENT_COLUMNS, lines, f"Statement for {contact.name} ({contact.ref})")


def _member_wording(kind: str) -> str:
    return {
        "void": "Correction",
        "adjust": "Adjustment",
        "expire": "Expired",
        "rollover": "Carried over",
    }.get(kind, "Used")


# -- expiring ---------------------------------------------------------------------------------


def expiring(store: Store, filters: Filters, within: int, today: dt.date) -> Rows:
    if within < 0:
        raise UsageError(f"--within must be zero or more days, got {within}.")
    rows = store.queries.expiring(filters, today, today + dt.timedelta(days=within))
    return Rows(
        EXPIRING_COLUMNS,
        list(in_units(rows, EXPIRING_COLUMNS, ("remaining",))),
        f"Expiring within {within} days",
    )
