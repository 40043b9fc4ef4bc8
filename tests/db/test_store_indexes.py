"""The per-contact balance lookup reads through indexes: nothing it issues scans a whole
ledger table (``EXPLAIN QUERY PLAN`` of every statement it sends)."""

from __future__ import annotations

import os
import re
import sqlite3
from typing import Any

import pytest
from conftest import REPORT_TODAY


def plan_of(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[str]:
    """The plan's steps, but a guard's: ``EXISTS (SELECT 1 FROM delegates)`` reads one row
    whatever the table holds, yet SQLite shows it as a scan, once, inside an uncorrelated
    subquery. Such a step counts as a scan only if the statement has no such guard."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    guarded = set(re.findall(r"EXISTS \(SELECT 1 FROM (\w+)\)", sql))
    details = {node: detail for node, _, _, detail in rows}

    def guard(parent: int, detail: str) -> bool:
        once = details.get(parent, "").startswith("SCALAR SUBQUERY")
        return once and detail.startswith("SCAN ") and detail.split()[1] in guarded

    return [detail for _, parent, _, detail in rows if not guard(parent, detail)]


# What the balance query builds for itself, and small tables read whole by design.
NOT_TABLES = ("lv", "es", "al", "ah", "taken", "holders", "hs", "figures", "asof", "CONSTANT ROW")
TABLES = {"l", "e", "a", "d", "levels", "entries", "allocations", "delegates"}


def scanned_tables(plan: list[str]) -> list[str]:
    """The ledger tables a plan reads whole."""
    scans = [step.split()[1] for step in plan if step.startswith("SCAN ")]
    return [name for name in scans if name in TABLES and name not in NOT_TABLES]


def test_the_balance_lookup_of_one_contact_uses_indexes(cli, report_world):
    import benefit_cli.db.connection as connection

    issued: list[str] = []
    original = connection.connect

    def tracing_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = original(*args, **kwargs)
        conn.set_trace_callback(issued.append)
        return conn

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "connect", tracing_connect)
        cli("balance", "ANN", "--on", REPORT_TODAY)
        cli("balance", "ANN", "--type", "GUEST", "--on", REPORT_TODAY)
        cli("use", "ANN", "ROOM", "--on", REPORT_TODAY)

    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    try:
        selects = [s for s in issued if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        assert any("FROM entries" in s or "JOIN entries" in s for s in selects), issued
        for sql in selects:  # nothing the lookup or the use issues reads a whole ledger table
            plan = plan_of(conn, sql)
            assert scanned_tables(plan) == [], (sql, plan)
    finally:
        conn.close()


def test_the_check_sees_a_scan(report_world):
    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    try:
        assert scanned_tables(plan_of(conn, "SELECT * FROM entries e WHERE e.quantity > 0")) == ["e"]
        assert scanned_tables(plan_of(conn, "SELECT * FROM entries WHERE level_id = 1")) == []
        # A guard reads one row; a whole table read inside a subquery is still a scan.
        guard = "SELECT * FROM entries WHERE level_id = 1 AND EXISTS (SELECT 1 FROM delegates)"
        assert scanned_tables(plan_of(conn, guard)) == []
        counted = "SELECT * FROM entries WHERE level_id = (SELECT count(*) FROM delegates)"
        assert scanned_tables(plan_of(conn, counted)) == ["delegates"]
    finally:
        conn.close()


def test_the_level_a_rollover_goes_into_is_found_among_the_owners_levels(tmp_path):
    """Not among every level of the type starting that day (each member's, in a monthly
    plan): an expiry run of 100,000 such levels took 70 s that way rather than 3."""
    from benefit_cli.db.balances import NEXT_LEVEL
    from benefit_cli.db.connection import connect

    conn = connect(tmp_path / "plan.db", create=True)
    try:
        holder = "(SELECT 1 AS owner_id, 1 AS type_id, '2026-01-31' AS last_day) hs"
        plan = plan_of(conn, f"SELECT {NEXT_LEVEL} FROM {holder}")
    finally:
        conn.close()
    owners = "levels_contact_type (contact_id=? AND type_id=? AND starts_on=?)"
    assert any(owners in step for step in plan), plan
