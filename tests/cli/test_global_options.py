"""The global options every command takes: ``--db`` (a missing or mistyped database is refused
and never created) and ``--operator``/``BENEFIT_OPERATOR`` (recorded on every write)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import one_error, snapshot

NEEDS_A_DATABASE = [
    ["contact", "list"],
    ["contact", "add", "Ann"],
    ["contact", "show", "C1"],
    ["type", "list"],
    ["type", "add", "X", "--name", "x", "--unit", "count", "--category", "c"],
    ["plan", "list"],
    ["plan", "add", "X", "--name", "x", "--term", "12"],
    ["membership", "list"],
    ["level", "list"],
    ["allocation", "list"],
    ["db", "check"],
    ["db", "stats"],
    ["db", "migrate"],
    ["db", "backup", "copy.db"],
]


@pytest.mark.parametrize("args", NEEDS_A_DATABASE, ids=" ".join)
def test_a_missing_database_is_refused_and_not_created(cli, isolated_db, tmp_path, monkeypatch,
                                                      args):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, code=1)
    line = one_error(result)
    assert str(isolated_db) in line and "db init" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", NEEDS_A_DATABASE[:4] + [["db", "check"]], ids=" ".join)
def test_a_typo_in_db_is_refused_and_not_created(cli, db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    cli("contact", "add", "Ann", "--ref", "A")
    before = snapshot(db)
    typo = tmp_path / "benefts.db"
    line = one_error(cli("--db", typo, *args, code=1))
    assert str(typo) in line
    assert not typo.exists()
    assert not Path(f"{typo}-wal").exists()
    assert not (tmp_path / "copy.db").exists()
    assert snapshot(db) == before


def test_operator_and_benefit_operator_are_recorded(cli, db, monkeypatch):
    cli("--operator", "alice", "contact", "add", "Ann", "--ref", "A")
    monkeypatch.setenv("BENEFIT_OPERATOR", "bob")
    cli("contact", "add", "Ben", "--ref", "B")
    cli("--operator", "carol", "type", "add", "GUESTPASS", "--name", "Guest pass", "--unit",
        "count", "--category", "adm")
    cli("--operator", "carol", "plan", "add", "IND", "--name", "Individual", "--term", "12")
    cli("--operator", "carol", "plan", "benefit", "add", "IND", "GUESTPASS", "--quantity", "2",
        "--begin", "2026-01-01")
    cli("--operator", "dave", "membership", "add", "A", "IND", "--start", "2026-02-01")
    cli("--operator", "erin", "allocate", "1", "B")
    cli("--operator", "frank", "allocation", "accept", "1", "--on", "2026-02-02")
    cli("--operator", "gina", "type", "update", "GUESTPASS", "--value", "18.00")

    conn = sqlite3.connect(db)
    try:
        def who(sql: str) -> list[Any]:
            return [tuple(r) for r in conn.execute(sql)]

        assert who("SELECT ref, created_by FROM contacts ORDER BY ref") == [
            ("A", "alice"), ("B", "bob")]
        assert who("SELECT created_by, updated_by FROM benefit_types") == [("carol", "gina")]
        assert who("SELECT created_by FROM plans") == [("carol",)]
        assert who("SELECT created_by FROM plan_benefits") == [("carol",)]
        assert who("SELECT created_by FROM memberships") == [("dave",)]
        assert who("SELECT DISTINCT created_by FROM levels") == [("dave",)]
        assert who("SELECT created_by, updated_by FROM allocations") == [("erin", "frank")]
        stamps = who("SELECT created_at FROM contacts")
        assert all(s[0] and s[0].endswith("+00:00") for s in stamps)
    finally:
        conn.close()
