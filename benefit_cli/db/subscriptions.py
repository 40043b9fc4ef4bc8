"""Subscriptions: the issues delivered to members, what each fulfilment has handled, and
members' opt-outs (SPEC §1 "Subscriptions")."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import NamedTuple

from benefit_cli.db.balance_sql import last_day
from benefit_cli.db.base import Part, where


class OptOut(NamedTuple):
    id: int
    opted_out_on: dt.date
    opted_in_on: dt.date | None


# One delivered issue as the mailing list shows it: contact_ref, name, email, type,
# issue_date. Plain tuples: a fulfilment hands 50,000 of them straight to the CSV writer.
MailingRow = tuple[str, str, str | None, str, str]


class Delivered(NamedTuple):
    """One delivered issue, with the level that entitled it and that level's membership."""

    membership_id: int | None  # None for a level granted by hand
    contact_ref: str
    type: str
    level_id: int
    issue_date: str


class DeliveryRow(NamedTuple):
    contact_ref: str
    type: str
    issue_date: str
    delivered_on: str


# A member may have an issue when a level of the type they own is valid on its date, they
# have not had it, and no opt-out of theirs covers it: one that still runs, or one whose
# opt-in came on or after the issue's date. ``{levels}`` picks the levels looked at: for an
# issue no fulfilment has handled, those of the type started by its date (``NEW_ISSUES``,
# an index range on type and start); for one handled before, only the levels created since
# it last was (``HANDLED_ISSUES``, a range of ids: the ``+`` keeps SQLite from preferring
# the type's index, which would read every level of the type again). The issues are
# MATERIALIZED: else SQLite reads the date out of the JSON again for every level it joins.
_DELIVER_OWED = f"""WITH i AS MATERIALIZED (
    SELECT json_extract(value, '$[0]') AS issue_date, json_extract(value, '$[1]') AS levels_after
    FROM json_each(:issues)
)
INSERT INTO deliveries
    (contact_id, type_id, issue_date, level_id, delivered_on, created_at, created_by)
SELECT l.contact_id, l.type_id, i.issue_date, min(l.id), :today, :at, :by
FROM i
JOIN levels l ON {{levels}} AND i.issue_date <= {last_day("l")}
WHERE NOT EXISTS (SELECT 1 FROM deliveries d
                  WHERE d.contact_id = l.contact_id AND d.type_id = l.type_id AND d.issue_date = i.issue_date)
  AND NOT EXISTS (SELECT 1 FROM subscription_optouts o
                  WHERE o.contact_id = l.contact_id AND o.type_id = l.type_id
                    AND (o.opted_in_on IS NULL OR i.issue_date <= o.opted_in_on))
GROUP BY i.issue_date, l.contact_id
ORDER BY i.issue_date, l.contact_id"""
NEW_ISSUES = _DELIVER_OWED.format(levels="l.type_id = :type_id AND l.starts_on <= i.issue_date")
HANDLED_ISSUES = _DELIVER_OWED.format(
    levels="l.id > i.levels_after AND +l.type_id = :type_id AND +l.starts_on <= i.issue_date"
)


