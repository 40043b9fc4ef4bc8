"""``db check`` finds each thing it checks when it is broken: SQLite's integrity and foreign
keys, overlapping plan rules, allocations beyond their level, a balance below zero, a
ledger entry of the wrong shape, a view that is not this version's. The bad rows are
written with raw sqlite3, around the triggers where needed, as a damaged file or another
program would leave them; each test checks the exact findings and the exit code.

A balance below zero is found in two steps (one pass names the levels that might be
overdrawn, then their running balances are read): the property test at the end holds the
first step to never hiding a level the running balances alone would find.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from benefit_cli.db.balance_sql import overdraw_suspects_sql, overdrawn_sql
from benefit_cli.db.connection import connect
from benefit_cli.db.store import Store

TRIGGERS = ("allocations_within_level_insert", "allocations_within_level_update")


@contextmanager
def raw(path: Path, *, without: tuple[str, ...] = ()) -> Iterator[sqlite3.Connection]:
    """The database as another program sees it: no foreign keys enforced, and the named
    triggers out of the way while the block writes (put back afterwards, as they were)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        saved = [conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
                 for name in without]
        conn.execute("BEGIN")
        for name in without:
            conn.execute(f"DROP TRIGGER {name}")
        yield conn
        for sql in saved:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()


def entry(conn: sqlite3.Connection, kind: str, level_id: int, quantity: int, on: str,
          allocation_id: int | None = None, voids_id: int | None = None, contact_id: int = 1) -> int:
    cursor = conn.execute(
        "INSERT INTO entries (kind, level_id, allocation_id, contact_id, entry_on, quantity, voids_id,"
        " source, operator, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'raw', 'raw', '2026-01-01T00:00:00Z')",
        (kind, level_id, allocation_id, contact_id, on, quantity, voids_id))
    return int(cursor.lastrowid or 0)


def allocation(conn: sqlite3.Connection, level_id: int, contact_id: int, number: int, starts_on: str,
               stops_on: str) -> int:
    cursor = conn.execute(
        "INSERT INTO allocations (level_id, contact_id, number, starts_on, stops_on, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', 'raw')",
        (level_id, contact_id, number, starts_on, stops_on))
    return int(cursor.lastrowid or 0)


def findings(cli: Cli) -> list[str]:
    """What ``db check`` printed, one finding a line; it must say it found problems."""
    result = cli("db", "check", code=1)
    lines = result.stdout.splitlines()
    assert result.stderr.startswith(f"{len(lines)} problem(s) found in "), result.stderr
    return lines


@pytest.fixture
def world(guest: int, cli: Cli, db: Path) -> Path:
    """C1 (contact 1) holds level 1: 5 GUEST from 2026-01-01 to 2026-12-31; C2 (contact 2)
    is another contact. Today is 2026-05-01."""
    assert guest == 1
    cli("contact", "add", "Bea", "--ref", "C2")
    cli("db", "check")
    return db


# -- a balance below zero (invariant 2) ----------------------------------------------------------


