"""An expiry run's result depends on nothing but the ledger and the date: not on how the
work is cut into batches, nor on whether cron ran every night or once after a long gap.
And it finds its work through indexes, so a night with nothing due reads next to nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from benefit_cli.db.balances import FIRST, PAST_THEIR_LAST_DAY
from benefit_cli.db.connection import connect
from benefit_cli.db.memberships import DUE_MEMBERSHIPS
from benefit_cli.db.store import Store
from benefit_cli.services import allocations, catalog, contacts, ledger, memberships, runs

D = dt.date.fromisoformat
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve members of a monthly plan whose unused minutes half roll over (at most 100),
    starting in different months; some use, one allocates, one cancels mid-year."""
    path = tmp_path_factory.mktemp("cadence") / "template.db"
    store = Store(connect(path, create=True))
    with store.transaction() as tx:
        room = catalog.add_type(tx, "ROOM", "Room", "minutes", "rooms")
        plan = catalog.add_plan(tx, "P", "Plan", 12)
        catalog.add_rule(tx, plan, tx.catalog.type("ROOM"), 300, "month", D("2025-01-01"),
                         rollover_percent=50, rollover_max=100)  # fmt: skip
        for n in range(12):
            contacts.add_contact(tx, f"Member {n}", f"M{n:02d}")
            start = D(f"2026-{n + 1:02d}-{1 + n:02d}")
            memberships.add_membership(tx, tx.contacts.get(f"M{n:02d}"), plan, start)
        contacts.add_contact(tx, "Guest", "G")
    with store.transaction() as tx:
        for n in range(0, 12, 3):
            ledger.record_use(tx, tx.contacts.get(f"M{n:02d}"), tx.catalog.type("ROOM"), 50 + 10 * n,
                              D(f"2026-{n + 1:02d}-20"))  # fmt: skip
        first = tx.memberships.levels_of_membership(2)[0]
        allocations.allocate(tx, first, tx.contacts.get("G"), 40, first.starts_on, None)
        memberships.cancel_membership(tx, tx.memberships.get(5), D("2026-09-15"))
    assert room is not None
    store.conn.close()
    return path


def closings(store: Store) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in store.conn.execute(
            "SELECT kind, level_id, allocation_id, contact_id, entry_on, quantity FROM entries"
            " WHERE kind IN ('expire', 'rollover')"
            " ORDER BY kind, level_id, coalesce(allocation_id, 0), quantity"
        )
    ]


def copy(template: Path, folder: Path, name: str) -> Store:
    shutil.copyfile(template, folder / name)
    return Store(connect(folder / name))


def test_batches_of_one_level_write_what_one_batch_writes(template, tmp_path, monkeypatch):
    whole = copy(template, tmp_path, "whole.db")
    runs.run(whole, renewing=False, expiring=True, as_of=D("2027-06-01"))
    expected = closings(whole)
    assert len(expected) > 100 and any(kind == "rollover" for kind, *_ in expected)
    monkeypatch.setattr(runs, "EXPIRE_BATCH", 1)
    one_by_one = copy(template, tmp_path, "one-by-one.db")
    report = runs.run(one_by_one, renewing=False, expiring=True, as_of=D("2027-06-01"))
    assert closings(one_by_one) == expected
    assert report.expired + report.rolled_over > 0


def test_running_every_night_writes_what_one_late_run_writes(template, tmp_path):
    late = copy(template, tmp_path, "late.db")
    runs.run(late, renewing=True, expiring=True, as_of=D("2027-06-01"))
    nightly = copy(template, tmp_path, "nightly.db")
    day = D("2026-01-01")
    while day <= D("2027-06-01"):
        runs.run(nightly, renewing=True, expiring=True, as_of=day)
        day += DAY
    assert closings(nightly) == closings(late)
    # and whatever the cadence, every level past its last day has its end recorded
    assert nightly.balances.past_their_last_day(D("2027-06-01"), FIRST, 10_000).ids == []


def test_finding_the_work_reads_through_the_indexes_on_what_is_due(template, tmp_path):
    store = copy(template, tmp_path, "plans.db")
    params = {"as_of": "2027-06-01", "on": "", "id": 0, "n": 10, "until": "2027-06-01", "batch": 10}
    for query in PAST_THEIR_LAST_DAY:
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}", params))
        assert "USING INDEX levels_open" in plan, plan
    plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {DUE_MEMBERSHIPS}", params))
    assert "USING INDEX memberships_due" in plan and "SCAN memberships" not in plan, plan