class Subscriptions(Part):
    # -- opt-outs ------------------------------------------------------------------------------

    def current_optout(self, contact_id: int, type_id: int) -> OptOut | None:
        row = self._one(
            "SELECT id, opted_out_on, opted_in_on FROM subscription_optouts"
            " WHERE contact_id = ? AND type_id = ? AND opted_in_on IS NULL",
            (contact_id, type_id),
        )
        return OptOut(row[0], dt.date.fromisoformat(row[1]), None) if row else None

    def opt_out(self, contact_id: int, type_id: int, on: dt.date) -> int:
        return self._insert(
            "subscription_optouts", {"contact_id": contact_id, "type_id": type_id, "opted_out_on": on}
        )

    def opt_in(self, optout_id: int, on: dt.date) -> None:
        self._update("subscription_optouts", optout_id, {"opted_in_on": on})

    def opted_out(self, contact_ids: Collection[int]) -> dict[int, set[int]]:
        """For each of these contacts opted out of something now, the types."""
        found: dict[int, set[int]] = {}
        for contact_id, type_id in self.conn.execute(
            "SELECT contact_id, type_id FROM subscription_optouts WHERE opted_in_on IS NULL"
            " AND contact_id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(contact_ids))),),
        ):
            found.setdefault(contact_id, set()).add(type_id)
        return found

    # -- fulfilment ----------------------------------------------------------------------------

    def first_start(self, type_id: int) -> dt.date | None:
        """The first day any level of the type starts: no issue before it can be owed."""
        row = self._one("SELECT min(starts_on) FROM levels WHERE type_id = ?", (type_id,))
        return dt.date.fromisoformat(row[0]) if row[0] else None

    def issues_handled(self, type_id: int) -> dict[dt.date, int]:
        """Each issue of the type a fulfilment has handled, with the last level it looked at."""
        return {
            dt.date.fromisoformat(issue): through
            for issue, through in self.conn.execute(
                "SELECT issue_date, levels_through FROM subscription_issues WHERE type_id = ?", (type_id,)
            )
        }

    def last_level_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) FROM levels")[0])

    def last_delivery_id(self) -> int:
        return int(self._one("SELECT coalesce(max(id), 0) FROM deliveries")[0])

    def deliver(self, type_id: int, issues: dict[dt.date, int], today: dt.date) -> None:
        """Record every delivery owed of these issues (each with the last level an earlier
        fulfilment looked at, 0 for none): one statement for the new issues, one for those
        handled before."""
        at, by = self.stamp
        params = {"type_id": type_id, "today": today.isoformat(), "at": at, "by": by}
        for query, chosen in (
            (NEW_ISSUES, {day: 0 for day, after in issues.items() if not after}),
            (HANDLED_ISSUES, {day: after for day, after in issues.items() if after}),
        ):
            if chosen:
                listed = [[day.isoformat(), after] for day, after in sorted(chosen.items())]
                self.conn.execute(query, {**params, "issues": json.dumps(listed)})

    def mark_handled(self, type_id: int, issues: Collection[dt.date], levels_through: int) -> None:
        """Remember that these issues were delivered to every level up to ``levels_through``."""
        self.conn.executemany(
            "INSERT INTO subscription_issues (type_id, issue_date, levels_through) VALUES (?, ?, ?)"
            " ON CONFLICT (type_id, issue_date) DO UPDATE SET levels_through = excluded.levels_through",
            [(type_id, day.isoformat(), levels_through) for day in sorted(issues)],
        )

    def mailing_since(
        self, delivery_id: int, type_id: int, code: str, issues: Collection[dt.date]
    ) -> list[MailingRow]:
        """The deliveries of these issues of the type (its id and code) recorded after
        ``delivery_id``, in issue and contact order. An issue's rows share its type and
        date, so each issue is read alone and only the contact's cells come from SQLite,
        the other two added here: a fulfilment lists 50,000 rows, and a cell read from
        SQLite costs more than one added to the row in Python."""
        query = (
            "SELECT c.ref, c.name, c.email FROM deliveries d JOIN contacts c ON c.id = d.contact_id"
            " WHERE d.id > ? AND d.type_id = ? AND d.issue_date = ? ORDER BY c.ref"
        )
        rows: list[MailingRow] = []
        for issue in sorted(issues):
            day = issue.isoformat()
            rows += [
                (ref, name, email, code, day)
                for ref, name, email in self._tuples().execute(query, (delivery_id, type_id, day))
            ]
        return rows

    def delivered_since(self, delivery_id: int, type_id: int) -> list[Delivered]:
        """The same deliveries with their levels and memberships (for a run's rows)."""
        return list(
            map(
                Delivered._make,
                self._tuples().execute(
                    "SELECT l.membership_id, c.ref, t.code, d.level_id, d.issue_date"
                    " FROM deliveries d JOIN contacts c ON c.id = d.contact_id"
                    " JOIN benefit_types t ON t.id = d.type_id JOIN levels l ON l.id = d.level_id"
                    " WHERE d.id > ? AND d.type_id = ? ORDER BY d.issue_date, c.ref",
                    (delivery_id, type_id),
                ),
            )
        )

    def deliveries(self, contact_id: int | None = None, type_id: int | None = None) -> list[DeliveryRow]:
        conditions, params = where([("d.contact_id = ?", contact_id), ("d.type_id = ?", type_id)])
        return [
            DeliveryRow(*row)
            for row in self._tuples().execute(
                "SELECT c.ref, t.code, d.issue_date, d.delivered_on FROM deliveries d"
                " JOIN contacts c ON c.id = d.contact_id JOIN benefit_types t ON t.id = d.type_id"
                f" WHERE {conditions} ORDER BY d.issue_date, t.code, c.ref",
                params,
            )
        ]
