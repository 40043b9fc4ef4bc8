"""The report queries: history, usage, balances, allocations and expiring benefits, each
read in one query and handed on as plain tuples in the report's column order.

Balances and history come from ``balance_sql``, the one definition of a balance as of a
date; the filters narrow the levels read before anything is summed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from benefit_cli.db.allocations import allocation_record
from benefit_cli.db.balance_sql import HISTORY_ORDER, LevelScope, figures_sql, history_sql
from benefit_cli.db.base import Part
from benefit_cli.domain.dates import iso
from benefit_cli.domain.models import Allocation


@dataclass(frozen=True)
class Filters:
    """The filters every report takes, resolved to ids."""

    contact_id: int | None = None
    type_id: int | None = None
    category: str | None = None
    plan_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def scope_of(filters: Filters, allocations_made: bool = False) -> tuple[LevelScope, dict[str, Any]]:
    """The levels and holders a report reads: a contact's (the levels it owns or holds an
    allocation of, and its own holders — with ``allocations_made``, also the allocations
    it made to others), a type's, a category's, a plan's."""
    levels: list[str] = []
    holders: list[str] = []
    params: dict[str, Any] = {}
    if filters.contact_id is not None:
        levels.append(
            "l.id IN (SELECT id FROM levels WHERE contact_id = :contact"
            " UNION SELECT level_id FROM allocations WHERE contact_id = :contact)"
        )
        holders.append(
            "(h.holder_id = :contact OR h.owner_id = :contact)"
            if allocations_made
            else "h.holder_id = :contact"
        )
        params["contact"] = filters.contact_id
    if filters.type_id is not None:
        levels.append("l.type_id = :type")
        params["type"] = filters.type_id
    if filters.category is not None:
        levels.append("l.type_id IN (SELECT id FROM benefit_types WHERE category = :category)")
        params["category"] = filters.category
    if filters.plan_id is not None:
        levels.append("l.membership_id IN (SELECT id FROM memberships WHERE plan_id = :plan)")
        params["plan"] = filters.plan_id
    return LevelScope(" AND ".join(levels) or "1", " AND ".join(holders) or "1"), params


# The columns of ``report balances`` summed over a contact's holders of a type: an upcoming
# holder counts in no total; an allocation to oneself is not granted twice. Grouped by
# the contact's ref and the type's code (both unique, so the same groups as by their
# ids): one sort gives the groups and their order. The holders drive the joins (CROSS
# JOIN): SQLite would otherwise index every holder by contact to read them per contact.
_STARTED = "CASE WHEN f.status <> 'upcoming' THEN {} ELSE 0 END"
_GIVEN = "CASE WHEN f.allocation_id IS NOT NULL AND f.holder_id = f.owner_id THEN 0 ELSE f.granted END"
TOTALS = f"""
SELECT c.ref, c.name, t.code,
    sum({_STARTED.format(_GIVEN)}),
    sum({_STARTED.format("f.allocated_out")}), sum({_STARTED.format("f.used")}),
    sum({_STARTED.format("f.adjusted")}), sum({_STARTED.format("f.expired")}), sum(f.remaining),
    min(CASE WHEN f.status = 'current' AND f.remaining > 0 THEN f.last_day END),
    CASE WHEN max(f.status = 'current') THEN 'current' WHEN max(f.status = 'upcoming') THEN 'upcoming'
        ELSE 'expired' END,
    t.unit
FROM figures f CROSS JOIN contacts c ON c.id = f.holder_id CROSS JOIN benefit_types t ON t.id = f.type_id
GROUP BY c.ref, t.code ORDER BY c.ref, t.code"""


