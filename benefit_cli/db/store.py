"""The store: the only module that knows table names and SQL.

It turns rows into domain records and records into rows. It never decides anything:
the services call it inside one ``write()`` transaction and apply the domain's rules.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from benefit_cli.db.migrations import history_sql
from benefit_cli.domain.clock import now_utc, operator_name
from benefit_cli.domain.dates import from_iso, iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.idempotency import FINGERPRINT_LENGTH, RefUse
from benefit_cli.domain.models import (
    Allocation,
    BenefitType,
    Contact,
    Level,
    Membership,
    Plan,
    PlanBenefit,
)


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(
        row["id"],
        row["ref"],
        row["name"],
        row["kind"],
        row["business_id"],
        row["email"],
        from_iso(row["joined_on"]),
    )


def _type(row: sqlite3.Row) -> BenefitType:
    return BenefitType(
        row["id"],
        row["code"],
        row["name"],
        row["category"],
        row["unit"],
        row["unit_value"],
        row["kind"],
        row["exclusive_group"],
        row["description"],
        row["schedule"],
        bool(row["active"]),
    )


def _plan(row: sqlite3.Row) -> Plan:
    return Plan(row["id"], row["code"], row["name"], row["term_months"], row["grace_days"], row["price"])


def _rule(row: sqlite3.Row) -> PlanBenefit:
    return PlanBenefit(
        row["id"],
        row["plan_id"],
        row["type_id"],
        row["quantity"],
        row["per"],
        dt.date.fromisoformat(row["begin_on"]),
        from_iso(row["end_on"]),
        row["priority"],
        bool(row["associates"]),
        row["price_portion"],
        row["rollover_percent"],
        row["rollover_max"],
    )


def membership_record(row: sqlite3.Row) -> Membership:
    """A membership from a row of the memberships table (or a query selecting m.*)."""
    return Membership(
        row["id"],
        row["contact_id"],
        row["plan_id"],
        dt.date.fromisoformat(row["start_on"]),
        dt.date.fromisoformat(row["end_on"]),
        dt.date.fromisoformat(row["grace_end_on"]),
        row["renewed_from"],
        from_iso(row["cancelled_on"]),
    )


def _level(row: sqlite3.Row) -> Level:
    return Level(
        row["id"],
        row["contact_id"],
        row["type_id"],
        row["quantity"],
        dt.date.fromisoformat(row["starts_on"]),
        dt.date.fromisoformat(row["expires_on"]),
        row["source"],
        row["priority"],
        row["unit_value"],
        row["membership_id"],
        row["plan_benefit_id"],
        from_iso(row["cancelled_on"]),
    )


def _allocation(row: sqlite3.Row) -> Allocation:
    return Allocation(
        row["id"],
        row["level_id"],
        row["contact_id"],
        row["number"],
        dt.date.fromisoformat(row["starts_on"]),
        dt.date.fromisoformat(row["stops_on"]),
        row["response"],
        from_iso(row["response_on"]),
        from_iso(row["delivered_on"]),
        row["comment"],
        bool(row["active"]),
        from_iso(row["ended_on"]),
    )


class Store:
    def __init__(self, conn: sqlite3.Connection, stamp: tuple[str, str] | None = None) -> None:
        self.conn = conn
        self._stamp = stamp

    @property
    def stamp(self) -> tuple[str, str]:
        """(time, operator) for invariant 4, read once per command: a bulk import must
        not ask the OS who the user is for every row."""
        if self._stamp is None:
            self._stamp = (now_utc(), operator_name())
        return self._stamp

    def bulk_mode(self, cache_mib: int = 64) -> None:
        """A large page cache for this connection: with several indexes, the page cache
        decides the speed of large inserts (PERFORMANCE.md)."""
        self.conn.execute(f"PRAGMA cache_size = -{cache_mib * 1024}")

    # -- helpers ---------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def _rows_in(self, sql: str, values: Sequence[Any]) -> Iterator[Any]:
        """Run ``sql`` — whose ``{marks}`` stands for an IN list — over ``values`` in
        chunks that stay under SQLite's limit on bound parameters."""
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield from self.conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk)

    def _tuples(self) -> sqlite3.Cursor:
        """A cursor whose rows are plain tuples, for a report that hands them on as they
        are (sqlite3.Row finds a column by name with a linear search)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor

    def _insert(self, table: str, values: dict[str, Any], audit: bool = True) -> int:
        if audit:
            at, by = self.stamp
            values = {**values, "created_at": at, "created_by": by}
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        at, by = self.stamp
        values = {**values, "updated_at": at, "updated_by": by}
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), row_id))

    # -- contacts --------------------------------------------------------------------

    def contact(self, key: str | int) -> Contact:
        """A contact by its ref, or by its numeric id."""
        row = self._one("SELECT * FROM contacts WHERE ref = ?", (str(key),))
        if row is None and str(key).isdigit():
            row = self._one("SELECT * FROM contacts WHERE id = ?", (int(key),))
        if row is None:
            raise NotFound(
                f'No contact "{key}". Find it with: benefit contact list --name TEXT,'
                " or add it with: benefit contact add."
            )
        return _contact(row)

    def contact_by_id(self, contact_id: int) -> Contact:
        row = self._one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        assert row is not None
        return _contact(row)

    def contact_ref_exists(self, ref: str) -> bool:
        return self._one("SELECT 1 FROM contacts WHERE ref = ?", (ref,)) is not None

    def contact_keys(self) -> dict[str, int]:
        """Every contact's ref and id as text, mapped to its id (for bulk look-ups)."""
        rows = self.conn.execute("SELECT id, ref FROM contacts").fetchall()
        keys = {str(contact_id): contact_id for contact_id, _ in rows}
        keys.update({ref: contact_id for contact_id, ref in rows})  # a ref wins over an id
        return keys

    def insert_contact(
        self,
        ref: str | None,
        name: str,
        kind: str,
        business_id: int | None,
        email: str | None,
        joined_on: dt.date | None,
    ) -> int:
        placeholder = ref or f"pending-{uuid.uuid4().hex}"
        contact_id = self._insert(
            "contacts",
            {
                "ref": placeholder,
                "name": name,
                "kind": kind,
                "business_id": business_id,
                "email": email,
                "joined_on": iso(joined_on),
            },
        )
        if ref is None:
            self.conn.execute(
                "UPDATE contacts SET ref = ? WHERE id = ?", (self._free_ref(contact_id), contact_id)
            )
        return contact_id

    def _free_ref(self, contact_id: int) -> str:
        number = contact_id
        while self.contact_ref_exists(f"C{number:06d}"):
            number += 1
        return f"C{number:06d}"

    def update_contact(self, contact_id: int, values: dict[str, Any]) -> None:
        values = {k: iso(v) if isinstance(v, dt.date) else v for k, v in values.items()}
        self._update("contacts", contact_id, values)

    def list_contacts(
        self,
        name: str | None = None,
        joined_from: dt.date | None = None,
        joined_to: dt.date | None = None,
        business_id: int | None = None,
    ) -> list[sqlite3.Row]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if name:
            where.append("c.name LIKE ?")
            params.append(f"%{name}%")
        if joined_from:
            where.append("c.joined_on >= ?")
            params.append(iso(joined_from))
        if joined_to:
            where.append("c.joined_on <= ?")
            params.append(iso(joined_to))
        if business_id is not None:
            where.append("c.business_id = ?")
            params.append(business_id)
        return self.conn.execute(
            "SELECT c.id, c.ref, c.name, c.kind, b.ref AS business_ref, c.email, c.joined_on"
            " FROM contacts c LEFT JOIN contacts b ON b.id = c.business_id"
            f" WHERE {' AND '.join(where)} ORDER BY c.ref",
            params,
        ).fetchall()

    # -- benefit types ---------------------------------------------------------------

    def benefit_type(self, code: str) -> BenefitType:
        row = self._one("SELECT * FROM benefit_types WHERE code = ?", (code.strip().upper(),))
        if row is None:
            raise NotFound(
                f'No benefit type "{code.strip().upper()}". See the catalog with: benefit type list --all.'
            )
        return _type(row)

    def benefit_type_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM benefit_types WHERE code = ?", (code.upper(),)) is not None

    def benefit_type_by_id(self, type_id: int) -> BenefitType:
        row = self._one("SELECT * FROM benefit_types WHERE id = ?", (type_id,))
        assert row is not None
        return _type(row)

    def types_by_id(self) -> dict[int, BenefitType]:
        return {row["id"]: _type(row) for row in self.conn.execute("SELECT * FROM benefit_types")}

    def insert_type(self, values: dict[str, Any]) -> int:
        return self._insert("benefit_types", values)

    def update_type(self, type_id: int, values: dict[str, Any]) -> None:
        self._update("benefit_types", type_id, values)

    def delete_type(self, type_id: int) -> None:
        self.conn.execute("DELETE FROM benefit_types WHERE id = ?", (type_id,))

    def list_types(self, include_retired: bool) -> list[BenefitType]:
        where = "" if include_retired else "WHERE active = 1"
        return [_type(r) for r in self.conn.execute(f"SELECT * FROM benefit_types {where} ORDER BY code")]

    def type_usage(self, type_id: int) -> dict[str, int]:
        """How often a type was granted, allocated and named by plan rules."""
        row = self._one(
            "SELECT (SELECT count(*) FROM levels WHERE type_id = :t) AS levels,"
            " (SELECT count(*) FROM allocations a JOIN levels l ON l.id = a.level_id"
            "  WHERE l.type_id = :t) AS allocations,"
            " (SELECT count(*) FROM plan_benefits WHERE type_id = :t) AS rules",
            {"t": type_id},
        )
        assert row is not None
        return dict(row)

    # -- plans and their rules ----------------------------------------------------------

    def plan(self, code: str) -> Plan:
        row = self._one("SELECT * FROM plans WHERE code = ?", (code.strip().upper(),))
        if row is None:
            raise NotFound(f'No plan "{code.strip().upper()}". See the plans with: benefit plan list.')
        return _plan(row)

    def plans_by_code(self) -> dict[str, Plan]:
        return {row["code"]: _plan(row) for row in self.conn.execute("SELECT * FROM plans")}

    def plan_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM plans WHERE code = ?", (code.upper(),)) is not None

    def insert_plan(self, values: dict[str, Any]) -> int:
        return self._insert("plans", values)

    def list_plans(self) -> list[Plan]:
        return [_plan(r) for r in self.conn.execute("SELECT * FROM plans ORDER BY code")]

    def rules(self, plan_id: int, type_id: int | None = None) -> list[PlanBenefit]:
        sql, params = "SELECT * FROM plan_benefits WHERE plan_id = ?", [plan_id]
        if type_id is not None:
            sql += " AND type_id = ?"
            params.append(type_id)
        return [_rule(r) for r in self.conn.execute(sql + " ORDER BY type_id, begin_on", params)]

    def all_rules(self) -> dict[int, list[PlanBenefit]]:
        by_plan: dict[int, list[PlanBenefit]] = {}
        for row in self.conn.execute("SELECT * FROM plan_benefits ORDER BY type_id, begin_on"):
            rule = _rule(row)
            by_plan.setdefault(rule.plan_id, []).append(rule)
        return by_plan

    def insert_rule(self, values: dict[str, Any]) -> int:
        return self._insert("plan_benefits", values)

    def end_rule(self, rule_id: int, end_on: dt.date) -> None:
        self._update("plan_benefits", rule_id, {"end_on": iso(end_on)})

    # -- memberships -------------------------------------------------------------------

    def membership(self, membership_id: int) -> Membership:
        row = self._one("SELECT * FROM memberships WHERE id = ?", (membership_id,))
        if row is None:
            raise NotFound(
                f"No membership {membership_id}. Find it with: benefit membership list --contact C."
            )
        return membership_record(row)

    def membership_exists(self, contact_id: int, plan_id: int, start_on: dt.date) -> int | None:
        row = self._one(
            "SELECT id FROM memberships WHERE contact_id = ? AND plan_id = ? AND start_on = ?",
            (contact_id, plan_id, iso(start_on)),
        )
        return row["id"] if row else None

    def membership_keys(self) -> set[tuple[int, int, str]]:
        return {
            (r[0], r[1], r[2])
            for r in self.conn.execute("SELECT contact_id, plan_id, start_on FROM memberships")
        }

    def insert_membership(self, values: dict[str, Any]) -> int:
        return self._insert("memberships", values)

    def cancel_membership(self, membership_id: int, on: dt.date) -> None:
        self._update("memberships", membership_id, {"cancelled_on": iso(on)})
        self.conn.execute(
            "UPDATE levels SET cancelled_on = ? WHERE membership_id = ? AND cancelled_on IS NULL",
            (iso(on), membership_id),
        )

    def list_memberships(
        self,
        contact_id: int | None = None,
        plan_id: int | None = None,
        active_on: dt.date | None = None,
    ) -> list[sqlite3.Row]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if contact_id is not None:
            where.append("m.contact_id = ?")
            params.append(contact_id)
        if plan_id is not None:
            where.append("m.plan_id = ?")
            params.append(plan_id)
        if active_on is not None:
            where.append(
                "m.start_on <= ? AND ? <= m.end_on AND (m.cancelled_on IS NULL OR ? <= m.cancelled_on)"
            )
            params += [iso(active_on)] * 3
        return self.conn.execute(
            "SELECT m.*, c.ref AS contact_ref, c.name AS contact_name, p.code AS plan"
            " FROM memberships m JOIN contacts c ON c.id = m.contact_id"
            " JOIN plans p ON p.id = m.plan_id"
            f" WHERE {' AND '.join(where)} ORDER BY m.start_on, m.id",
            params,
        ).fetchall()

    # -- levels --------------------------------------------------------------------------

    def level(self, level_id: int) -> Level:
        row = self._one("SELECT * FROM levels WHERE id = ?", (level_id,))
        if row is None:
            raise NotFound(f"No level {level_id}. Find it with: benefit level list --contact C.")
        return _level(row)

    def insert_level(self, values: dict[str, Any]) -> int:
        return self._insert("levels", values)

    def insert_levels(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk insert: (contact_id, membership_id, type_id, quantity, starts_on,
        expires_on, source, priority, unit_value, plan_benefit_id)."""
        stamp = self.stamp
        self.conn.executemany(
            "INSERT INTO levels (contact_id, membership_id, type_id, quantity, starts_on,"
            " expires_on, source, priority, unit_value, plan_benefit_id, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, *stamp) for row in rows],
        )

    def levels_of(self, contact_id: int, type_id: int | None = None) -> list[Level]:
        return self.levels(contact_id, type_id)

    def levels_of_membership(self, membership_id: int) -> list[Level]:
        return [
            _level(r)
            for r in self.conn.execute(
                "SELECT * FROM levels WHERE membership_id = ? ORDER BY id", (membership_id,)
            )
        ]

    # -- allocations -----------------------------------------------------------------------

    def allocation(self, allocation_id: int) -> Allocation:
        row = self._one("SELECT * FROM allocations WHERE id = ?", (allocation_id,))
        if row is None:
            raise NotFound(
                f"No allocation {allocation_id}. Find it with: benefit allocation list --contact C."
            )
        return _allocation(row)

    def allocations_of_level(self, level_id: int) -> list[Allocation]:
        return [
            _allocation(r)
            for r in self.conn.execute(
                "SELECT * FROM allocations WHERE level_id = ? ORDER BY id", (level_id,)
            )
        ]

    def allocations_to(self, contact_id: int, type_id: int | None = None) -> list[Allocation]:
        sql = "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id WHERE a.contact_id = ?"
        params: list[Any] = [contact_id]
        if type_id is not None:
            sql += " AND l.type_id = ?"
            params.append(type_id)
        return [_allocation(r) for r in self.conn.execute(sql + " ORDER BY a.id", params)]

    def active_cards_of_group(self, contact_id: int, group: str) -> list[Allocation]:
        return [
            _allocation(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " JOIN benefit_types t ON t.id = l.type_id"
                " WHERE a.contact_id = ? AND a.active = 1 AND t.exclusive_group = ? ORDER BY a.id",
                (contact_id, group),
            )
        ]

    def insert_allocation(self, values: dict[str, Any]) -> int:
        return self._insert("allocations", values)

    def update_allocation(self, allocation_id: int, values: dict[str, Any]) -> None:
        values = {k: iso(v) if isinstance(v, dt.date) else v for k, v in values.items()}
        self._update("allocations", allocation_id, values)

    def list_allocations(
        self,
        contact_id: int | None = None,
        level_id: int | None = None,
        type_id: int | None = None,
    ) -> list[sqlite3.Row]:
        where: list[str] = ["1"]
        params: list[Any] = []
        for column, value in (("a.contact_id", contact_id), ("a.level_id", level_id), ("l.type_id", type_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self.conn.execute(
            "SELECT a.*, c.ref AS contact_ref, t.code AS type, t.unit, l.contact_id AS owner_id"
            " FROM allocations a JOIN levels l ON l.id = a.level_id"
            " JOIN contacts c ON c.id = a.contact_id JOIN benefit_types t ON t.id = l.type_id"
            f" WHERE {' AND '.join(where)} ORDER BY a.id",
            params,
        ).fetchall()

    # -- delegates -------------------------------------------------------------------------

    def is_delegate(self, level_id: int, contact_id: int) -> bool:
        return (
            self._one(
                "SELECT 1 FROM delegates WHERE level_id = ? AND contact_id = ? AND removed_at IS NULL",
                (level_id, contact_id),
            )
            is not None
        )

    def add_delegate(self, level_id: int, contact_id: int) -> None:
        self._insert("delegates", {"level_id": level_id, "contact_id": contact_id})

    def remove_delegate(self, level_id: int, contact_id: int) -> None:
        self.conn.execute(
            "UPDATE delegates SET removed_at = ?, removed_by = ?"
            " WHERE level_id = ? AND contact_id = ? AND removed_at IS NULL",
            (*self.stamp, level_id, contact_id),
        )

    def delegated_levels(self, contact_id: int, type_id: int | None = None) -> list[Level]:
        sql = (
            "SELECT l.* FROM levels l JOIN delegates d ON d.level_id = l.id"
            " WHERE d.contact_id = ? AND d.removed_at IS NULL"
        )
        params: list[Any] = [contact_id]
        if type_id is not None:
            sql += " AND l.type_id = ?"
            params.append(type_id)
        return [_level(r) for r in self.conn.execute(sql + " ORDER BY l.id", params)]

    # -- ledger sums -------------------------------------------------------------------------

    def entry_sums(self, level_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
        """Signed sum of the entries of each level, split by allocation (None = own part)."""
        return {
            (level_id, allocation_id): total
            for level_id, allocation_id, total in self._rows_in(
                "SELECT level_id, allocation_id, sum(quantity) FROM entries"
                " WHERE level_id IN ({marks}) GROUP BY level_id, allocation_id",
                level_ids,
            )
        }

    def used_sums(self, level_ids: Sequence[int]) -> dict[tuple[int, int | None], int]:
        """Net quantity used (uses less voids) of each level, split by allocation."""
        return {
            (level_id, allocation_id): total
            for level_id, allocation_id, total in self._rows_in(
                "SELECT level_id, allocation_id, -sum(quantity) FROM entries"
                " WHERE kind IN ('use', 'void') AND level_id IN ({marks})"
                " GROUP BY level_id, allocation_id",
                level_ids,
            )
        }

    def levels(self, contact_id: int | None = None, type_id: int | None = None) -> list[Level]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if contact_id is not None:
            where.append("contact_id = ?")
            params.append(contact_id)
        if type_id is not None:
            where.append("type_id = ?")
            params.append(type_id)
        return [
            _level(r)
            for r in self.conn.execute(
                f"SELECT * FROM levels WHERE {' AND '.join(where)} ORDER BY id", params
            )
        ]

    def contact_refs(self, contact_ids: Iterable[int]) -> dict[int, str]:
        rows = self._rows_in("SELECT id, ref FROM contacts WHERE id IN ({marks})", sorted(set(contact_ids)))
        return dict(rows)

    # -- checks ----------------------------------------------------------------------------

    def integrity_problems(self) -> list[str]:
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def foreign_key_problems(self) -> list[str]:
        return [
            f"{r[0]} row {r[1]} points at a missing {r[2]}"
            for r in self.conn.execute("PRAGMA foreign_key_check")
        ]

    def ledger_problems(self) -> list[str]:
        """Entries that break the ledger's shape: voids, kinds and signs."""
        problems = []
        for entry_id, voided_kind, same_level, same_amount in self.conn.execute(
            "SELECT v.id, u.kind, v.level_id IS u.level_id AND v.allocation_id IS u.allocation_id,"
            " v.quantity = -u.quantity"
            " FROM entries v LEFT JOIN entries u ON u.id = v.voids_id WHERE v.kind = 'void'"
        ):
            if voided_kind != "use":
                problems.append(f"void {entry_id} does not point at a use")
            elif not same_level or not same_amount:
                problems.append(f"void {entry_id} does not reverse exactly the use it voids")
        for entry_id, kind in self.conn.execute(
            "SELECT id, kind FROM entries WHERE (kind IN ('use', 'expire') AND quantity >= 0)"
            " OR (kind = 'void' AND (quantity <= 0 OR voids_id IS NULL))"
            " OR (kind <> 'void' AND voids_id IS NOT NULL)"
        ):
            problems.append(f"{kind} entry {entry_id} has the wrong sign or link")
        for (entry_id,) in self.conn.execute(
            "SELECT e.id FROM entries e JOIN allocations a ON a.id = e.allocation_id"
            " WHERE a.level_id <> e.level_id"
        ):
            problems.append(f"entry {entry_id} names an allocation of another level")
        return problems

    def view_balances(self) -> dict[tuple[int, int | None], int]:
        """Remaining per level (own part) and allocation, as the ``balances`` view says."""
        return {
            (r[0], r[1]): r[2]
            for r in self.conn.execute("SELECT level_id, allocation_id, remaining FROM balances")
        }

    # -- ledger ----------------------------------------------------------------------------

    def insert_entries(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        at, by = self.stamp
        stamp = {"operator": by, "created_at": at}
        ids = []
        for row in rows:
            ids.append(self._insert("entries", {**row, **stamp}, audit=False))
        return ids

    def entry(self, entry_id: int) -> sqlite3.Row:
        row = self._one("SELECT * FROM entries WHERE id = ?", (entry_id,))
        if row is None:
            raise NotFound(f"No ledger entry {entry_id}. Find it with: benefit usage list --contact C.")
        return row

    def entries_with_ref(self, ref: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM entries WHERE ref = ? ORDER BY id", (ref,)).fetchall()

    def void_of(self, entry_id: int) -> int | None:
        row = self._one("SELECT id FROM entries WHERE voids_id = ?", (entry_id,))
        return row["id"] if row else None

    def list_entries(
        self,
        contact_id: int | None = None,
        type_id: int | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        kinds: Sequence[str] | None = None,
        ref: str | None = None,
        limit: int | None = None,
    ) -> list[sqlite3.Row]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if contact_id is not None:
            where.append("e.contact_id = ?")
            params.append(contact_id)
        if type_id is not None:
            where.append("l.type_id = ?")
            params.append(type_id)
        if date_from is not None:
            where.append("e.entry_on >= ?")
            params.append(iso(date_from))
        if date_to is not None:
            where.append("e.entry_on <= ?")
            params.append(iso(date_to))
        if kinds:
            where.append(f"e.kind IN ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        if ref is not None:
            where.append("e.ref = ?")
            params.append(ref)
        order = "e.entry_on, e.id"
        if limit is not None:
            order = "e.entry_on DESC, e.id DESC LIMIT ?"
            params.append(limit)
        return self.conn.execute(
            "SELECT e.*, c.ref AS contact_ref, t.code AS type, t.unit AS unit"
            " FROM entries e JOIN levels l ON l.id = e.level_id"
            " JOIN benefit_types t ON t.id = l.type_id JOIN contacts c ON c.id = e.contact_id"
            f" WHERE {' AND '.join(where)} ORDER BY {order}",
            params,
        ).fetchall()

    # -- bulk reads for imports --------------------------------------------------------------

    def type_snapshot(
        self, type_id: int
    ) -> tuple[
        list[tuple[Any, ...]], list[Allocation], list[tuple[int, int]], dict[tuple[int, int | None], int]
    ]:
        """Everything that decides who may draw what of one type: its levels as plain
        tuples (id, contact_id, quantity, priority, starts_on, last day) — there may be
        hundreds of thousands — their allocations, the active delegates
        (level_id, contact_id) and the entry sums."""
        levels = self.conn.execute(
            "SELECT id, contact_id, quantity, priority, starts_on,"
            " min(expires_on, coalesce(cancelled_on, expires_on))"
            " FROM levels WHERE type_id = ? ORDER BY id",
            (type_id,),
        ).fetchall()
        allocations = [
            _allocation(r)
            for r in self.conn.execute(
                "SELECT a.* FROM allocations a JOIN levels l ON l.id = a.level_id"
                " WHERE l.type_id = ? ORDER BY a.id",
                (type_id,),
            )
        ]
        delegates = [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT d.level_id, d.contact_id FROM delegates d JOIN levels l ON l.id = d.level_id"
                " WHERE l.type_id = ? AND d.removed_at IS NULL",
                (type_id,),
            )
        ]
        sums = {
            (r[0], r[1]): r[2]
            for r in self.conn.execute(
                "SELECT e.level_id, e.allocation_id, sum(e.quantity) FROM entries e"
                " JOIN levels l ON l.id = e.level_id WHERE l.type_id = ?"
                " GROUP BY e.level_id, e.allocation_id",
                (type_id,),
            )
        }
        return levels, allocations, delegates, sums

    def ref_uses(self, refs: Sequence[str]) -> dict[str, list[RefUse]]:
        """The use entries recorded under each of ``refs``, oldest first."""
        found: dict[str, list[RefUse]] = {}
        for ref, entry_id, fingerprint, voided in self._rows_in(
            "SELECT e.ref, e.id, e.fingerprint,"
            " EXISTS (SELECT 1 FROM entries v WHERE v.voids_id = e.id)"
            " FROM entries e WHERE e.ref IN ({marks}) AND e.kind = 'use' ORDER BY e.id",
            refs,
        ):
            found.setdefault(ref, []).append(
                RefUse(entry_id, fingerprint and fingerprint[:FINGERPRINT_LENGTH], bool(voided))
            )
        return found

    def start_occurrences(self) -> None:
        """An empty TEMP table for an import's count of its rows without a ref, by
        content: this connection's alone, outside the ledger's file and lock."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_occurrences"
            " (content INTEGER PRIMARY KEY, seen INTEGER NOT NULL)"
        )
        self.conn.execute("DELETE FROM temp.import_occurrences")

    def saved_occurrences(self, contents: Sequence[int]) -> dict[int, int]:
        return dict(
            self._rows_in(
                "SELECT content, seen FROM temp.import_occurrences WHERE content IN ({marks})", contents
            )
        )

    def save_occurrences(self, seen: dict[int, int]) -> None:
        self.conn.executemany(
            "INSERT INTO temp.import_occurrences (content, seen) VALUES (?, ?)"
            " ON CONFLICT (content) DO UPDATE SET seen = excluded.seen",
            sorted(seen.items()),
        )

    def append_uses(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Bulk append of use entries: (level_id, allocation_id, contact_id, entry_on,
        quantity, description, note, source, ref, fingerprint)."""
        at, by = self.stamp
        self.conn.executemany(
            "INSERT INTO entries (kind, level_id, allocation_id, contact_id, entry_on, quantity,"
            " description, note, source, ref, fingerprint, operator, created_at)"
            " VALUES ('use', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, by, at) for row in rows],
        )

    def member_refs(self, plan_id: int, on: dt.date) -> list[str]:
        """Refs of the contacts holding a membership of the plan in force on a date."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT c.ref FROM memberships m JOIN contacts c ON c.id = m.contact_id"
                " WHERE m.plan_id = ? AND m.start_on <= ? AND ? <= m.end_on"
                " AND (m.cancelled_on IS NULL OR ? <= m.cancelled_on) ORDER BY c.ref",
                (plan_id, iso(on), iso(on), iso(on)),
            )
        ]

    # -- reports ---------------------------------------------------------------------------

    def _level_filters(self, alias: str, contact_column: str, filters: Any) -> tuple[list[str], list[Any]]:
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

    def history(self, filters: Any) -> sqlite3.Cursor:
        """The history view's rows, filtered (see ``_history``)."""
        return self._history("*", filters)

    def history_list(self, filters: Any, today: dt.date) -> sqlite3.Cursor:
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
        filters: Any,
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

    def usage_totals(self, filters: Any, keys: Sequence[str]) -> list[sqlite3.Row]:
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

    def balance_totals(self, filters: Any, today: dt.date) -> sqlite3.Cursor:
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

    def _allocation_filters(self, filters: Any) -> tuple[str, list[Any]]:
        """The allocations report's filters: the owner's level, and the start date."""
        where, params = self._level_filters("l", "l.contact_id", filters)
        if filters.date_from is not None:
            where.append("a.starts_on >= ?")
            params.append(iso(filters.date_from))
        if filters.date_to is not None:
            where.append("a.starts_on <= ?")
            params.append(iso(filters.date_to))
        return " AND ".join(where) or "1", params

    def allocation_list(self, filters: Any) -> list[tuple[Any, ...]]:
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

    def allocation_totals(self, filters: Any) -> list[sqlite3.Row]:
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

    def expiring(self, filters: Any, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
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
