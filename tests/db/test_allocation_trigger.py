"""Invariant 1 in the database itself (migration 0009): on every day, the allocations of a
level in force that day hold no more than its quantity. Allocations of one level that never
run at the same time may together hold more (a card replaced mid-year, an end on a future
day), which the trigger before 0009, summing every "active" allocation, refused."""

from __future__ import annotations

import sqlite3

import pytest

from benefit_cli.db.connection import connect

STAMP = "'2026-01-01T00:00:00+00:00', 'test'"
MESSAGE = "the allocations of a level in force on one day would exceed its quantity"


@pytest.fixture
def conn(tmp_path):
    """Level 1 of 2 GUEST for 2026, owned by contact 1; contact 2 receives."""
    conn = connect(tmp_path / "benefits.db", create=True)
    for sql in [
        f"INSERT INTO contacts (id, ref, name, created_at, created_by) VALUES (1, 'O', 'Owner', {STAMP}),"
        f" (2, 'A', 'Ann', {STAMP})",
        f"INSERT INTO benefit_types (id, code, name, category, unit, created_at, created_by)"
        f" VALUES (1, 'GUEST', 'Guest', 'x', 'count', {STAMP})",
        f"INSERT INTO levels (id, contact_id, type_id, quantity, starts_on, expires_on, source,"
        f" created_at, created_by) VALUES (1, 1, 1, 2, '2026-01-01', '2026-12-31', 'manual', {STAMP})",
    ]:
        conn.execute(sql)
    yield conn
    conn.close()


def allocate(conn: sqlite3.Connection, number: int, starts: str, stops: str) -> int:
    cursor = conn.execute(
        "INSERT INTO allocations (level_id, contact_id, number, starts_on, stops_on, created_at, created_by)"
        f" VALUES (1, 2, ?, ?, ?, {STAMP})", (number, starts, stops))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM allocations").fetchone()[0])


def test_allocations_that_never_run_at_once_may_together_hold_more_than_the_level(conn):
    allocate(conn, 2, "2026-01-01", "2026-06-30")
    allocate(conn, 2, "2026-07-01", "2026-12-31")
    assert count(conn) == 2


@pytest.mark.parametrize(("starts", "stops"), [
    pytest.param("2026-06-30", "2026-07-15", id="starting on the last day of another"),
    pytest.param("2026-02-01", "2026-02-01", id="one day inside another"),
    pytest.param("2025-12-31", "2026-01-01", id="reaching the first day of another"),
])
def test_an_allocation_that_would_overfill_one_day_is_refused(conn, starts, stops):
    allocate(conn, 2, "2026-01-01", "2026-06-30")
    with pytest.raises(sqlite3.IntegrityError, match=MESSAGE):
        allocate(conn, 1, starts, stops)
    assert count(conn) == 1


def test_a_decline_frees_the_days_from_its_date(conn):
    first = allocate(conn, 2, "2026-01-01", "2026-12-31")
    conn.execute("UPDATE allocations SET response = 'declined', response_on = '2026-03-01' WHERE id = ?",
                 (first,))
    allocate(conn, 2, "2026-03-01", "2026-12-31")
    with pytest.raises(sqlite3.IntegrityError, match=MESSAGE):
        allocate(conn, 1, "2026-02-28", "2026-02-28")


def test_an_update_that_would_overfill_a_day_is_refused(conn):
    allocate(conn, 2, "2026-07-01", "2026-12-31")
    earlier = allocate(conn, 2, "2026-01-01", "2026-06-30")
    with pytest.raises(sqlite3.IntegrityError, match=MESSAGE):
        conn.execute("UPDATE allocations SET stops_on = '2026-07-01' WHERE id = ?", (earlier,))
    conn.execute("UPDATE allocations SET stops_on = '2026-05-31' WHERE id = ?", (earlier,))
