"""The event tables guard their own rules, whatever program writes to the file: an event
code is upper-case and unique, a registration type names a benefit and a quantity
together or neither and is unique per event in any case, a registration is covered
exactly when it has an entry, and a ref registers once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli

STAMP = "'2026-05-01T00:00:00+00:00', 'tool'"
EVENT = "INSERT INTO events (code, name, held_on, created_at, created_by) VALUES"
REGTYPE = "INSERT INTO registration_types (event_id, name, type_id, quantity, created_at, created_by) VALUES"
REGISTRATION = ("INSERT INTO registrations (event_id, contact_id, regtype_id, ref, created_at, created_by)"
                " VALUES")


@pytest.fixture
def conn(cli: Cli, events_world: Path) -> Iterator[sqlite3.Connection]:
    """The events world, with Ada's covered registration 1 (entry 1) for GALA and Nat's
    uncovered registration 2 (a Guest, ref R-2)."""
    cli("event", "register", "GALA", "A1", "--regtype", "Member")
    cli("event", "register", "GALA", "N1", "--regtype", "Guest", "--ref", "R-2")
    connection = sqlite3.connect(events_world, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    yield connection
    connection.close()


@pytest.mark.parametrize("sql", [
    f"{EVENT} ('gala2', 'x', '2026-06-01', {STAMP})",
    f"{EVENT} ('GALA', 'x', '2026-06-01', {STAMP})",
    f"{REGTYPE} (1, 'MEMBER', NULL, NULL, {STAMP})",
    f"{REGTYPE} (1, 'X', 1, NULL, {STAMP})",
    f"{REGTYPE} (1, 'X', NULL, 1, {STAMP})",
    f"{REGTYPE} (1, 'X', 1, 0, {STAMP})",
    "UPDATE registrations SET covered = 1 WHERE id = 2",
    "UPDATE registrations SET covered = 0 WHERE id = 1",
    f"{REGISTRATION} (1, 5, 4, 'R-2', {STAMP})",
    f"{REGISTRATION} (1, 99, 4, 'R-3', {STAMP})",
], ids=["lower-case code", "code twice", "name in another case", "type without quantity",
        "quantity without type", "quantity of zero", "covered without entry", "entry without covered",
        "ref twice", "no such contact"])
def test_the_tables_refuse_what_breaks_their_rules(conn: sqlite3.Connection, sql: str) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql)


def test_another_event_may_have_a_registration_type_of_the_same_name(conn: sqlite3.Connection) -> None:
    conn.execute(f"{REGTYPE} (2, 'Guest', NULL, NULL, {STAMP})")
    names = conn.execute("SELECT event_id, name FROM registration_types WHERE name = 'guest'").fetchall()
    assert names == [(1, "Guest"), (2, "Guest")]  # and "guest" finds "Guest"