@pytest.mark.parametrize(("case", "write", "expected"), [
    ("a use takes more than the level holds",
     lambda c: entry(c, "use", 1, -7, "2026-03-01"),
     ["level 1 goes down to -2 on 2026-03-01"]),
    ("made good later by an adjustment: it was still below zero for a while",
     lambda c: (entry(c, "use", 1, -7, "2026-03-01"), entry(c, "adjust", 1, 5, "2026-03-05")),
     ["level 1 goes down to -2 on 2026-03-01"]),
    ("a use dated before the level starts",
     lambda c: entry(c, "use", 1, -1, "2025-12-31"),
     ["level 1 goes down to -1 on 2025-12-31"]),
    ("an expiry recorded inside the level's life, then a use",
     lambda c: (entry(c, "expire", 1, -5, "2026-06-01"), entry(c, "use", 1, -1, "2026-06-02")),
     ["level 1 goes down to -1 on 2026-06-02"]),
    ("an expiry on the level's first day takes more than its grant",
     lambda c: entry(c, "expire", 1, -6, "2026-01-01"),
     ["level 1 goes down to -1 on 2026-01-01"]),
    ("an expiry recorded inside an allocation's life, then a use of it",
     lambda c: (entry(c, "expire", 1, -2, "2026-03-01", allocation_id=allocation(
         c, 1, 2, 2, "2026-02-01", "2026-12-31"), contact_id=2),
         entry(c, "use", 1, -1, "2026-03-02", allocation_id=1, contact_id=2)),
     ["allocation 1 of level 1 goes down to -1 on 2026-03-02"]),
    ("an allocation used before it starts",
     lambda c: entry(c, "use", 1, -1, "2026-01-15",
                     allocation_id=allocation(c, 1, 2, 2, "2026-02-01", "2026-12-31"), contact_id=2),
     ["allocation 1 of level 1 goes down to -1 on 2026-01-15"]),
    ("an allocation used beyond its number",
     lambda c: entry(c, "use", 1, -3, "2026-03-01",
                     allocation_id=allocation(c, 1, 2, 2, "2026-02-01", "2026-12-31"), contact_id=2),
     ["allocation 1 of level 1 goes down to -1 on 2026-03-01"]),
])
def test_a_balance_below_zero_is_found(cli: Cli, world: Path, case: str, write, expected: list[str]) -> None:
    with raw(world) as conn:
        write(conn)
    assert findings(cli) == [f"negative-balance: {line}" for line in expected]


def test_a_use_voided_and_used_again_up_to_the_limit_is_no_finding(cli: Cli, world: Path) -> None:
    """What the uses take, voided ones counted, is more than the level holds: the level is
    looked at closely, and its running balance never goes below zero."""
    first = cli("use", "C1", "GUEST", "--quantity", "5", "--on", "2026-03-01").stdout.split()
    cli("usage", "void", first[0], "--reason", "wrong member")
    cli("use", "C1", "GUEST", "--quantity", "5", "--on", "2026-03-02")
    cli("db", "check")


def test_a_level_given_away_beyond_its_quantity_is_found_twice(cli: Cli, world: Path) -> None:
    with raw(world, without=TRIGGERS) as conn:
        allocation(conn, 1, 2, 4, "2026-02-01", "2026-12-31")
        allocation(conn, 1, 2, 3, "2026-03-01", "2026-12-31")
    assert findings(cli) == [
        "allocation-limit: level 1 has 7 allocated of 5 on 2026-03-01",
        "negative-balance: level 1 goes down to -2 on 2026-03-01",
    ]


# -- allocations beyond their level (invariant 1) ------------------------------------------------


def test_allocations_in_force_on_different_days_may_each_take_most_of_a_level(
        cli: Cli, world: Path) -> None:
    """The first stops the day before the second starts: never more than 4 of 5 at once,
    though 8 were allocated in all (the triggers count every active allocation)."""
    with raw(world, without=TRIGGERS) as conn:
        allocation(conn, 1, 2, 4, "2026-02-01", "2026-03-31")
        allocation(conn, 1, 2, 4, "2026-04-01", "2026-12-31")
    cli("db", "check")


def test_allocations_overlapping_by_one_day_are_found(cli: Cli, world: Path) -> None:
    with raw(world, without=TRIGGERS) as conn:
        allocation(conn, 1, 2, 4, "2026-02-01", "2026-04-01")
        allocation(conn, 1, 2, 4, "2026-04-01", "2026-12-31")
    assert findings(cli) == [
        "allocation-limit: level 1 has 8 allocated of 5 on 2026-04-01",
        "negative-balance: level 1 goes down to -3 on 2026-04-01",
    ]


def test_a_declined_allocation_gives_its_number_back_from_the_day_it_was_declined(
        cli: Cli, world: Path) -> None:
    with raw(world, without=TRIGGERS) as conn:
        declined = allocation(conn, 1, 2, 4, "2026-02-01", "2026-12-31")
        conn.execute("UPDATE allocations SET response = 'declined', response_on = '2026-03-01'"
                     " WHERE id = ?", (declined,))
        allocation(conn, 1, 2, 4, "2026-03-01", "2026-12-31")
    cli("db", "check")


