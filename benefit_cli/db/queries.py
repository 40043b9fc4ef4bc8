"""The report queries: history, usage, balances, allocations and expiring benefits, read
in one query each and handed on as plain tuples in the report's column order."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benefit_cli.db.base import Part
from benefit_cli.domain.dates import iso


@dataclass(frozen=True)
class Filters:
    """The filters every report takes, resolved to ids."""

    contact_id: int | None = None
    type_id: int | None = None
    category: str | None = None
    plan_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def history_sql(where: str = "1") -> str:
    """Every event in date order with the running balance of its holder (the owner of the
    level's own part, or the receiver of an allocation) and benefit type.

    Grants and allocations are events as well as ledger entries. An allocation to another
    contact moves its number from the owner to the receiver on its start; when it ends,
    what it did not use moves back. ``where`` may filter on ``holder_id`` and ``type_id``
    (the partition), never on dates: the running balance needs every earlier event.
    """
    return f"""
WITH events AS (
    SELECT NULL AS entry_id, l.starts_on AS date, 0 AS seq, l.id AS tiebreak,
        l.contact_id AS holder_id, l.type_id, 'grant' AS kind, l.quantity AS quantity,
        l.id AS level_id, NULL AS allocation_id, NULL AS user_id, l.source AS source,
        NULL AS description, NULL AS note, l.created_by AS operator
    FROM levels l
    UNION ALL
    SELECT NULL, a.starts_on, 1, a.id, l.contact_id, l.type_id, 'allocate', -a.number,
        l.id, a.id, a.contact_id, 'allocation', a.comment, NULL, a.created_by
    FROM allocations a JOIN levels l ON l.id = a.level_id WHERE a.contact_id <> l.contact_id
    UNION ALL
    SELECT NULL, a.starts_on, 1, a.id, a.contact_id, l.type_id, 'allocate', a.number,
        l.id, a.id, a.contact_id, 'allocation', a.comment, NULL, a.created_by
    FROM allocations a JOIN levels l ON l.id = a.level_id WHERE a.contact_id <> l.contact_id
    UNION ALL
    SELECT NULL, a.ended_on, 3, a.id, holder.id, l.type_id, 'allocation end',
        CASE WHEN holder.id = l.contact_id THEN 1 ELSE -1 END * (a.number + coalesce(
            (SELECT sum(e.quantity) FROM entries e WHERE e.allocation_id = a.id), 0)),
        l.id, a.id, a.contact_id, 'allocation', NULL, NULL, a.updated_by
    FROM allocations a JOIN levels l ON l.id = a.level_id
    JOIN contacts holder ON holder.id IN (l.contact_id, a.contact_id)
    WHERE a.active = 0 AND a.contact_id <> l.contact_id
    UNION ALL
    SELECT e.id, e.entry_on, 2, e.id, coalesce(a.contact_id, l.contact_id), l.type_id, e.kind,
        e.quantity, e.level_id, e.allocation_id, e.contact_id, e.source, e.description,
        e.note, e.operator
    FROM entries e JOIN levels l ON l.id = e.level_id
    LEFT JOIN allocations a ON a.id = e.allocation_id
)
SELECT ev.entry_id, ev.date, ev.kind, ev.quantity,
    sum(ev.quantity) OVER (PARTITION BY ev.holder_id, ev.type_id
        ORDER BY ev.date, ev.seq, ev.tiebreak ROWS UNBOUNDED PRECEDING) AS balance_after,
    h.ref AS contact_ref, h.name AS contact, t.code AS type, t.unit AS unit,
    t.category AS category, u.ref AS used_by, ev.source, ev.description, ev.note, ev.operator,
    min(l.expires_on, coalesce(l.cancelled_on, l.expires_on)) AS expires_on,
    ev.holder_id, ev.type_id, ev.level_id, ev.allocation_id, ev.seq, ev.tiebreak
FROM events ev JOIN contacts h ON h.id = ev.holder_id
JOIN benefit_types t ON t.id = ev.type_id JOIN levels l ON l.id = ev.level_id
LEFT JOIN contacts u ON u.id = ev.user_id
WHERE {where}
"""


class Queries(Part):
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

    def history(self, filters: Filters) -> sqlite3.Cursor:
        """The history view's rows, filtered (see ``_history``)."""
        return self._history("*", filters)

    def history_list(self, filters: Filters, today: dt.date) -> sqlite3.Cursor:
        """The history as plain tuples: entry_id, date, contact_ref, contact, type, kind,
        quantity, balance_after, status (expired or current on ``today``), used_by,
        source, description, operator (the report's columns), then the unit."""
        columns = (
            "entry_id, date, contact_ref, contact, type, kind, quantity, balance_after,"
            " CASE WHEN expires_on < ? THEN 'expired' ELSE 'current' END,"
            " used_by, source, description, operator, unit"
        )
        return self._history(columns, filters, [iso(today)], self._tuples())

    def _history(
        self,
        columns: str,
        filters: Filters,
        column_params: Sequence[Any] = (),
        cursor: sqlite3.Cursor | None = None,
    ) -> sqlite3.Cursor:
        """The ``columns`` of the history view's rows, filtered and in order; contact and
        type filter the partition so the running balance still counts every earlier event."""
        inner: list[str] = []
        params: list[Any] = []
        if filters.contact_id is not None:
            inner.append("ev.holder_id = ?")
            params.append(filters.contact_id)
        if filters.type_id is not None:
            inner.append("ev.type_id = ?")
            params.append(filters.type_id)
        if filters.category is not None:
            inner.append("t.category = ?")
            params.append(filters.category)
        if filters.plan_id is not None:
            inner.append("l.membership_id IN (SELECT id FROM memberships WHERE plan_id = ?)")
            params.append(filters.plan_id)
        outer: list[str] = []
        outer_params: list[Any] = []
        if filters.date_from is not None:
            outer.append("date >= ?")
            outer_params.append(iso(filters.date_from))
        if filters.date_to is not None:
            outer.append("date <= ?")
            outer_params.append(iso(filters.date_to))
        sql = history_sql(" AND ".join(inner) or "1")
        return (cursor or self.conn.cursor()).execute(
            f"SELECT {columns} FROM ({sql}) WHERE {' AND '.join(outer) or '1'}"
            " ORDER BY date, seq, tiebreak, holder_id",
            (*column_params, *params, *outer_params),
        )

    def usage_totals(self, filters: Filters, keys: Sequence[str]) -> list[sqlite3.Row]:
        """Uses not voided in the date range, grouped by the given keys (type, contact,
        month, category), with the value at the grant-time unit value in cents. Money
        is summed apart (in cents) so that a group mixing units stays exact."""
        where, params = self._level_filters("l", "e.contact_id", filters)
        if filters.date_from is not None:
            where.append("e.entry_on >= ?")
            params.append(iso(filters.date_from))
        if filters.date_to is not None:
            where.append("e.entry_on <= ?")
            params.append(iso(filters.date_to))
        expressions = {
            "type": "t.code",
            "contact": "c.ref",
            "month": "substr(e.entry_on, 1, 7)",
            "category": "t.category",
        }
        select = ", ".join(f"{expressions[k]} AS {k}" for k in keys)
        group = ", ".join(keys)
        return self.conn.execute(
            f"SELECT {select},"
            # one use may span several balances: its entries share a ref
            " count(DISTINCT coalesce(e.ref, e.id)) AS uses,"
            " -sum(CASE WHEN t.unit = 'money' THEN 0 ELSE e.quantity END) AS quantity,"
            " -sum(CASE WHEN t.unit = 'money' THEN e.quantity ELSE 0 END) AS money_quantity,"
            " count(DISTINCT e.contact_id) AS members,"
            # cents: a unit of money is worth unit_value cents per currency unit
            " round(-sum(e.quantity * l.unit_value"
            "  / CASE WHEN t.unit = 'money' THEN 100.0 ELSE 1 END)) AS value"
            " FROM entries e JOIN levels l ON l.id = e.level_id"
            " JOIN benefit_types t ON t.id = l.type_id JOIN contacts c ON c.id = e.contact_id"
            # a voided use did not happen: it is left out, in whatever month it was voided
            " WHERE e.kind = 'use' AND NOT EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
            f" AND {' AND '.join(where) or '1'}"
            f" GROUP BY {group}",
            params,
        ).fetchall()

    def balance_totals(self, filters: Filters, today: dt.date) -> sqlite3.Cursor:
        """One row per contact and benefit type, in that order, summing every balance the
        contact holds — the own part of each level it owns and each allocation it
        received: granted, allocated out, used, adjusted, expired and remaining; the
        soonest last day of a part with something left that has not expired; and the
        status on ``today``: current if any part is, else not started if any part is yet
        to start, else expired. Plain tuples, in the balances report's columns (contact_ref,
        contact, type, granted, allocated_out, used, adjusted, expired, remaining,
        expires_on, status), then the unit.

        An allocation to another contact counts in the receiver's granted (while active;
        once ended, only what it consumed) and the owner's allocated out; an allocation to
        oneself counts only through its entries.
        """
        where, params = self._level_filters("l", "p.holder_id", filters)
        consumed = "coalesce((SELECT -sum(e.quantity) FROM entries e WHERE e.allocation_id = a.id), 0)"
        return self._tuples().execute(
            "WITH today(d) AS (SELECT ?), parts AS ("
            " SELECT l.contact_id AS holder_id, l.id AS level_id, NULL AS allocation_id,"
            "  l.quantity AS granted,"
            f"  (SELECT coalesce(sum(CASE WHEN a.active = 1 THEN a.number ELSE {consumed} END), 0)"
            "   FROM allocations a WHERE a.level_id = l.id AND a.contact_id <> l.contact_id)"
            "   AS allocated_out"
            " FROM levels l"
            " UNION ALL"
            " SELECT a.contact_id, a.level_id, a.id,"
            f"  CASE WHEN a.contact_id = l.contact_id THEN 0 WHEN a.active = 1 THEN a.number"
            f"  ELSE {consumed} END, 0"
            " FROM allocations a JOIN levels l ON l.id = a.level_id"
            ")"
            " SELECT c.ref, c.name, t.code, sum(p.granted), sum(p.allocated_out),"
            "  sum(coalesce(s.used, 0)), sum(coalesce(s.adjusted, 0)), sum(coalesce(s.expired, 0)),"
            "  sum(b.remaining),"
            "  min(CASE WHEN b.remaining > 0 AND b.expires_on >= today.d THEN b.expires_on END),"
            "  CASE WHEN max(b.starts_on <= today.d AND today.d <= b.expires_on) THEN 'current'"
            "   WHEN max(today.d < b.starts_on) THEN 'not started' ELSE 'expired' END,"
            "  t.unit"
            " FROM parts p JOIN today JOIN levels l ON l.id = p.level_id"
            " JOIN balances b ON b.level_id = p.level_id AND b.allocation_id IS p.allocation_id"
            " JOIN contacts c ON c.id = p.holder_id JOIN benefit_types t ON t.id = l.type_id"
            " LEFT JOIN (SELECT level_id, allocation_id,"
            "   -sum(CASE WHEN kind IN ('use', 'void') THEN quantity ELSE 0 END) AS used,"
            "   sum(CASE WHEN kind = 'adjust' THEN quantity ELSE 0 END) AS adjusted,"
            "   -sum(CASE WHEN kind IN ('expire', 'rollover') THEN quantity ELSE 0 END) AS expired"
            "   FROM entries GROUP BY level_id, allocation_id) s"
            "  ON s.level_id = p.level_id AND s.allocation_id IS p.allocation_id"
            f" WHERE {' AND '.join(where) or '1'}"
            " GROUP BY c.ref, t.code ORDER BY c.ref, t.code",
            (iso(today), *params),
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

    def allocation_list(self, filters: Filters) -> list[tuple[Any, ...]]:
        """Allocations as plain tuples: id, type, owner_ref, contact_ref, contact, number,
        used, starts_on, stops_on, status, comment (the report's columns), then the unit."""
        where, params = self._allocation_filters(filters)
        return (
            self._tuples()
            .execute(
                "SELECT a.id, t.code, o.ref, c.ref, c.name, a.number,"
                " coalesce((SELECT -sum(e.quantity) FROM entries e WHERE e.allocation_id = a.id"
                "  AND e.kind IN ('use', 'void')), 0),"
                " a.starts_on, a.stops_on,"
                " CASE WHEN a.response = 'declined' THEN 'declined' WHEN NOT a.active THEN 'ended'"
                "  ELSE coalesce(nullif(a.response, ''), 'offered') END,"
                " a.comment, t.unit"
                " FROM allocations a JOIN levels l ON l.id = a.level_id"
                " JOIN benefit_types t ON t.id = l.type_id JOIN contacts o ON o.id = l.contact_id"
                " JOIN contacts c ON c.id = a.contact_id"
                f" WHERE {where} ORDER BY t.code, a.id",
                params,
            )
            .fetchall()
        )

    def allocation_totals(self, filters: Filters) -> list[sqlite3.Row]:
        """Per type: how many allocations, the number allocated, to how many contacts;
        the most allocated first."""
        where, params = self._allocation_filters(filters)
        return self.conn.execute(
            "SELECT t.code AS type, t.unit AS unit, count(*) AS allocations,"
            " sum(a.number) AS number_allocated, count(DISTINCT a.contact_id) AS contacts"
            " FROM allocations a JOIN levels l ON l.id = a.level_id"
            " JOIN benefit_types t ON t.id = l.type_id"
            f" WHERE {where} GROUP BY t.code ORDER BY count(*) DESC, t.code",
            params,
        ).fetchall()

    def expiring(self, filters: Filters, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
        """Balances with something left whose last day falls in ``first..last``, soonest
        first, as plain tuples: contact_ref, contact, email, type, remaining, expires_on,
        days_left (from ``first``), then the unit."""
        where, params = self._level_filters("l", "c.id", filters)
        return (
            self._tuples()
            .execute(
                "SELECT c.ref, c.name, c.email, b.type, b.remaining, b.expires_on,"
                " CAST(julianday(b.expires_on) - julianday(?) AS INTEGER), b.unit"
                " FROM balances b JOIN levels l ON l.id = b.level_id"
                " JOIN contacts c ON c.ref = b.contact_ref"
                f" WHERE b.remaining > 0 AND b.expires_on BETWEEN ? AND ? AND {' AND '.join(where) or '1'}"
                " ORDER BY b.expires_on, c.ref, b.type",
                (iso(first), iso(first), iso(last), *params),
            )
            .fetchall()
        )
