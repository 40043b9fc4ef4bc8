"""Event registrations as use cases (``services/events.py``): a registration and the use it
records are one transaction, as are a cancellation and its voids; cancelling gives back,
on every day, what the registration took, even weeks before the event; racing
registrations never draw a ticket twice. The world is ``events_world`` (tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import snapshot

from benefit_cli.db.connection import connect
from benefit_cli.db.store import Store
from benefit_cli.domain.consumption import available
from benefit_cli.domain.errors import Invalid
from benefit_cli.services.balances import usable_by
from benefit_cli.services.events import add_regtype, cancel_registration, register

D = dt.date.fromisoformat
TODAY = D("2026-05-01")
DAYS = [TODAY + dt.timedelta(days=n) for n in range(0, 120, 3)]


@pytest.fixture
def store(events_world: Path) -> Iterator[Store]:
    opened = Store(connect(events_world))
    yield opened
    opened.conn.close()


def left_on(store: Store, contact: str, type_code: str, day: dt.date) -> int:
    """What a use by ``contact`` on ``day`` may draw of the type."""
    who, benefit_type = store.contacts.get(contact), store.catalog.type(type_code)
    return available(usable_by(store, who.id, benefit_type.id), day)


def test_a_registration_and_its_use_are_written_together_or_not_at_all(store: Store,
                                                                       events_world: Path) -> None:
    before = snapshot(events_world)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        event = tx.events.event("GALA")
        done = register(tx, event, tx.contacts.get("A1"), tx.events.regtype(event, "Pair"))
        assert done.used is not None and len(done.used.entry_ids) == 2  # written, inside
        raise RuntimeError("the command stops here")
    assert snapshot(events_world) == before
    with store.transaction(rehearse=True) as tx:
        event = tx.events.event("GALA")
        assert register(tx, event, tx.contacts.get("A1"), tx.events.regtype(event, "Member")).used
    assert snapshot(events_world) == before


def figures_by_day(store: Store, level_ids: list[int]) -> dict[dt.date, list[tuple[int, int, int]]]:
    """(level, used, remaining) of the levels' own parts as of each of ``DAYS``."""
    return {day: [(f.level_id, f.used, f.remaining) for f in store.balances.figures_of_levels(level_ids, day)]
            for day in DAYS}


def test_cancelling_gives_back_on_every_day_what_the_registration_took(store: Store) -> None:
    """Weeks before the event, a void dated today would count before the use it reverses:
    the balance would show more than was ever granted until the event's day."""
    before = figures_by_day(store, [3, 5])
    assert set(map(tuple, before.values())) == {((3, 0, 1), (5, 0, 1))}
    with store.transaction() as tx:
        event = tx.events.event("GALA")
        done = register(tx, event, tx.contacts.get("A1"), tx.events.regtype(event, "Pair"))
    assert done.used is not None
    assert figures_by_day(store, [3, 5]) == {
        day: [(3, 1, 0), (5, 1, 0)] if day >= event.held_on else [(3, 0, 1), (5, 0, 1)] for day in DAYS}
    with store.transaction() as tx:
        cancelled = cancel_registration(tx, done.registration.id, TODAY)
    assert figures_by_day(store, [3, 5]) == before
    assert sorted(v.entry_id for v in cancelled.voided) == sorted(done.used.entry_ids)
    voids = [store.ledger.get(v.void_id) for v in cancelled.voided]
    assert {(v.entry_on, v.ref, v.kind) for v in voids} == {("2026-06-01", done.registration.ref, "void")}
    assert cancelled.registration.cancelled_on == TODAY


def test_a_registration_cancelled_after_its_event_is_voided_that_day(store: Store) -> None:
    with store.transaction() as tx:
        event = tx.events.event("GALA")
        done = register(tx, event, tx.contacts.get("B1"), tx.events.regtype(event, "Member"))
    later = D("2026-06-10")
    with store.transaction() as tx:
        cancelled = cancel_registration(tx, done.registration.id, later)
    [void] = cancelled.voided
    assert store.ledger.get(void.void_id).entry_on == later.isoformat()
    assert cancelled.registration.cancelled_on == later