# -- the ledger's shape (invariant 3) ------------------------------------------------------------


def test_entries_of_the_wrong_shape_are_found(cli: Cli, world: Path) -> None:
    cli("level", "add", "C2", "GUEST", "--quantity", "3", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    with raw(world) as conn:
        adjust = entry(conn, "adjust", 1, 1, "2026-02-01")
        use = entry(conn, "use", 1, -1, "2026-02-02")
        not_a_use = entry(conn, "void", 1, -1, "2026-02-03", voids_id=adjust)
        too_much = entry(conn, "void", 1, 2, "2026-02-04", voids_id=use)
        positive_use = entry(conn, "use", 1, 1, "2026-02-05")
        other_level = allocation(conn, 2, 1, 1, "2026-02-01", "2026-12-31")
        crossed = entry(conn, "use", 1, -1, "2026-02-06", allocation_id=other_level)
    assert findings(cli) == [
        f"ledger: void {not_a_use} does not point at a use",
        f"ledger: void {too_much} does not reverse exactly the use it voids",
        f"ledger: void entry {not_a_use} has the wrong sign or link",
        f"ledger: use entry {positive_use} has the wrong sign or link",
        f"ledger: entry {crossed} names an allocation of another level",
    ]


# -- SQLite's own checks, plan rules, views ------------------------------------------------------


def test_an_index_that_does_not_match_its_table_is_found(cli: Cli, world: Path) -> None:
    with raw(world) as conn:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX contacts_joined_on ON contacts(name)'"
                     " WHERE name = 'contacts_joined_on'")
    assert findings(cli) == [f"integrity: row {n} missing from index contacts_joined_on" for n in (1, 2)]


def test_a_row_pointing_at_a_missing_row_is_found(cli: Cli, world: Path) -> None:
    with raw(world) as conn:
        added = entry(conn, "adjust", 1, 1, "2026-02-01", contact_id=99)
    assert findings(cli) == [f"foreign-key: entries row {added} points at a missing contacts"]


def test_a_finding_that_quotes_a_name_is_printed_escaped(cli: Cli, world: Path) -> None:
    """A table another program added, named with an escape sequence and a bidi override."""
    with raw(world) as conn:
        conn.execute('CREATE TABLE "notes\x1b[2J\u202e" (contact_id INTEGER REFERENCES contacts(id))')
        conn.execute('INSERT INTO "notes\x1b[2J\u202e" VALUES (99)')
    assert findings(cli) == ["foreign-key: notes\\x1b[2J\\u202e row 1 points at a missing contacts"]


def test_overlapping_plan_rules_are_found(cli: Cli, world: Path) -> None:
    cli("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    cli("plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "2", "--begin", "2026-01-01")
    with raw(world) as conn:
        conn.execute("INSERT INTO plan_benefits (plan_id, type_id, quantity, begin_on, created_at,"
                     " created_by) VALUES (1, 1, 3, '2026-06-01', '2026-01-01T00:00:00Z', 'raw')")
    assert findings(cli) == [
        "rule-overlap: plan 1: rule 1 (2 per term, 2026-01-01 to open-ended) overlaps"
        " rule 2 (3 per term, 2026-06-01 to open-ended)"]


def test_a_view_that_is_not_this_versions_is_found(cli: Cli, world: Path) -> None:
    with raw(world) as conn:
        conn.execute("DROP VIEW balances")
        conn.execute("CREATE VIEW balances AS SELECT 1 AS remaining")
    assert findings(cli) == [
        'view: the view "balances" is not the one this version defines; run: benefit db migrate']


# -- the suspects never hide an overdrawn level ---------------------------------------------------

DAYS = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(0, 90, 6)]
KINDS = ("use", "adjust", "expire", "rollover", "void")

LEVEL = st.tuples(st.integers(1, 6), st.sampled_from(DAYS), st.integers(0, 60),
                  st.one_of(st.none(), st.sampled_from(DAYS)))
