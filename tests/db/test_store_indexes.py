"""The per-contact balance lookup reads through indexes: nothing it issues scans a whole
ledger table (``EXPLAIN QUERY PLAN`` of every statement it sends)."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import pytest
from conftest import REPORT_TODAY


def plan_of(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> str:
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def assert_indexed(plan: str, table: str) -> None:
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert f"SCAN {table}" not in plan, plan


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

    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    try:
        selects = [s for s in issued if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        sums = [s for s in selects if "FROM entries" in s and "level_id IN" in s]
        levels = [s for s in selects if "FROM levels WHERE" in s and "contact_id" in s]
        assert sums and levels, issued
        for sql in sums:
            assert_indexed(plan_of(conn, sql), "entries")
        for sql in levels:
            assert_indexed(plan_of(conn, sql), "levels")
        for sql in selects:  # nothing the lookup issues reads a whole ledger table
            plan = plan_of(conn, sql)
            assert "SCAN entries" not in plan and "SCAN levels" not in plan, (sql, plan)
            assert "SCAN allocations" not in plan and "SCAN delegates" not in plan, (sql, plan)

        # and the SQL as Store.entry_sums and the levels lookup write it, with parameters
        assert_indexed(plan_of(
            conn, "SELECT level_id, allocation_id, sum(quantity) FROM entries"
            " WHERE level_id IN (?) GROUP BY level_id, allocation_id", (1,)), "entries")
        assert_indexed(plan_of(
            conn, "SELECT level_id, allocation_id, sum(quantity) FROM entries"
            " WHERE level_id IN (?, ?, ?) GROUP BY level_id, allocation_id", (1, 2, 3)), "entries")
        assert_indexed(plan_of(
            conn, "SELECT * FROM levels WHERE contact_id = ? AND type_id = ?", (1, 1)), "levels")
    finally:
        conn.close()
