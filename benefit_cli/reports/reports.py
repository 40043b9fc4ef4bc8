"""``benefit report ...``: history, usage, balances, allocations, statements and expiring
benefits, as rows for the one renderer. Columns are those SPEC §2 fixes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import UsageError
from benefit_cli.domain.models import DECLINED, ENDED, Contact
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
    "response",
    "response_on",
    "delivered_on",
    "comment",
]
STATEMENT_COLUMNS = ["date", "type", "used_by", "quantity", "description", "remaining"]
EXPIRING_COLUMNS = ["contact_ref", "contact", "email", "type", "remaining", "expires_on", "days_left"]
USAGE_KEYS = ("type", "contact", "month", "category", "event")
USAGE_COLUMNS = ["unit", "uses", "quantity", "members", "value"]
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
    """Every event from ``--from`` to ``--to`` (default today) with the running balance."""
    rows = store.queries.history(filters, filters.date_to or today)
    return Rows(
        HISTORY_COLUMNS, in_units(rows, HISTORY_COLUMNS, ("quantity", "balance_after")), "History"
    )  # streams


# -- usage ------------------------------------------------------------------------------------


def usage(store: Store, filters: Filters, by: Sequence[str]) -> Rows:
    """Uses grouped by the keys, one row per group and unit: minutes, admissions and money
    are never added together; only their value is money."""
    keys = list(dict.fromkeys(k.lower() for k in by)) or ["type"]
    unknown = [k for k in keys if k not in USAGE_KEYS]
    if unknown:
        raise UsageError(f"--by must be type, contact, month, category or event; got {', '.join(unknown)}.")
    width = len(keys)
    rows = []
    for row in store.queries.usage_totals(filters, keys):
        unit, uses, quantity, members, value = row[width:]
        rows.append([*row[:width], unit, uses, amount(quantity, unit), members, money(int(value or 0))])
    # by unit, then the most used first
    rows.sort(key=lambda r: (r[width], -r[width + 2], -r[width + 1], *map(str, r[:width])))
    return Rows([*keys, *USAGE_COLUMNS], rows, "Usage by " + ", ".join(keys))


# -- balances ---------------------------------------------------------------------------------


def balances(store: Store, filters: Filters, today: dt.date) -> Rows:
    """Each contact's balance of each type as of ``--to`` (default today)."""
    rows = store.queries.balance_totals(filters, filters.date_to or today)
    quantities = ("granted", "allocated_out", "used", "adjusted", "expired", "remaining")
    return Rows(BALANCES_COLUMNS, in_units(rows, BALANCES_COLUMNS, quantities), "Balances")  # streams


# -- allocations ------------------------------------------------------------------------------


def allocations(store: Store, filters: Filters, listing: bool, today: dt.date) -> Rows:
    """As of ``--to`` (default today): with ``listing``, every allocation with its status
    that day, its answer and its dates; else per type, how many allocations, how much and
    to how many contacts — counting only those neither declined nor ended by that day."""
    on = filters.date_to or today
    found = [
        (row, row.allocation.status_on(on, row.level_last_day))
        for row in store.queries.allocation_list(filters, on)
    ]
    if listing:
        rows = []
        for row, status in found:
            a = row.allocation
            rows.append(
                [
                    a.id,
                    row.type,
                    row.owner_ref,
                    row.contact_ref,
                    row.contact,
                    amount(a.number, row.unit),
                    amount(row.used, row.unit),
                    a.starts_on,
                    a.stops_on,
                    status,
                    a.response,
                    a.response_on,
                    a.delivered_on,
                    a.comment,
                ]  # fmt: skip
            )
        return Rows(ALLOCATION_LIST_COLUMNS, rows, f"Allocations on {on}")
    totals: dict[str, dict[str, Any]] = {}
    for row, status in found:
        if status in (DECLINED, ENDED):
            continue
        total = totals.setdefault(row.type, {"type": row.type, "allocations": 0, "number": 0, "to": set()})
        total["allocations"] += 1
        total["number"] += row.allocation.number
        total["to"].add(row.allocation.contact_id)
        total["unit"] = row.unit
    ordered = sorted(totals.values(), key=lambda t: (-t["allocations"], t["type"]))
    return Rows(
        ALLOCATIONS_COLUMNS,
        [
            {
                "type": t["type"],
                "allocations": t["allocations"],
                "number_allocated": amount(t["number"], t["unit"]),
                "contacts": len(t["to"]),
            }
            for t in ordered
        ],
        f"Allocations in force on {on} (neither declined nor ended)",
    )


# -- statement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    """One line of a statement; ``part`` says what it is: an ``entry`` of the ledger, what
    is ``left`` of a benefit on the day, or what is ``expiring`` soon. Quantities are stored
    ones (cents for money), in ``unit``."""

    part: str
    date: str
    type: str  # the benefit type's code
    used_by: str | None  # the ref of who used it, for an entry that was a use
    quantity: int
    description: str
    remaining: int
    unit: str
    kind: str | None = None  # of an entry: use, void, adjust, expire or rollover


def statement_lines(store: Store, contact: Contact, filters: Filters, on: dt.date) -> list[StatementLine]:
    """The member's own view as of ``on``: what was used from its balances and from what
    it allocated to others, with member-visible descriptions only (never notes or
    operators), what is left of each benefit on that day, and what expires soon."""
    lines: list[StatementLine] = []
    own = Filters(contact.id, filters.type_id, filters.category, filters.plan_id, filters.date_from)
    for date, code, used_by, kind, quantity, description, after, unit in store.queries.statement(own, on):
        # What was taken from the balance: a use is positive, its void negative. A void's or
        # adjustment's description is staff's reason, not for members.
        wording = (description if kind == "use" else None) or _member_wording(kind)
        lines.append(StatementLine("entry", date, code, used_by, -quantity, wording, after, unit, kind))
    if filters.date_from is None or filters.date_from <= on:
        for row in store.queries.balance_totals(own, on):
            code, left, status, unit = row[2], row[8], row[10], row[11]
            if status != "upcoming":  # what is left of each benefit it has had, on that day
                day = on.isoformat()
                lines.append(StatementLine("left", day, code, None, 0, f"Left on {on}", left, unit))
    last = on + dt.timedelta(days=STATEMENT_EXPIRY_DAYS)
    for _, _, _, code, left, expires_on, _, unit in store.queries.expiring(own, on, last):
        wording = f"Expires on {expires_on} unless used"
        lines.append(StatementLine("expiring", expires_on, code, None, left, wording, left, unit))
    return lines


def statement(store: Store, contact_key: str, filters: Filters, today: dt.date) -> Rows:
    """The statement of ``statement_lines`` as of ``--on`` (default today), as rows."""
    contact = store.contacts.get(contact_key)
    on = filters.date_to or today
    rows = [
        [line.date, line.type, line.used_by, amount(line.quantity, line.unit), line.description,
         amount(line.remaining, line.unit)]
        for line in statement_lines(store, contact, filters, on)
    ]  # fmt: skip
    return Rows(STATEMENT_COLUMNS, rows, f"Statement for {contact.name} ({contact.ref}) on {on}")


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
