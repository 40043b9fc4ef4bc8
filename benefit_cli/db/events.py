"""Events: an event (a code, a name, the day it is held), its registration types (each
optionally tied to a benefit type and a quantity in that type's unit), and the
registrations of contacts. A registration's use is in the ledger, under the
registration's ref; the registration keeps its first entry and whether it was covered."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import NamedTuple

from benefit_cli.db.base import Part
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.text import closest, did_you_mean


class Event(NamedTuple):
    id: int
    code: str
    name: str
    held_on: dt.date


class RegistrationType(NamedTuple):
    """A way to register for an event; ``type_id`` and ``quantity`` (in the type's unit)
    are both set when a registration of it draws on a benefit, else both None."""

    id: int
    event_id: int
    name: str
    type_id: int | None
    quantity: int | None


class Registration(NamedTuple):
    id: int
    event_id: int
    contact_id: int
    regtype_id: int
    covered: bool
    entry_id: int | None
    ref: str
    cancelled_on: dt.date | None


class RegistrationRow(NamedTuple):
    """A registration as ``event registrations`` shows it."""

    id: int
    contact_ref: str
    regtype: str
    covered: bool
    entry_id: int | None
    cancelled_on: str | None


class RegtypeRow(NamedTuple):
    """A registration type as ``event list`` describes it: its benefit's code and unit."""

    event_id: int
    name: str
    type: str | None
    unit: str | None
    quantity: int | None


class EventCounts(NamedTuple):
    """An event with how many registrations stand (not cancelled), and how many of them a
    benefit covered."""

    event: Event
    registrations: int
    covered: int


def _event(row: sqlite3.Row) -> Event:
    return Event(row["id"], row["code"], row["name"], dt.date.fromisoformat(row["held_on"]))


def _registration(row: sqlite3.Row) -> Registration:
    return Registration(
        row["id"],
        row["event_id"],
        row["contact_id"],
        row["regtype_id"],
        bool(row["covered"]),
        row["entry_id"],
        row["ref"],
        from_iso(row["cancelled_on"]),
    )


_REGISTRATION = (
    "SELECT id, event_id, contact_id, regtype_id, covered, entry_id, ref, cancelled_on FROM registrations"
)


class Events(Part):
    # -- events ------------------------------------------------------------------------------

    def event(self, code: str) -> Event:
        """An event by its code, in any case."""
        code = code.strip().upper()
        row = self._one("SELECT id, code, name, held_on FROM events WHERE code = ?", (code,))
        if row is None:
            similar = closest(code, (r[0] for r in self.conn.execute("SELECT code FROM events")))
            raise NotFound(
                f'No event "{code}".{did_you_mean(similar)} See the events with: benefit event list.'
            )
        return _event(row)

    def event_by_id(self, event_id: int) -> Event:
        row = self._one("SELECT id, code, name, held_on FROM events WHERE id = ?", (event_id,))
        assert row is not None
        return _event(row)

    def event_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM events WHERE code = ?", (code.upper(),)) is not None

    def add_event(self, code: str, name: str, held_on: dt.date) -> int:
        return self._insert("events", {"code": code, "name": name, "held_on": held_on})

    def events(self) -> list[EventCounts]:
        """Every event, soonest first, with its standing registrations."""
        return [
            EventCounts(_event(row), row["registrations"], row["covered"])
            for row in self.conn.execute(
                "SELECT e.id, e.code, e.name, e.held_on,"
                " count(r.id) AS registrations, coalesce(sum(r.covered), 0) AS covered"
                " FROM events e LEFT JOIN registrations r ON r.event_id = e.id AND r.cancelled_on IS NULL"
                " GROUP BY e.id ORDER BY e.held_on, e.code"
            )
        ]

    # -- registration types ------------------------------------------------------------------

    def regtype(self, event: Event, name: str) -> RegistrationType:
        """A registration type of the event by its name, in any case."""
        found = self.find_regtype(event.id, name)
        if found is None:
            names = [r[0] for r in self.conn.execute(
                "SELECT name FROM registration_types WHERE event_id = ? ORDER BY id", (event.id,)
            )]  # fmt: skip
            hint = (
                did_you_mean(closest(name.strip(), names)) or f" It has: {', '.join(names)}."
                if names
                else f" Add one with: benefit event regtype add {event.code} NAME."
            )
            raise NotFound(f'Event {event.code} has no registration type "{name.strip()}".{hint}')
        return found

    def find_regtype(self, event_id: int, name: str) -> RegistrationType | None:
        row = self._one(
            "SELECT id, event_id, name, type_id, quantity FROM registration_types"
            " WHERE event_id = ? AND name = ?",
            (event_id, name.strip()),
        )
        return RegistrationType(*row) if row else None

    def regtype_by_id(self, regtype_id: int) -> RegistrationType:
        row = self._one(
            "SELECT id, event_id, name, type_id, quantity FROM registration_types WHERE id = ?", (regtype_id,)
        )
        assert row is not None
        return RegistrationType(*row)

    def add_regtype(self, event_id: int, name: str, type_id: int | None, quantity: int | None) -> int:
        return self._insert(
            "registration_types",
            {"event_id": event_id, "name": name, "type_id": type_id, "quantity": quantity},
        )

    def regtypes_naming(self, type_id: int) -> int:
        """How many registration types draw on the benefit type."""
        return int(self._one("SELECT count(*) FROM registration_types WHERE type_id = ?", (type_id,))[0])

    def regtype_rows(self) -> list[RegtypeRow]:
        """Every registration type, in the order each event's were added."""
        return [
            RegtypeRow(*row)
            for row in self._tuples().execute(
                "SELECT r.event_id, r.name, t.code, t.unit, r.quantity FROM registration_types r"
                " LEFT JOIN benefit_types t ON t.id = r.type_id ORDER BY r.event_id, r.id"
            )
        ]

    # -- registrations -----------------------------------------------------------------------

    def registration(self, registration_id: int) -> Registration:
        row = self._one(f"{_REGISTRATION} WHERE id = ?", (registration_id,))
        if row is None:
            raise NotFound(
                f"No registration {registration_id}. Find it with: benefit event registrations EVENT."
            )
        return _registration(row)

    def registration_with_ref(self, ref: str) -> Registration | None:
        row = self._one(f"{_REGISTRATION} WHERE ref = ?", (ref,))
        return _registration(row) if row else None

    def add_registration(
        self, event_id: int, contact_id: int, regtype_id: int, entry_id: int | None, ref: str
    ) -> int:
        return self._insert(
            "registrations",
            {
                "event_id": event_id,
                "contact_id": contact_id,
                "regtype_id": regtype_id,
                "covered": entry_id is not None,
                "entry_id": entry_id,
                "ref": ref,
            },
        )

    def cancel(self, registration_id: int, on: dt.date) -> None:
        self._update("registrations", registration_id, {"cancelled_on": on})

    def registration_rows(self, event_id: int) -> list[RegistrationRow]:
        return [
            RegistrationRow(row[0], row[1], row[2], bool(row[3]), row[4], row[5])
            for row in self._tuples().execute(
                "SELECT r.id, c.ref, t.name, r.covered, r.entry_id, r.cancelled_on FROM registrations r"
                " JOIN contacts c ON c.id = r.contact_id JOIN registration_types t ON t.id = r.regtype_id"
                " WHERE r.event_id = ? ORDER BY r.id",
                (event_id,),
            )
        ]
