"""A usage import reads what its file names, not what the database holds (issue 13): the
same ten rows imported into a database of 20 members and into one of 2,000 — a hundred
times the contacts, the levels and the ledger — load the same balances and make SQLite
do about the same work, counted in the virtual machine steps of every statement the
import runs on its connections. Before the import read its balances by chunk it loaded
every level of the types a file names, and every contact: a hundred times the work here."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, entry_count, write_csv

TYPES = ("GUEST", "PARK", "CAFE", "SPA", "POOL")
START = "2022-01-01"
STEPS = 100  # SQLite calls the progress handler every STEPS virtual machine instructions


def build(cli: Cli, tmp_path: Path, members: int) -> Path:
    """``members`` members of a plan granting 1,000 of five types, each with a use of each."""
    db = tmp_path / f"members-{members}.db"
    cli("--db", db, "db", "init")
    cli("--db", db, "plan", "add", "GYM", "--name", "Gym", "--term", "36")
    for code in TYPES:
        cli("--db", db, "type", "add", code, "--name", code.title(), "--unit", "count", "--category", "gym")
        cli("--db", db, "plan", "benefit", "add", "GYM", code, "--quantity", "1000", "--begin", "2020-01-01")
    numbers = range(1, members + 1)
    contacts = write_csv(tmp_path / "contacts.csv", "ref,name", *(f"C{n},Member {n}" for n in numbers))
    memberships = write_csv(
        tmp_path / "m.csv", "contact,plan,start_on", *(f"C{n},GYM,{START}" for n in numbers)
    )
    uses = (f"old-{n}-{code},C{n},{code},2022-03-01" for n in numbers for code in TYPES)
    cli("--db", db, "contact", "import", contacts)
    cli("--db", db, "membership", "import", memberships)
    cli("--db", db, "usage", "import", write_csv(tmp_path / "old.csv", "ref,contact,type,used_on", *uses))
    return db


def import_counted(cli: Cli, monkeypatch: pytest.MonkeyPatch, db: Path, file: Path) -> tuple[int, int]:
    """Import ``file`` into ``db``: how many balances the import loaded, and how many
    SQLite steps (in hundreds) its statements took, on every connection it opened."""
    from benefit_cli.db import connection, snapshot
    from benefit_cli.services import usage_import

    counted = {"balances": 0, "steps": 0}

    def step() -> int:
        counted["steps"] += 1
        return 0  # go on

    def counting(open_: Any) -> Any:
        def opened(*args: Any, **kwargs: Any) -> sqlite3.Connection:
            conn = open_(*args, **kwargs)
            conn.set_progress_handler(step, STEPS)
            return conn

        return opened

    loaded = usage_import.drawable_by_pairs

    def loading(*args: Any, **kwargs: Any) -> Any:
        balances = loaded(*args, **kwargs)
        counted["balances"] += sum(len(usable) for usable in balances.values())
        return balances

    with monkeypatch.context() as patch:
        patch.setattr(connection, "connect", counting(connection.connect))
        patch.setattr(snapshot, "reading_connection", counting(snapshot.reading_connection))
        patch.setattr(usage_import, "drawable_by_pairs", loading)
        result = cli("--db", db, "usage", "import", file)
    assert "imported 10," in result.stderr
    return counted["balances"], counted["steps"]


def test_ten_rows_cost_the_same_in_a_database_a_hundred_times_larger(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small, large = build(cli, tmp_path, 20), build(cli, tmp_path, 2000)
    assert entry_count(large) == 100 * entry_count(small)
    rows = (f"new-{n},C{n},{TYPES[n % len(TYPES)]},2023-06-01" for n in range(1, 11))
    file = write_csv(tmp_path / "ten.csv", "ref,contact,type,used_on", *rows)

    small_balances, small_steps = import_counted(cli, monkeypatch, small, file)
    large_balances, large_steps = import_counted(cli, monkeypatch, large, file)

    assert small_balances == large_balances == 10  # one level of each row's type
    assert small_steps > 0
    assert large_steps <= small_steps * 1.25, (small_steps, large_steps)


def test_who_may_use_what_is_found_from_the_contact_never_from_every_level_of_the_type(
    cli: Cli, tmp_path: Path
) -> None:
    """Each branch of ``USABLE`` starts from the contact (its levels, allocations, delegates,
    business): the index on the type would read every level of the type for each pair.
    A step count sees it only where the database has delegates; the plan shows it always."""
    from benefit_cli.db.balance_sql import drawable_sql, pairs_param

    db = build(cli, tmp_path, 3)
    with sqlite3.connect(db) as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {drawable_sql()}", pairs_param([(1, 1)]))]
    assert not [step for step in plan if "levels_type" in step], plan
