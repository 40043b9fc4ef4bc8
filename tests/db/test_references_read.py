"""A transaction whose rows take their ids from the rows they name runs without SQLite's
foreign-key look-ups (``db.connection.write``'s ``references_read``): the check is off for
that transaction alone, back on after it whether it commits or fails, and what a
fulfilment records in one still holds every reference."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from benefit_cli.db.connection import connect, write
from benefit_cli.db.store import Store
from benefit_cli.services import catalog, contacts, memberships
from benefit_cli.services.subscriptions import fulfil

D = dt.date.fromisoformat


def foreign_keys(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA foreign_keys").fetchone()[0])


def test_the_check_is_off_inside_and_back_on_after_a_commit_and_after_a_failure(tmp_path: Path) -> None:
    conn = connect(tmp_path / "t.db", create=True)
    assert foreign_keys(conn) == 1
    with write(conn, references_read=True):
        assert foreign_keys(conn) == 0
    assert foreign_keys(conn) == 1
    with pytest.raises(RuntimeError), write(conn, references_read=True):
        raise RuntimeError("the batch failed")
    assert foreign_keys(conn) == 1
    with write(conn):
        assert foreign_keys(conn) == 1
        with pytest.raises(sqlite3.IntegrityError):  # an ordinary transaction still checks
            conn.execute(
                "INSERT INTO deliveries (contact_id, type_id, issue_date, level_id, delivered_on,"
                " created_at, created_by) VALUES (999, 999, '2026-01-15', 999, '2026-01-15', 'x', 'y')"
            )


def test_a_fulfilment_keeps_every_reference_and_a_type_it_delivered_cannot_be_deleted(tmp_path: Path) -> None:
    store = Store(connect(tmp_path / "mag.db", create=True))
    with store.transaction() as tx:
        catalog.add_type(tx, "MAG", "Magazine", "count", "post", kind="subscription",
                         schedule="FREQ=MONTHLY;BYMONTHDAY=15")  # fmt: skip
        plan = catalog.add_plan(tx, "P", "Reader", 12)
        catalog.add_rule(tx, plan, tx.catalog.type("MAG"), 1, "month", D("2020-01-01"))
        for n in range(3):
            contacts.add_contact(tx, f"Reader {n}", f"R{n}")
            memberships.add_membership(tx, tx.contacts.get(f"R{n}"), plan, D("2026-01-01"))
    with store.transaction(references_read=True) as tx:
        done = fulfil(tx, tx.catalog.type("MAG"), D("2026-03-20"), D("2026-03-20"))
    assert len(done.delivered) == 3 * 3
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        store.conn.execute("DELETE FROM benefit_types WHERE code = 'MAG'")