class Queries(Part):
    def history(self, filters: Filters, as_of: dt.date) -> sqlite3.Cursor:
        """``report history``'s rows up to ``as_of`` (from ``filters.date_from``): entry_id,
        date, contact_ref, contact, type, kind, quantity, balance_after, status, used_by,
        source, description, operator, then the unit."""
        scope, params = scope_of(filters)
        query = f"""SELECT history.entry_id, history.date, c.ref, c.name, t.code, history.kind,
    history.quantity, history.balance_after, history.status, u.ref, history.source, history.description,
    history.operator, t.unit
FROM history JOIN contacts c ON c.id = history.holder_id JOIN benefit_types t ON t.id = history.type_id
LEFT JOIN contacts u ON u.id = history.user_id
WHERE history.date >= :first {HISTORY_ORDER}"""
        first = iso(filters.date_from) or ""
        # Three sorts of every event (two running sums, then the date order): SQLite may
        # sort with a helper thread on a second core (about 13% sooner on an idle 2-core
        # machine over 3M events; as before when the cores are busy).
        self.conn.execute("PRAGMA threads = 1")
        return self._tuples().execute(
            history_sql(":as_of", query, scope), {"as_of": as_of.isoformat(), "first": first, **params}
        )

    def balance_totals(self, filters: Filters, as_of: dt.date) -> sqlite3.Cursor:
        """One row per contact and type as of the date, in ``report balances``' columns
        (contact_ref, contact, type, granted, allocated_out, used, adjusted, expired,
        remaining, expires_on, status) then the unit: the sums over the holders it has
        — the own part of each level it owns and each allocation it received. The status
        is current if any holder is, else upcoming if any is, else expired; ``expires_on``
        the soonest last day of a current holder with something left."""
        scope, params = scope_of(filters)
        return self._tuples().execute(
            figures_sql(":as_of", TOTALS, scope), {"as_of": as_of.isoformat(), **params}
        )

    def statement(self, filters: Filters, as_of: dt.date) -> list[tuple[Any, ...]]:
        """The ledger lines of the statement of ``filters.contact_id`` up to ``as_of``: the
        entries on its own holders and on the allocations it made to others (whose other benefits are not its
        business), with the balance right after each — date, type, used_by, kind,
        quantity, description, balance_after, then the unit."""
        scope, params = scope_of(filters, allocations_made=True)
        query = f"""SELECT history.date, t.code, u.ref, history.kind, history.quantity, history.description,
    history.balance_after, t.unit
FROM history JOIN benefit_types t ON t.id = history.type_id LEFT JOIN contacts u ON u.id = history.user_id
WHERE history.kind IN ('use', 'void', 'adjust', 'expire', 'rollover') AND history.date >= :first
{HISTORY_ORDER}"""
        first = iso(filters.date_from) or ""
        return (
            self._tuples()
            .execute(
                history_sql(":as_of", query, scope), {"as_of": as_of.isoformat(), "first": first, **params}
            )
            .fetchall()
        )

    def expiring(self, filters: Filters, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
        """Holders current on ``first`` with something left whose last day falls in
        ``first..last``, soonest first, as plain tuples: contact_ref, contact, email,
        type, remaining, expires_on, days_left (from ``first``), then the unit."""
        scope, params = scope_of(filters)
        query = """SELECT c.ref, c.name, c.email, t.code, f.remaining, f.last_day,
    CAST(julianday(f.last_day) - julianday(:as_of) AS INTEGER), t.unit
FROM figures f JOIN contacts c ON c.id = f.holder_id JOIN benefit_types t ON t.id = f.type_id
WHERE f.status = 'current' AND f.remaining > 0 AND f.last_day <= :last
ORDER BY f.last_day, c.ref, t.code"""
        return (
            self._tuples()
            .execute(
                figures_sql(":as_of", query, scope),
                {"as_of": first.isoformat(), "last": last.isoformat(), **params},
            )
            .fetchall()
        )

    def _level_filters(
        self, alias: str, contact_column: str, filters: Filters
    ) -> tuple[list[str], list[Any]]:
        """SQL conditions for the report filters that select levels and contacts."""
        where: list[str] = []
        params: list[Any] = []
        if filters.contact_id is not None:
            where.append(f"{contact_column} = ?")
            params.append(filters.contact_id)
        if filters.type_id is not None:
            where.append(f"{alias}.type_id = ?")
            params.append(filters.type_id)
        if filters.category is not None:
            where.append(f"{alias}.type_id IN (SELECT id FROM benefit_types WHERE category = ?)")
            params.append(filters.category)
        if filters.plan_id is not None:
            where.append(f"{alias}.membership_id IN (SELECT id FROM memberships WHERE plan_id = ?)")
            params.append(filters.plan_id)
        return where, params

    def usage_totals(self, filters: Filters, keys: Sequence[str]) -> list[tuple[Any, ...]]:
        """Uses not voided in the date range, grouped by the given keys (type, contact,
        month, category, event) and by unit — quantities of different units are never added —
        as tuples: the keys, unit, uses, quantity, members, value (in cents, at each
        level's unit value when it was granted). By event, only the uses event
        registrations recorded count: every entry of the registration's ref."""
        conditions, params = self._level_filters("l", "e.contact_id", filters)
        if filters.date_from is not None:
            conditions.append("e.entry_on >= ?")
            params.append(iso(filters.date_from))
        if filters.date_to is not None:
            conditions.append("e.entry_on <= ?")
            params.append(iso(filters.date_to))
        expressions = {
            "type": "t.code",
            "contact": "c.ref",
            "month": "substr(e.entry_on, 1, 7)",
            "category": "t.category",
            "event": "ev.code",
        }
        select = ", ".join(expressions[k] for k in keys)
        # The contact only for its ref, by contact: a look-up per use otherwise wasted.
        contacts = " JOIN contacts c ON c.id = e.contact_id" if "contact" in keys else ""
        # By event: the uses registrations recorded, every entry of each one's ref.
        events = (
            " JOIN registrations r ON r.ref = e.ref AND e.source = 'event'"
            " JOIN events ev ON ev.id = r.event_id"
            if "event" in keys
            else ""
        )
        return (
            self._tuples()
            .execute(
                f"SELECT {select}, t.unit,"
                # one use may span several balances: its entries share a ref
                " count(DISTINCT coalesce(e.ref, e.id)), -sum(e.quantity), count(DISTINCT e.contact_id),"
                # a unit of money is worth unit_value cents per currency unit
                " round(-sum(e.quantity * l.unit_value / CASE WHEN t.unit = 'money' THEN 100.0 ELSE 1 END))"
                " FROM entries e JOIN levels l ON l.id = e.level_id"
                f" JOIN benefit_types t ON t.id = l.type_id{contacts}{events}"
                # a voided use did not happen: it is left out, in whatever month it was voided
                " WHERE e.kind = 'use' AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
                f" AND {' AND '.join(conditions) or '1'}"
                f" GROUP BY {select}, t.unit",
                params,
            )
            .fetchall()
        )

    def _allocation_filters(self, filters: Filters) -> tuple[str, list[Any]]:
        """The allocations report's filters: the owner's level, and the start date."""
        where, params = self._level_filters("l", "l.contact_id", filters)
        if filters.date_from is not None:
            where.append("a.starts_on >= ?")
            params.append(iso(filters.date_from))
        if filters.date_to is not None:
            where.append("a.starts_on <= ?")
            params.append(iso(filters.date_to))
        return " AND ".join(where) or "1", params

    def allocation_list(self, filters: Filters, as_of: dt.date) -> list[AllocationReportRow]:
        """The allocations the report covers, each with its type, owner, recipient, what it
        used up to ``as_of`` and its level's last usable day, in type and id order."""
        where, params = self._allocation_filters(filters)
        used = (
            "SELECT allocation_id, -sum(quantity) AS used FROM entries WHERE allocation_id IS NOT NULL"
            " AND kind IN ('use', 'void') AND entry_on <= ? GROUP BY allocation_id"
        )
        return [
            AllocationReportRow(
                allocation_record(r),
                r["type"],
                r["owner_ref"],
                r["contact_ref"],
                r["contact"],
                r["used"],
                dt.date.fromisoformat(r["level_last_day"]),
                r["unit"],
            )  # fmt: skip
            for r in self.conn.execute(
                "SELECT a.*, t.code AS type, o.ref AS owner_ref, c.ref AS contact_ref, c.name AS contact,"
                " coalesce(u.used, 0) AS used, t.unit AS unit,"
                " CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on"
                "  THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END AS level_last_day"
                " FROM allocations a JOIN levels l ON l.id = a.level_id"
                " JOIN benefit_types t ON t.id = l.type_id JOIN contacts o ON o.id = l.contact_id"
                f" JOIN contacts c ON c.id = a.contact_id LEFT JOIN ({used}) u ON u.allocation_id = a.id"
                f" WHERE {where} ORDER BY t.code, a.id",
                [as_of.isoformat(), *params],
            )
        ]


class AllocationReportRow(NamedTuple):
    """An allocation as ``report allocations`` reads it."""

    allocation: Allocation
    type: str
    owner_ref: str
    contact_ref: str
    contact: str
    used: int
    level_last_day: dt.date
    unit: str
