"""The SQL views ``balances`` and ``history`` answer from plain sqlite3 what the reports say,
for anyone who opens the file without the tool. The views are as of the day they are read
(SQLite's own date), so the reports are asked for that day too."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections import defaultdict
from typing import Any

import pytest
from conftest import report


def test_the_views_answer_from_plain_sqlite3(cli, report_world):
    today = dt.date.today().isoformat()
    report_balances = report(cli, "balances", "--to", today)
    report_history = report(cli, "history", "--to", today)

    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    conn.row_factory = sqlite3.Row
    try:
        view_balances = [dict(r) for r in conn.execute("SELECT * FROM balances")]
        view_history = [dict(r) for r in conn.execute("SELECT * FROM history")]
    finally:
        conn.close()

    def units(row: dict[str, Any], column: str) -> float:
        value = row[column]
        return value / 100 if row["unit"] == "money" else value

    remaining: dict[tuple[str, str], float] = defaultdict(float)
    for row in view_balances:
        remaining[(row["contact_ref"], row["type"])] += units(row, "remaining")
    assert remaining == pytest.approx(
        {(b["contact_ref"], b["type"]): b["remaining"] for b in report_balances})
    assert any(row["allocation_id"] is not None for row in view_balances)

    def key(kind: Any, date: Any, ref: Any, type_: Any, quantity: Any, after: Any) -> tuple[Any, ...]:
        return (kind, date, ref, type_, round(quantity, 2), round(after, 2))

    assert sorted(key(r["kind"], r["date"], r["contact_ref"], r["type"], units(r, "quantity"),
                      units(r, "balance_after")) for r in view_history) == sorted(
        key(h["kind"], h["date"], h["contact_ref"], h["type"], h["quantity"], h["balance_after"])
        for h in report_history)
    assert sorted(r["entry_id"] for r in view_history if r["entry_id"] is not None) == sorted(
        h["entry_id"] for h in report_history if h["entry_id"] is not None)
