"""Memberships and the levels they (or staff, by hand) grant."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

from benefit_cli.db.base import Part, where
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import Level, Membership
from benefit_cli.domain.renewal import Due


class MembershipRow(NamedTuple):
    """A membership with the ref of its contact and the code of its plan, for lists."""

    membership: Membership
    contact_ref: str
    plan: str


class NewLevel(NamedTuple):
    """A level to insert (``Memberships.add_levels``), dates as ISO text."""

    contact_id: int
    membership_id: int | None
    type_id: int
    quantity: int
    starts_on: str
    expires_on: str
    source: str
    priority: int
    unit_value: int
    plan_benefit_id: int | None


def membership_record(row: sqlite3.Row) -> Membership:
    return Membership(
        row["id"],
        row["contact_id"],
        row["plan_id"],
        dt.date.fromisoformat(row["start_on"]),
        dt.date.fromisoformat(row["end_on"]),
        dt.date.fromisoformat(row["grace_end_on"]),
        row["renewed_from"],
        from_iso(row["cancelled_on"]),
        row["renewed_by"],
    )


def level_record(row: sqlite3.Row) -> Level:
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


_DUE_COLUMNS = "SELECT id, contact_id, plan_id, start_on, end_on, renewed_from FROM memberships"
# The memberships a renewal run picks, through the partial index memberships_due.
DUE_MEMBERSHIPS = (
    f"{_DUE_COLUMNS} WHERE cancelled_on IS NULL AND renewed_by IS NULL AND end_on <= :until"
    " ORDER BY end_on, id LIMIT :batch"
)


class Memberships(Part):
    # -- memberships -----------------------------------------------------------------------

    def get(self, membership_id: int) -> Membership:
        row = self._one("SELECT * FROM memberships WHERE id = ?", (membership_id,))
        if row is None:
            raise NotFound(
                f"No membership {membership_id}. Find it with: benefit membership list --contact C."
            )
        return membership_record(row)

    def find(self, contact_id: int, plan_id: int, start_on: dt.date) -> int | None:
        """The id of the contact's membership of the plan starting on that day, if any."""
        row = self._one(
            "SELECT id FROM memberships WHERE contact_id = ? AND plan_id = ? AND start_on = ?",
            (contact_id, plan_id, start_on.isoformat()),
        )
        return row[0] if row else None

    def overlapping(
        self, contact_id: int, plan_id: int, start_on: dt.date, end_on: dt.date
    ) -> Membership | None:
        """The contact's earliest membership of the plan whose term overlaps
        ``start_on..end_on`` (SPEC "One membership of a plan at a time"): the grace period
        does not count, and a cancelled one ends the day before its cancellation."""
        row = self._one(
            "SELECT * FROM memberships WHERE contact_id = ? AND plan_id = ? AND start_on <= ?"
            " AND ? <= CASE WHEN cancelled_on IS NOT NULL AND cancelled_on <= end_on"
            "  THEN date(cancelled_on, '-1 day') ELSE end_on END"
            " ORDER BY start_on, id LIMIT 1",
            (contact_id, plan_id, end_on.isoformat(), start_on.isoformat()),
        )
        return membership_record(row) if row else None

    def starting(self, contact_id: int, plan_id: int, start_on: dt.date) -> Membership | None:
        """The contact's membership of the plan that starts on ``start_on``, if any (one
        cancelled on its first day overlaps nothing, but a second may not start that day)."""
        row = self._one(
            "SELECT * FROM memberships WHERE contact_id = ? AND plan_id = ? AND start_on = ?",
            (contact_id, plan_id, start_on.isoformat()),
        )
        return membership_record(row) if row else None

    def keys(self) -> set[tuple[int, int, str]]:
        """(contact_id, plan_id, start_on) of every membership."""
        return {
            (r[0], r[1], r[2])
            for r in self.conn.execute("SELECT contact_id, plan_id, start_on FROM memberships")
        }

    def add(self, values: dict[str, Any]) -> int:
        return self._insert("memberships", values)

    def cancel(self, membership_id: int, on: dt.date) -> None:
        """Cancel the membership and every level it granted."""
        self._update("memberships", membership_id, {"cancelled_on": on})
        self.conn.execute(
            "UPDATE levels SET cancelled_on = ? WHERE membership_id = ? AND cancelled_on IS NULL",
            (on.isoformat(), membership_id),
        )

    def rows(
        self,
        contact_id: int | None = None,
        plan_id: int | None = None,
        active_on: dt.date | None = None,
    ) -> list[MembershipRow]:
        on = active_on.isoformat() if active_on else None
        conditions, params = where(
            [
                ("m.contact_id = ?", contact_id),
                ("m.plan_id = ?", plan_id),
                ("m.start_on <= ?", on),
                ("? <= m.end_on", on),
                ("(m.cancelled_on IS NULL OR ? <= m.cancelled_on)", on),
            ]
        )
        return [
            MembershipRow(membership_record(r), r["contact_ref"], r["plan"])
            for r in self.conn.execute(
                "SELECT m.*, c.ref AS contact_ref, p.code AS plan"
                " FROM memberships m JOIN contacts c ON c.id = m.contact_id"
                " JOIN plans p ON p.id = m.plan_id"
                f" WHERE {conditions} ORDER BY m.start_on, m.id",
                params,
            )
        ]

    # -- renewals ------------------------------------------------------------------------------

    def due(self, until: dt.date, batch: int, membership_id: int | None = None) -> list[Due]:
        """Memberships not cancelled and not renewed that end on or before ``until``
        (through the ``memberships_due`` index: nothing else is read), soonest first, at
        most ``batch`` — or just ``membership_id`` if given, whenever it ends — each with
        its chain's first start and depth."""
        chosen = DUE_MEMBERSHIPS if membership_id is None else f"{_DUE_COLUMNS} WHERE id = :id"
        rows = self.conn.execute(
            f"WITH RECURSIVE due AS ({chosen}),"
            " up(due_id, id, start_on, renewed_from, depth) AS ("
            "  SELECT id, id, start_on, renewed_from, 0 FROM due"
            "  UNION ALL SELECT up.due_id, m.id, m.start_on, m.renewed_from, up.depth + 1"
            "  FROM up JOIN memberships m ON m.id = up.renewed_from)"
            " SELECT due.id, due.contact_id, due.plan_id, due.start_on, due.end_on,"
            "  (SELECT up.start_on FROM up WHERE up.due_id = due.id AND up.renewed_from IS NULL),"
            "  (SELECT max(up.depth) FROM up WHERE up.due_id = due.id)"
            " FROM due ORDER BY due.end_on, due.id",
            {"until": until.isoformat(), "batch": batch, "id": membership_id},
        ).fetchall()
        day = dt.date.fromisoformat
        return [Due(r[0], r[1], r[2], day(r[3]), day(r[4]), day(r[5]), r[6]) for r in rows]

    def mark_renewed(self, membership_id: int, renewal_id: int) -> None:
        self._update("memberships", membership_id, {"renewed_by": renewal_id})

    def link_renewal(self, membership_id: int, renewal_id: int) -> None:
        """Make an existing membership the renewal of another."""
        self._update("memberships", renewal_id, {"renewed_from": membership_id})
        self.mark_renewed(membership_id, renewal_id)

    def member_refs(self, plan_id: int, on: dt.date) -> list[str]:
        """Refs of the contacts holding a membership of the plan in force on a date."""
        day = on.isoformat()
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT DISTINCT c.ref FROM memberships m JOIN contacts c ON c.id = m.contact_id"
                " WHERE m.plan_id = ? AND m.start_on <= ? AND ? <= m.end_on"
                " AND (m.cancelled_on IS NULL OR ? <= m.cancelled_on) ORDER BY c.ref",
                (plan_id, day, day, day),
            )
        ]

    # -- levels --------------------------------------------------------------------------------

    def level(self, level_id: int) -> Level:
        row = self._one("SELECT * FROM levels WHERE id = ?", (level_id,))
        if row is None:
            raise NotFound(f"No level {level_id}. Find it with: benefit level list --contact C.")
        return level_record(row)

    def add_level(self, values: dict[str, Any]) -> int:
        return self._insert("levels", values)

    def add_levels(self, rows: Sequence[NewLevel | tuple[Any, ...]]) -> None:
        """Bulk insert, in ``NewLevel``'s column order."""
        stamp = self.stamp
        self.conn.executemany(
            f"INSERT INTO levels ({', '.join(NewLevel._fields)}, created_at, created_by)"
            f" VALUES ({', '.join('?' * (len(NewLevel._fields) + 2))})",
            [(*row, *stamp) for row in rows],
        )

    def levels(self, contact_id: int | None = None, type_id: int | None = None) -> list[Level]:
        conditions, params = where([("contact_id = ?", contact_id), ("type_id = ?", type_id)])
        return [
            level_record(r)
            for r in self.conn.execute(f"SELECT * FROM levels WHERE {conditions} ORDER BY id", params)
        ]

    def levels_of_membership(self, membership_id: int) -> list[Level]:
        return [
            level_record(r)
            for r in self.conn.execute(
                "SELECT * FROM levels WHERE membership_id = ? ORDER BY id", (membership_id,)
            )
        ]
