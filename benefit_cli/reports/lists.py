"""The rows behind the ``list`` and ``show`` commands (columns as SPEC §2 fixes them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from benefit_cli.db.balances import HolderFigures
from benefit_cli.db.store import Store
from benefit_cli.domain.models import Allocation, BenefitType, Level, Plan, PlanBenefit
from benefit_cli.render import Rows, amount, money

CONTACT_COLUMNS = ["id", "ref", "name", "kind", "business_ref", "email", "joined_on"]
TYPE_COLUMNS = ["code", "name", "category", "unit", "unit_value", "kind", "group", "active"]
PLAN_COLUMNS = ["code", "name", "term_months", "grace_days", "price"]
RULE_COLUMNS = [
    "id",
    "plan",
    "type",
    "quantity",
    "per",
    "begin_on",
    "end_on",
    "priority",
    "associates",
    "price_portion",
    "rollover_percent",
    "rollover_max",
]
MEMBERSHIP_COLUMNS = [
    "id",
    "contact_ref",
    "plan",
    "start_on",
    "end_on",
    "grace_end_on",
    "status",
    "renewed_from",
]
LEVEL_COLUMNS = [
    "id",
    "contact_ref",
    "type",
    "quantity",
    "allocated_out",
    "used",
    "remaining",
    "starts_on",
    "expires_on",
    "source",
    "priority",
    "membership_id",
]
ALLOCATION_COLUMNS = [
    "id",
    "level_id",
    "contact_ref",
    "type",
    "number",
    "used",
    "remaining",
    "starts_on",
    "stops_on",
    "status",
    "response",
    "response_on",
    "delivered_on",
    "comment",
]
# ``contact show``'s "Allocations made": to whom, how many, used, status (Millennium's
# owner cross-reference of benefit rows).
ALLOCATION_MADE_COLUMNS = [
    "id",
    "level_id",
    "to_ref",
    "to",
    "type",
    "number",
    "used",
    "remaining",
    "starts_on",
    "stops_on",
    "status",
]
DELEGATE_COLUMNS = [
    "id",
    "contact_ref",
    "contact",
    "owner_ref",
    "level_id",
    "type",
    "membership_id",
    "plan",
    "added_on",
    "added_by",
]


def contact_rows(
    store: Store,
    name: str | None = None,
    joined_from: dt.date | None = None,
    joined_to: dt.date | None = None,
) -> Rows:
    return Rows(CONTACT_COLUMNS, store.contacts.rows(name, joined_from, joined_to), "Contacts")


def type_row(t: BenefitType) -> dict[str, Any]:
    return {
        "code": t.code,
        "name": t.name,
        "category": t.category,
        "unit": t.unit,
        "unit_value": money(t.unit_value),
        "kind": t.kind,
        "group": t.exclusive_group,
        "active": t.active,
    }


def type_rows(types: list[BenefitType]) -> Rows:
    return Rows(TYPE_COLUMNS, [type_row(t) for t in types], "Benefit types")


def plan_rows(plans: list[Plan]) -> Rows:
    return Rows(
        PLAN_COLUMNS,
        [
            {
                "code": p.code,
                "name": p.name,
                "term_months": p.term_months,
                "grace_days": p.grace_days,
                "price": money(p.price),
            }
            for p in plans
        ],
        "Plans",
    )


def rule_rows(plan: Plan, rules: list[PlanBenefit], types: dict[int, BenefitType]) -> Rows:
    rows = []
    for r in rules:
        unit = types[r.type_id].unit
        rows.append(
            {
                "id": r.id,
                "plan": plan.code,
                "type": types[r.type_id].code,
                "quantity": amount(r.quantity, unit),
                "per": r.per,
                "begin_on": r.begin_on,
                "end_on": r.end_on,
                "priority": r.priority,
                "associates": r.associates,
                "price_portion": money(r.price_portion),
                "rollover_percent": r.rollover_percent,
                "rollover_max": amount(r.rollover_max, unit),
            }
        )
    return Rows(RULE_COLUMNS, rows, f"Benefits of plan {plan.code}")


def membership_rows(
    store: Store,
    today: dt.date,
    contact_id: int | None = None,
    plan_id: int | None = None,
    active_on: dt.date | None = None,
) -> Rows:
    rows = [
        {
            "id": m.id,
            "contact_ref": r.contact_ref,
            "plan": r.plan,
            "start_on": m.start_on,
            "end_on": m.end_on,
            "grace_end_on": m.grace_end_on,
            "status": m.status(today),
            "renewed_from": m.renewed_from,
        }
        for r in store.memberships.rows(contact_id, plan_id, active_on)
        for m in [r.membership]
    ]
    return Rows(MEMBERSHIP_COLUMNS, rows, "Memberships")


def level_rows(store: Store, levels: list[Level], on: dt.date, title: str = "Levels") -> Rows:
    """Each level as of ``on``: its own part's figures, and what all its holders used."""
    types = store.catalog.types_by_id()
    refs = store.contacts.refs([level.contact_id for level in levels])
    own: dict[int, HolderFigures] = {}
    used: dict[int, int] = {}
    for f in store.balances.figures_of_levels([level.id for level in levels], on):
        if f.allocation_id is None:
            own[f.level_id] = f
        used[f.level_id] = used.get(f.level_id, 0) + f.used
    rows = []
    for level in levels:
        unit = types[level.type_id].unit
        part = own[level.id]
        rows.append(
            {
                "id": level.id,
                "contact_ref": refs[level.contact_id],
                "type": types[level.type_id].code,
                "quantity": amount(level.quantity, unit),
                "allocated_out": amount(part.allocated_out, unit),
                "used": amount(used[level.id], unit),
                "remaining": amount(part.remaining, unit),
                "starts_on": level.starts_on,
                "expires_on": part.last_day,
                "source": level.source,
                "priority": level.priority,
                "membership_id": level.membership_id,
            }
        )
    return Rows(LEVEL_COLUMNS, rows, title)


