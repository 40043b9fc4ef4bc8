"""Random allocation lives against a reference model (SPEC §1 "Splitting", "An allocation's
life", "Cards"; issue 12).

The machine allocates parts of an owner's levels (guest passes, and cards of one exclusive
group), answers, delivers and ends them (on past, today's and future days), replaces cards,
records uses on any day and voids them today. The model keeps every allocation's dates and
answer and every entry drawn on it; it decides on its own which answers, deliveries, ends
and card replacements must be refused, and how much room a level has for a new allocation,
day by day. After every step:

- the records are the model's, and a refused step changed nothing;
- on every day, the allocations in force on a level hold no more than its quantity, even
  counting what ended ones used (invariant 1), and ``db check`` finds nothing;
- ``balance``, ``allocation list`` and ``report balances`` agree on every probe day;
- an allocation is usable exactly on the days its status says: current in the balances, and
  drawable, exactly when it is offered or accepted that day and has started.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from benefit_cli.db.connection import connect
from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import BenefitError
from benefit_cli.reports.balance import balance_rows
from benefit_cli.reports.lists import allocation_rows
from benefit_cli.reports.reports import balances as report_balances
from benefit_cli.services import allocations, ledger
from benefit_cli.services.balances import usable_by
from benefit_cli.services.catalog import add_type
from benefit_cli.services.checks import run_checks
from benefit_cli.services.contacts import add_contact

D = dt.date.fromisoformat
ONE = dt.timedelta(days=1)
TODAY = D("2026-06-15")
DAYS = [D(d) for d in ("2026-01-01", "2026-02-15", "2026-04-01", "2026-05-20", "2026-06-15",
                       "2026-07-01", "2026-09-30", "2026-12-31")]
PAST, FUTURE = [d for d in DAYS if d < TODAY], [d for d in DAYS if d > TODAY]
PROBES = [D(d) for d in ("2026-01-01", "2026-04-01", "2026-06-15", "2026-07-01", "2026-12-31")]
CONTACTS = ("O", "A", "B")
TYPES = {"PASS": None, "MEMBERCARD": "CARD", "GOLDCARD": "CARD"}  # code: exclusive group
# The owner's levels: (type, quantity, starts, expires).
LEVELS = [("PASS", 6, "2026-01-01", "2026-12-31"), ("PASS", 4, "2026-03-01", "2026-08-31"),
          ("MEMBERCARD", 2, "2026-01-01", "2026-12-31"), ("GOLDCARD", 1, "2026-01-01", "2026-12-31")]
TABLES = ("allocations", "entries")


@dataclass
class MLevel:
    id: int
    type: str
    quantity: int
    starts_on: dt.date
    last_day: dt.date


@dataclass
class MEntry:
    id: int
    level: MLevel
    allocation: MAllocation | None
    day: dt.date
    quantity: int  # taken, positive
    void_day: dt.date | None = None


@dataclass
class MAllocation:
    id: int
    level: MLevel
    contact: str
    number: int
    starts_on: dt.date
    stops_on: dt.date
    response: str | None = None
    response_on: dt.date | None = None
    delivered_on: dt.date | None = None
    ended: bool = False
    entries: list[MEntry] = field(default_factory=list)

    @property
    def declined(self) -> bool:
        return self.response == "declined"

    @property
    def last_day(self) -> dt.date:
        if self.declined and self.response_on is not None:
            return min(self.stops_on, self.response_on - ONE)
        return self.stops_on

    @property
    def took_effect(self) -> bool:
        return self.starts_on <= self.last_day

    def status_on(self, day: dt.date) -> str:
        """SPEC "An allocation's life", read as of a day."""
        if self.declined and self.response_on is not None and self.response_on <= day:
            return "declined"
        if day > self.last_day:
            return "ended" if self.ended else "expired"
        answered = self.response_on is not None and self.response_on <= day
        return "accepted" if self.response == "accepted" and answered else "offered"

    def used(self) -> int:
        """Uses not voided (a voided use and its void change nothing for consumption)."""
        return sum(e.quantity for e in self.entries if e.void_day is None)

    def outside(self, last: dt.date) -> bool:
        """Whether a last day of ``last`` would leave an entry outside its life: a use after
        it (unless voided after it too), or the void of a use inside it dated after the day
        after, when what is left goes back to the owner."""
        for e in self.entries:
            if e.day > last and (e.void_day is None or e.void_day <= last):
                return True
            if e.day <= last and e.void_day is not None and e.void_day > last + ONE:
                return True
        return False


@dataclass
class Model:
    levels: dict[int, MLevel] = field(default_factory=dict)
    allocations: dict[int, MAllocation] = field(default_factory=dict)
    entries: dict[int, MEntry] = field(default_factory=dict)

    def of_level(self, level: MLevel) -> list[MAllocation]:
        return [a for a in self.allocations.values() if a.level.id == level.id and a.took_effect]

    def held(self, level: MLevel, day: dt.date, leave_out: int | None = None) -> int:
        """What the level's allocations hold on ``day``: each in force its number, each
        over before it what it used."""
        return sum(a.number if a.starts_on <= day <= a.last_day else (a.used() if a.last_day < day else 0)
                   for a in self.of_level(level) if a.id != leave_out)

    def own_on(self, level: MLevel, day: dt.date) -> int:
        """The owner's part at the end of ``day``, as consumption counts it."""
        held = level.quantity
        for a in self.of_level(level):
            if a.starts_on <= day:
                held -= a.number
            if a.last_day < level.last_day and a.last_day < day:
                held += max(0, a.number - a.used())
        own_uses = [e for e in self.entries.values() if e.level.id == level.id and e.allocation is None]
        return held - sum(e.quantity for e in own_uses if e.void_day is None and e.day <= day)

    def room(self, level: MLevel, start: dt.date, stop: dt.date) -> int:
        """What a new allocation from ``start`` to ``stop`` may take (invariant 1, and the
        owner's part never below zero on any later day)."""
        busy = {start} | {a.starts_on for a in self.of_level(level) if start < a.starts_on <= stop}
        fixed = level.quantity - max(self.held(level, day) for day in busy)
        days = [start + ONE * n for n in range((level.last_day - start).days + 1)]
        own = min(self.own_on(level, day) for day in days)
        return max(0, min(own, fixed))