ALLOCATION = st.tuples(st.integers(0, 3), st.integers(1, 4), st.sampled_from(DAYS), st.integers(0, 60),
                       st.sampled_from([None, "accepted", "declined"]))
ENTRY = st.tuples(st.sampled_from(KINDS), st.integers(0, 3), st.integers(0, 4), st.integers(-4, 4),
                  st.sampled_from(DAYS), st.booleans())


@pytest.fixture(scope="module")
def empty_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suspects") / "empty.db"
    conn = connect(path, create=True)
    conn.execute("INSERT INTO contacts (ref, name, created_at, created_by) VALUES ('A', 'A', '', ''),"
                 " ('B', 'B', '', '')")
    conn.execute("INSERT INTO benefit_types (code, name, category, unit, created_at, created_by)"
                 " VALUES ('G', 'G', 'c', 'count', '', '')")
    conn.close()
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.lists(LEVEL, min_size=1, max_size=4), allocations=st.lists(ALLOCATION, max_size=5),
       entries=st.lists(ENTRY, max_size=14))
def test_the_levels_looked_at_closely_include_every_overdrawn_one(empty_file, levels, allocations,
                                                                   entries) -> None:
    """Whatever a damaged or hand-edited ledger holds — uses beyond a balance, entries before
    a level starts, expiries inside its life, voids, allocations beyond the level, declined
    or ended ones, cancelled levels — ``db check`` finds exactly what the running balances
    of every level, read all at once, find."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "ledger.db"
        shutil.copyfile(empty_file, path)
        with raw(path, without=TRIGGERS) as conn:
            for quantity, starts_on, days, cancelled_on in levels:
                expires_on = (dt.date.fromisoformat(starts_on) + dt.timedelta(days=days)).isoformat()
                conn.execute(
                    "INSERT INTO levels (contact_id, type_id, quantity, starts_on, expires_on, source,"
                    " cancelled_on, created_at, created_by) VALUES (1, 1, ?, ?, ?, 'manual', ?, '', '')",
                    (quantity, starts_on, expires_on, cancelled_on))
            allocated = []
            for level, number, starts_on, days, response in allocations:
                level_id = level % len(levels) + 1
                stops_on = (dt.date.fromisoformat(starts_on) + dt.timedelta(days=days)).isoformat()
                allocated.append((allocation(conn, level_id, 2, number, starts_on, stops_on), level_id))
                if response:
                    conn.execute("UPDATE allocations SET response = ?, response_on = ? WHERE id = ?",
                                 (response, stops_on, allocated[-1][0]))
            uses: list[tuple[int, int, int | None, int]] = []
            for kind, level, part, size, on, on_allocation in entries:
                level_id = level % len(levels) + 1
                parts = [a for a, of in allocated if of == level_id]
                allocation_id = parts[part % len(parts)] if on_allocation and parts else None
                if kind == "void":
                    if not uses:
                        continue
                    use_id, use_level, use_part, taken = uses.pop(part % len(uses))
                    entry(conn, "void", use_level, -taken, on, use_part, voids_id=use_id)
                    continue
                quantity = -abs(size) or -1 if kind in ("use", "expire") else size or 1
                added = entry(conn, kind, level_id, quantity, on, allocation_id)
                if kind == "use":
                    uses.append((added, level_id, allocation_id, quantity))
        store = Store(connect(path))
        try:
            every_level = [(level, part, lowest, day) for level, part, lowest, day
                           in store.conn.execute(overdrawn_sql())]
            found = store.checks.overdrawn()
            suspects = len(store.conn.execute(overdraw_suspects_sql()).fetchall())
        finally:
            store.conn.close()
    event(f"overdrawn holders: {min(len(found), 2)}, levels looked at closely: {min(suspects, 2)}"
          f" of {min(len(levels), 2)}")
    assert found == [
        (f"allocation {part} of level {level}" if part else f"level {level}")
        + f" goes down to {lowest} on {day}" for level, part, lowest, day in every_level]