def allocation_rows(
    store: Store, allocations: list[Allocation], on: dt.date, title: str = "Allocations"
) -> Rows:
    """Each allocation as of ``on``: what it used and has left, its status that day, and
    the recipient's answer, delivery and comment."""
    return Rows(ALLOCATION_COLUMNS, [row for _, row in _allocation_rows(store, allocations, on)], title)


def allocations_made_rows(store: Store, owner_id: int, on: dt.date) -> Rows:
    """The allocations a contact made of its levels to others, as of ``on``."""
    made = store.allocations.made_by(owner_id)
    names = {cid: store.contacts.by_id(cid).name for cid in {a.contact_id for a in made}}
    rows = [
        {**row, "to_ref": row["contact_ref"], "to": names[allocation.contact_id]}
        for allocation, row in _allocation_rows(store, made, on)
    ]
    return Rows(ALLOCATION_MADE_COLUMNS, rows, "Allocations made")


def _allocation_rows(
    store: Store, allocations: list[Allocation], on: dt.date
) -> list[tuple[Allocation, dict[str, Any]]]:
    types = store.catalog.types_by_id()
    figures = {
        f.allocation_id: f
        for f in store.balances.figures_of_levels([a.level_id for a in allocations], on)
        if f.allocation_id is not None
    }
    refs = store.contacts.refs([a.contact_id for a in allocations])
    rows = []
    for a in allocations:
        f = figures.get(a.id)  # none for one declined before it started: it never took effect
        type_id = f.type_id if f else store.memberships.level(a.level_id).type_id
        unit = types[type_id].unit
        row = {
            "id": a.id,
            "level_id": a.level_id,
            "contact_ref": refs[a.contact_id],
            "type": types[type_id].code,
            "number": amount(a.number, unit),
            "used": amount(f.used if f else 0, unit),
            "remaining": amount(f.remaining if f else 0, unit),
            "starts_on": a.starts_on,
            "stops_on": a.stops_on,
            "status": a.status_on(on, f.last_day if f else None),
            "response": a.response,
            "response_on": a.response_on,
            "delivered_on": a.delivered_on,
            "comment": a.comment,
        }
        rows.append((a, row))
    return rows


def delegate_rows(
    store: Store,
    contact_id: int | None = None,
    level_id: int | None = None,
    membership_id: int | None = None,
) -> Rows:
    """The delegations in force (``Allocations.delegations``): one row for a level, or for a
    membership and its renewals (``type`` empty: every type it grants)."""
    return Rows(
        DELEGATE_COLUMNS,
        [list(row) for row in store.allocations.delegations(contact_id, level_id, membership_id)],
        "Delegates",
    )