def tally(what: str) -> None:
    if currently_in_test_context():
        event(what)


PICK = st.integers(min_value=0, max_value=10_000)
DAY = st.sampled_from(DAYS)


class AllocationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="allocation-stateful-"))
        self.conn = connect(self.dir / "benefits.db", create=True)
        self.store = Store(self.conn)
        self.model = Model()
        with self.store.transaction() as tx:
            for ref in CONTACTS:
                add_contact(tx, f"Person {ref}", ref)
            for code, group in TYPES.items():
                add_type(tx, code, code.title(), "count", "perks", kind="card" if group else "standard",
                         group=group)
            for code, quantity, starts, expires in LEVELS:
                level = allocations.add_level(tx, tx.contacts.get("O"), tx.catalog.type(code), quantity,
                                              D(starts), D(expires))
                self.model.levels[level.id] = MLevel(level.id, code, quantity, D(starts), D(expires))

    def teardown(self) -> None:
        self.conn.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {t: [tuple(r) for r in self.conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in TABLES}

    def refused(self, call: Any, *args: Any) -> BenefitError:
        before = self.snapshot()
        try:
            call(*args)
        except BenefitError as error:
            assert self.snapshot() == before, f"a refused {call.__name__} changed the database"
            assert not self.conn.in_transaction
            tally(f"{call.__name__}: refused")
            return error
        raise AssertionError(f"{call.__name__}{args[1:]} should have been refused")

    def pick(self, items: dict[int, Any], index: int) -> Any:
        ordered = sorted(items)
        return items[ordered[index % len(ordered)]]

    def allocate_(self, store: Store, level_id: int, contact: str, number: int, start: dt.date | None,
                  stop: dt.date | None) -> Any:
        with store.transaction() as tx:
            return allocations.allocate(tx, tx.memberships.level(level_id), tx.contacts.get(contact), number,
                                        start, stop)

    def respond_(self, store: Store, allocation_id: int, action: str, on: dt.date) -> Any:
        with store.transaction() as tx:
            return allocations.respond(tx, tx.allocations.get(allocation_id), action, on, TODAY)

    def use_(self, store: Store, contact: str, type_: str, quantity: int, on: dt.date) -> Any:
        with store.transaction() as tx:
            return ledger.record_use(tx, tx.contacts.get(contact), tx.catalog.type(type_), quantity, on)

    def void_(self, store: Store, entry_id: int) -> Any:
        with store.transaction() as tx:
            return ledger.void(tx, entry_id, "mistake", TODAY)

    # -- rules -----------------------------------------------------------------------------------

    @rule(index=PICK, contact=st.sampled_from(CONTACTS), number=st.integers(1, 3),
          start=st.none() | DAY, stop=st.none() | DAY)
    def allocate(self, index: int, contact: str, number: int, start: dt.date | None,
                 stop: dt.date | None) -> None:
        level = self.pick(self.model.levels, index)
        starts, stops = start or level.starts_on, stop or level.last_day
        if starts < level.starts_on or stops > level.last_day or stops < starts:
            self.refused(self.allocate_, self.store, level.id, contact, number, start, stop)
            return
        stopping: list[tuple[MAllocation, dt.date]] = []
        if TYPES[level.type]:
            cards = [a for a in self.model.allocations.values()
                     if a.contact == contact and TYPES[a.level.type] == TYPES[level.type]
                     and a.took_effect and a.last_day >= starts]
            if any(a.starts_on >= starts for a in cards) or any(a.outside(starts - ONE) for a in cards):
                self.refused(self.allocate_, self.store, level.id, contact, number, start, stop)
                return
            stopping = [(a, starts - ONE) for a in cards]
        # The room is counted once the cards it replaces have stopped (they may give back here).
        saved = [(a, a.stops_on, a.ended) for a, _ in stopping]
        for a, day in stopping:
            a.stops_on, a.ended = day, True
        if number > self.model.room(level, starts, stops):
            for a, stops_on, ended in saved:
                a.stops_on, a.ended = stops_on, ended
            error = self.refused(self.allocate_, self.store, level.id, contact, number, start, stop)
            assert error.message.startswith(f"Cannot allocate {number} of {level.type}")
            return
        done = self.allocate_(self.store, level.id, contact, number, start, stop)
        tally("allocate: done" + (", replacing a card" if stopping else ""))
        assert [a.id for a in done.stopped] == [a.id for a, _ in stopping]
        self.model.allocations[done.allocation.id] = MAllocation(done.allocation.id, level, contact, number,
                                                                 starts, stops)

    @precondition(lambda self: self.model.allocations)
    @rule(index=PICK, action=st.sampled_from(["accept", "decline", "deliver"]), on=DAY)
    def answer(self, index: int, action: str, on: dt.date) -> None:
        a = self.pick(self.model.allocations, index)
        if action == "deliver":
            wrong = on > TODAY or a.delivered_on is not None or a.declined or on < a.starts_on
        else:
            wrong = on > TODAY or a.response is not None or on > a.stops_on or (
                action == "decline" and (a.used() > 0 or a.outside(on - ONE)))
        if wrong:
            self.refused(self.respond_, self.store, a.id, action, on)
            return
        self.respond_(self.store, a.id, action, on)
        tally(f"{action}: done")
        if action == "deliver":
            a.delivered_on = on
        else:
            a.response, a.response_on = f"{action}d" if action == "decline" else "accepted", on

    @precondition(lambda self: self.model.allocations)
    @rule(index=PICK, when=st.sampled_from(["past", "today", "future"]), pick=PICK)
    def end(self, index: int, when: str, pick: int) -> None:
        a = self.pick(self.model.allocations, index)
        choices = {"past": PAST, "today": [TODAY], "future": FUTURE}[when]
        on = choices[pick % len(choices)]
        if (a.declined or on < a.starts_on or on > a.stops_on or (on == a.stops_on and a.ended)
                or a.outside(on)):
            self.refused(self.respond_, self.store, a.id, "end", on)
            return
        done = self.respond_(self.store, a.id, "end", on)
        tally(f"end ({when}): done")
        assert done.stops_on == on and not done.active
        a.stops_on, a.ended = on, True

    @rule(contact=st.sampled_from(CONTACTS), type_=st.sampled_from(sorted(TYPES)), quantity=st.integers(1, 2),
          on=DAY)
    def use(self, contact: str, type_: str, quantity: int, on: dt.date) -> None:
        before = self.snapshot()
        try:
            used = self.use_(self.store, contact, type_, quantity, on)
        except BenefitError:
            assert self.snapshot() == before
            tally("use: refused")
            return
        tally("use: done")
        for draw, entry_id in zip(used.draws, used.entry_ids, strict=True):
            balance = draw.balance
            assert balance.valid_on(on), f"drew from {balance.label}, not valid on {on}"
            level = self.model.levels[balance.level_id]
            allocation = self.model.allocations.get(balance.allocation_id) if balance.allocation_id else None
            if allocation is not None:
                assert allocation.contact == contact
                assert allocation.status_on(on) in ("offered", "accepted")
            entry = MEntry(entry_id, level, allocation, on, draw.quantity)
            self.model.entries[entry_id] = entry
            if allocation is not None:
                allocation.entries.append(entry)

    @precondition(lambda self: self.model.entries)
    @rule(index=PICK)
    def void(self, index: int) -> None:
        entry = self.pick(self.model.entries, index)
        holder_last = entry.allocation.last_day if entry.allocation else entry.level.last_day
        if entry.void_day is not None or holder_last < TODAY:
            self.refused(self.void_, self.store, entry.id)
            return
        done = self.void_(self.store, entry.id)
        tally("void: done")
        starts = entry.allocation.starts_on if entry.allocation else entry.level.starts_on
        entry.void_day = max(TODAY, starts, entry.day)  # a use booked ahead is voided on its day
        assert done.allocation_id == (entry.allocation.id if entry.allocation else None)
        dated = self.conn.execute("SELECT entry_on FROM entries WHERE id = ?", (done.void_id,)).fetchone()[0]
        assert dated == entry.void_day.isoformat(), "the model dates the void as the ledger does"

    # -- invariants -----------------------------------------------------------------------------

    @invariant()
    def records_are_the_models(self) -> None:
        found = {a.id: a for a in self.store.allocations.find()}
        assert sorted(found) == sorted(self.model.allocations)
        for a in self.model.allocations.values():
            r = found[a.id]
            assert (r.starts_on, r.stops_on, r.response, r.response_on, r.delivered_on) == (
                a.starts_on, a.stops_on, a.response, a.response_on, a.delivered_on)
            assert (r.ended_on is not None) == a.ended
            assert r.active == (not a.declined and not a.ended)

    @invariant()
    def allocations_never_hold_more_than_their_level_on_any_day(self) -> None:
        for level in self.model.levels.values():
            starts = {level.starts_on} | {a.starts_on for a in self.model.of_level(level)} | {
                a.last_day + ONE for a in self.model.of_level(level)}
            for day in starts:
                if day <= level.last_day:
                    assert self.model.held(level, day) <= level.quantity, (level.id, day)
                    assert self.model.own_on(level, day) >= 0, (level.id, day)
        assert run_checks(self.store) == []

    @invariant()
    def balance_allocation_list_and_report_balances_agree(self) -> None:
        for day in PROBES:
            listed = {row["id"]: row for row in as_dicts(allocation_rows(
                self.store, self.store.allocations.find(), day))}
            reported = as_dicts(report_balances(self.store, Filters(date_to=day), day))
            for contact in CONTACTS:
                totals = as_dicts(balance_rows(self.store, contact, day))
                mine = [{k: r[k] for k in totals[0]} for r in reported if r["contact_ref"] == contact] \
                    if totals else [r for r in reported if r["contact_ref"] == contact]
                assert totals == mine, (contact, day)
                for row in as_dicts(balance_rows(self.store, contact, day, every=True)):
                    if row["allocation_id"] is not None:
                        shown = listed[row["allocation_id"]]
                        assert (shown["used"], shown["remaining"]) == (row["used"], row["remaining"])
            for a in self.model.allocations.values():
                assert listed[a.id]["status"] == a.status_on(day), (a.id, day)
                assert listed[a.id]["stops_on"] == a.stops_on

    @invariant()
    def an_allocation_is_usable_exactly_when_its_status_says(self) -> None:
        holders = {}
        for contact in CONTACTS:
            contact_id = self.store.contacts.get(contact).id
            for code in TYPES:
                for h in usable_by(self.store, contact_id, self.store.catalog.type(code).id):
                    if h.allocation_id is not None:
                        holders[h.allocation_id] = h
        for day in PROBES:
            figures = {f.allocation_id: f for f in self.store.balances.figures(day) if f.allocation_id}
            for a in self.model.allocations.values():
                usable = a.status_on(day) in ("offered", "accepted") and a.starts_on <= day
                current = a.id in figures and figures[a.id].status == "current"
                assert current == usable, (a.id, day, a.status_on(day))
                assert (a.id in holders and holders[a.id].valid_on(day)) == usable, (a.id, day)


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(zip(rows.columns, values, strict=True)) for values in rows.values()]


AllocationMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestAllocationStateful = AllocationMachine.TestCase