def test_with_too_little_left_nothing_is_drawn(store: Store, events_world: Path) -> None:
    entries = snapshot(events_world)["entries"]
    with store.transaction() as tx:
        event = tx.events.event("GALA")
        done = register(tx, event, tx.contacts.get("P2"), tx.events.regtype(event, "Member"))
    assert (done.used, done.left) == (None, 0)
    assert (done.registration.covered, done.registration.entry_id) == (False, None)
    assert snapshot(events_world)["entries"] == entries


def test_a_registration_type_of_another_event_is_refused(store: Store) -> None:
    with pytest.raises(Invalid) as raised, store.transaction() as tx:
        talk = tx.events.regtype(tx.events.event("TALK"), "Member")
        register(tx, tx.events.event("GALA"), tx.contacts.get("A1"), talk)
    assert raised.value.message == 'Registration type "Member" is not one of event GALA.'


def test_a_registration_type_names_both_a_benefit_and_a_quantity_or_neither(store: Store) -> None:
    with pytest.raises(Invalid), store.transaction() as tx:
        add_regtype(tx, tx.events.event("GALA"), "Half", tx.catalog.type("TICKET"), None)
    with pytest.raises(Invalid), store.transaction() as tx:
        add_regtype(tx, tx.events.event("GALA"), "Half", None, 1)


# Registers B1 for GALA ``attempts`` times, each in its own transaction, once told to go.
RACER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from benefit_cli.db.connection import connect
    from benefit_cli.db.store import Store
    from benefit_cli.services.events import register

    db, go, ready, attempts = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    store = Store(connect(db))
    ready.touch()
    deadline = time.monotonic() + 30
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("never started")
        time.sleep(0.001)
    covered = []
    for _ in range(attempts):
        with store.transaction() as tx:
            event = tx.events.event("GALA")
            done = register(tx, event, tx.contacts.get("B1"), tx.events.regtype(event, "Member"))
        covered.append(done.registration.covered)
    print(json.dumps(covered))
    """
)


def test_racing_registrations_never_draw_a_ticket_twice(events_world: Path, tmp_path: Path) -> None:
    """Four processes register Acme three times each; it holds four tickets."""
    go = tmp_path / "go"
    racers = []
    for n in range(4):
        ready = tmp_path / f"ready-{n}"
        racers.append((ready, subprocess.Popen(
            [sys.executable, "-c", RACER, str(events_world), str(go), str(ready), "3"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for ready, racer in racers:
        for _ in range(3000):
            if ready.exists() or racer.poll() is not None:
                break
            time.sleep(0.01)
    go.touch()
    covered = []
    for _, racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err
        covered += json.loads(out)
    assert sorted(covered) == [False] * 8 + [True] * 4
    store = Store(connect(events_world))
    try:
        rows = store.events.registration_rows(store.events.event("GALA").id)
        assert sum(row.covered for row in rows) == 4 and len(rows) == 12
        assert left_on(store, "B1", "TICKET", D("2026-06-01")) == 0
    finally:
        store.conn.close()


def test_a_void_of_any_use_booked_ahead_is_dated_on_the_use_day(store: Store) -> None:
    """The rule a cancellation relies on is the ledger's, for ``usage void`` too."""
    from benefit_cli.services.ledger import record_use, void

    with store.transaction() as tx:
        used = record_use(tx, tx.contacts.get("B1"), tx.catalog.type("TICKET"), 1, D("2026-09-01"))
        [entry_id] = used.entry_ids
        voided = void(tx, entry_id, "Booked for the wrong day", TODAY)
    assert store.ledger.get(voided.void_id).entry_on == "2026-09-01"
    assert [(f.used, f.remaining) for f in store.balances.figures_of_levels([1], TODAY)] == [(0, 4)]
