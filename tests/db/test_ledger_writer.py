"""The transaction a usage import writes in, and the writer process that holds it for a
large file (benefit_cli/db/ledger_writer.py): all or nothing, and a clear sentence when
the writer fails or dies."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from benefit_cli.db.connection import connect
from benefit_cli.db.ledger_writer import import_transaction
from benefit_cli.db.store import Store
from benefit_cli.domain.consumption import UseRow
from benefit_cli.domain.errors import BenefitError
from benefit_cli.domain.models import NewEntry


@pytest.fixture
def ledger_db(cli: Any, db: Path) -> Path:
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "x")
    cli("contact", "add", "Ann", "--ref", "C1")
    cli("level", "add", "C1", "GUEST", "--quantity", "10", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    return db


def use_rows(conn: sqlite3.Connection, *refs: str) -> list[UseRow]:
    level_id, contact_id = conn.execute("SELECT id, contact_id FROM levels").fetchone()
    return [(level_id, None, contact_id, "2026-03-01", -1, "visit", None, "import", ref, f"fp-{ref}")
            for ref in refs]


def entries(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT ref, quantity, operator FROM entries ORDER BY id").fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("separate", [False, True], ids=["same process", "writer process"])
def test_the_block_is_committed_whole_and_answers_see_its_own_rows(ledger_db: Path, separate: bool):
    conn = connect(ledger_db)
    with import_transaction(conn, separate) as ledger:
        ledger.append_uses(use_rows(conn, "R1", "R2"))
        found = ledger.ask_ref_uses(["R1", "R3"])()
        assert list(found) == ["R1"] and found["R1"][0].fingerprint == "fp-R1"
        ledger.append_uses(use_rows(conn, "R3"))
    conn.close()
    assert entries(ledger_db) == [("R1", -1, "tester"), ("R2", -1, "tester"), ("R3", -1, "tester")]


@pytest.mark.parametrize("separate", [False, True], ids=["same process", "writer process"])
def test_the_operator_is_written_as_named_whatever_quotes_it_holds(
    ledger_db: Path, separate: bool, monkeypatch: pytest.MonkeyPatch
):
    """The import's operator is a literal in its insert, not bound for every row: a quote
    in the name is a quote in the ledger, nothing more."""
    from benefit_cli import clock

    name = "O'Brien', 'x'); DROP TABLE entries; --"
    monkeypatch.setattr(clock, "_operator_override", name)  # as --operator sets it
    conn = connect(ledger_db)
    with import_transaction(conn, separate) as ledger:
        ledger.append_uses(use_rows(conn, "R1", "R2"))
    conn.close()
    assert entries(ledger_db) == [("R1", -1, name), ("R2", -1, name)]


@pytest.mark.parametrize("separate", [False, True], ids=["same process", "writer process"])
def test_a_block_that_raises_leaves_nothing(ledger_db: Path, separate: bool):
    conn = connect(ledger_db)
    with pytest.raises(KeyboardInterrupt), import_transaction(conn, separate) as ledger:
        ledger.append_uses(use_rows(conn, "R1"))
        ledger.ask_ref_uses(["R1"])()  # the row is in, uncommitted
        raise KeyboardInterrupt
    conn.close()
    assert entries(ledger_db) == []
    assert Store(connect(ledger_db)).ledger.ref_uses(["R1"]) == {}


def test_a_database_error_in_the_writer_is_one_sentence_and_nothing_is_written(ledger_db: Path):
    conn = connect(ledger_db)
    bad: list[Any] = [(None, *use_rows(conn, "R2")[0][1:])]  # no level: NOT NULL
    with pytest.raises(BenefitError) as refused, import_transaction(conn, separate=True) as ledger:
        ledger.append_uses(use_rows(conn, "R1"))
        ledger.append_uses(bad)
        ledger.ask_ref_uses(["R1"])()
    conn.close()
    assert refused.value.message == (
        "Could not write to the database (NOT NULL constraint failed: entries.level_id);"
        " nothing was imported."
    )
    assert entries(ledger_db) == []


def test_a_writer_that_dies_is_reported_and_nothing_is_written(ledger_db: Path):
    conn = connect(ledger_db)
    with pytest.raises(BenefitError) as refused, import_transaction(conn, separate=True) as ledger:
        ledger.append_uses(use_rows(conn, "R1"))
        ledger.process.kill()  # type: ignore[attr-defined]
        ledger.process.wait()  # type: ignore[attr-defined]
        ledger.append_uses(use_rows(conn, "R2"))
        ledger.ask_ref_uses(["R1"])()
    conn.close()
    assert refused.value.message == (
        "The process writing the import stopped unexpectedly; nothing was imported."
    )
    assert entries(ledger_db) == []


def test_large_answers_and_chunks_in_flight_at_once_do_not_deadlock(ledger_db: Path):
    """A re-import finds every ref it asks about, so each answer is more than a pipe
    holds; and the importer sends the next look-up and chunk before it reads an answer
    (it reads one chunk ahead). Neither side may wait on the other for ever."""
    refs = [f"R{number:06d}-{'x' * 40}" for number in range(20_000)]
    found: list[int] = []

    def import_twice_over() -> None:
        conn = connect(ledger_db)
        with import_transaction(conn, separate=True) as ledger:
            ledger.append_uses(use_rows(conn, *refs))
            first = ledger.ask_ref_uses(refs[:10_000])
            second = ledger.ask_ref_uses(refs[10_000:])
            ledger.append_uses(use_rows(conn, *(f"S{number}-{'y' * 40}" for number in range(10_000))))
            found.append(len(first()) + len(second()))
        conn.close()

    worker = threading.Thread(target=import_twice_over, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the importer and its writer are waiting on each other"
    assert found == [20_000]
    assert len(entries(ledger_db)) == 30_000


def test_the_checks_an_import_skips_are_back_on_its_connection_after_it(ledger_db: Path):
    # An import in this process skips SQLite's foreign-key and CHECK checks of the rows it
    # makes itself; the same connection then serves whatever comes next, checked again.
    conn = connect(ledger_db)
    with import_transaction(conn, separate=False) as ledger:
        ledger.append_uses(use_rows(conn, "R1"))
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA ignore_check_constraints").fetchone()[0] == 0
    level_id, _, contact_id, *_ = use_rows(conn, "R2")[0]
    zero = NewEntry("use", level_id, None, contact_id, "2026-03-01", 0, None, None, None, "import", "R2",
                    None)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        Store(conn).ledger.append([zero])
    conn.close()
    assert entries(ledger_db) == [("R1", -1, "tester")]
