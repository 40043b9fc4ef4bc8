"""A fulfilment with nothing new to deliver looks at no issue, and one after a member was
entered looks only at the levels created since: a nightly run stays cheap however many
issues and members there have been."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from benefit_cli.db.connection import connect
from benefit_cli.db.store import Store
from benefit_cli.db.subscriptions import HANDLED_ISSUES, NEW_ISSUES
from benefit_cli.services import catalog, contacts, memberships
from benefit_cli.services.subscriptions import fulfil

D = dt.date.fromisoformat


def world(path: Path) -> Store:
    store = Store(connect(path, create=True))
    with store.transaction() as tx:
        catalog.add_type(tx, "MAG", "Magazine", "count", "pubs", kind="subscription",
                         schedule="FREQ=MONTHLY;BYMONTHDAY=1")  # fmt: skip
        catalog.add_type(tx, "ROOM", "Room", "minutes", "rooms")
        plan = catalog.add_plan(tx, "P", "Plan", 12)
        catalog.add_rule(tx, plan, tx.catalog.type("MAG"), 1, "term", D("2020-01-01"))
        catalog.add_rule(tx, plan, tx.catalog.type("ROOM"), 60, "month", D("2020-01-01"))
        for n in range(20):
            contacts.add_contact(tx, f"Member {n}", f"M{n:02d}")
            memberships.add_membership(tx, tx.contacts.get(f"M{n:02d}"), plan, D("2025-01-01"))
    return store


def test_a_run_with_nothing_new_looks_at_no_issue_and_one_after_a_new_member_only_at_their_levels(tmp_path):
    store = world(tmp_path / "mag.db")
    today = D("2025-12-15")
    with store.transaction() as tx:
        first = fulfil(tx, tx.catalog.type("MAG"), today, today)
    assert len(first.issues) == 12 and len(first.delivered) == 20 * 12
    with store.transaction() as tx:
        again = fulfil(tx, tx.catalog.type("MAG"), today, today)
    assert again.issues == () and again.delivered == []
    with store.transaction() as tx:  # entered late: owed the past issues
        contacts.add_contact(tx, "Late", "LATE")
        memberships.add_membership(tx, tx.contacts.get("LATE"), tx.catalog.plan("P"), D("2025-06-10"))
    with store.transaction() as tx:
        late = fulfil(tx, tx.catalog.type("MAG"), today, today)
    assert [row[0] for row in late.delivered] == ["LATE"] * 6  # July to December (contact_ref first)


def test_a_past_issue_is_read_from_the_last_level_it_saw_and_a_new_one_through_type_and_start(tmp_path):
    store = world(tmp_path / "plan.db")

    def plan(query: str, issues: str) -> str:
        params = {"issues": issues, "type_id": 1, "today": "2025-12-15", "at": "", "by": ""}
        return " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {query}", params))

    handled = plan(HANDLED_ISSUES, '[["2025-03-01", 40]]')
    assert "SEARCH l USING INTEGER PRIMARY KEY (rowid>?)" in handled, handled
    new = plan(NEW_ISSUES, '[["2025-03-01", 0]]')
    assert "SEARCH l USING INDEX levels_type_start (type_id=? AND starts_on<?)" in new, new
