"""Random sequences of grant / allocate / use / void / adjust / end against a reference model.

The model tracks, per level, its own part (granted, net used, adjustments) and, per
allocation, its number and net use; it decides on its own which operations must be refused
and in which order a use draws. After every step every balance the product reports must
equal the model's, nothing is below zero, allocations fit in their levels, and ``db check``
finds nothing. A refused operation must leave every table exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import currently_in_test_context, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from benefit_cli.db.connection import connect
from benefit_cli.db.store import Store
from benefit_cli.domain.consumption import available as available_of
from benefit_cli.domain.errors import BenefitError, NotFound
from benefit_cli.domain.units import amount, show_amount
from benefit_cli.reports.balance import balance_rows
from benefit_cli.services import allocations, ledger
from benefit_cli.services.balances import usable_by
from benefit_cli.services.catalog import add_type
from benefit_cli.services.checks import run_checks
from benefit_cli.services.contacts import add_contact

# The use cases as the commands call them: each in a transaction of its own, with the
# contact, type, level or allocation looked up inside it.


def grant(store: Store, contact: str, type_: str, quantity: int, start: dt.date, expires: dt.date,
          priority: int) -> Any:
    with store.transaction() as tx:
        return allocations.add_level(tx, tx.contacts.get(contact), tx.catalog.type(type_), quantity,
                                     start, expires, priority)


def allocate(store: Store, level_id: int, contact: str, number: int) -> Any:
    with store.transaction() as tx:
        return allocations.allocate(tx, tx.memberships.level(level_id), tx.contacts.get(contact), number)


def end(store: Store, allocation_id: int, on: dt.date) -> Any:
    with store.transaction() as tx:
        return allocations.respond(tx, tx.allocations.get(allocation_id), "end", on)


def use(store: Store, contact: str, type_: str, wanted: int, on: dt.date) -> Any:
    with store.transaction() as tx:
        return ledger.record_use(tx, tx.contacts.get(contact), tx.catalog.type(type_), wanted, on)


def void(store: Store, entry_id: int, reason: str, on: dt.date) -> Any:
    with store.transaction() as tx:
        return ledger.void(tx, entry_id, reason, on)


def adjust(store: Store, contact: str, type_: str, by: int, reason: str, on: dt.date,
           level_id: int | None = None) -> Any:
    with store.transaction() as tx:
        return ledger.adjust(tx, tx.contacts.get(contact), tx.catalog.type(type_), by, reason, on, level_id)

ON = dt.date(2026, 6, 1)  # every use, adjust and void happens on this day
STARTS = (dt.date(2026, 1, 1), dt.date(2026, 5, 1))
EXPIRES = (dt.date(2026, 6, 30), dt.date(2026, 12, 31))
CONTACTS = ("A", "B", "C")
UNITS = {"PASS": "count", "CREDIT": "money"}
TABLES = ("levels", "allocations", "entries", "delegates")


@dataclass
class MLevel:
    id: int
    contact: str
    type: str
    quantity: int
    priority: int
    starts_on: dt.date
    expires_on: dt.date
    own_change: int = 0  # signed sum of entries on the own part
    own_used: int = 0  # uses less voids on the own part


@dataclass
class MAllocation:
    id: int
    level: MLevel
    contact: str
    number: int
    active: bool = True
    change: int = 0
    used: int = 0

    @property
    def remaining(self) -> int:
        """Ended on ON, it is still usable through that day: what it does not use goes back
        to the owner only the day after, which this model never reaches."""
        return self.number + self.change

    @property
    def held(self) -> int:
        return self.number


@dataclass
class MEntry:
    id: int
    kind: str
    level: MLevel
    allocation: MAllocation | None
    quantity: int  # signed, as stored
    voided: bool = False


@dataclass
class Model:
    levels: dict[int, MLevel] = field(default_factory=dict)
    allocations: dict[int, MAllocation] = field(default_factory=dict)
    entries: dict[int, MEntry] = field(default_factory=dict)

    def allocations_of(self, level: MLevel) -> list[MAllocation]:
        return [a for a in self.allocations.values() if a.level.id == level.id]

    def held_out(self, level: MLevel) -> int:
        """What its allocations hold on ON: each its whole number, ended ones included."""
        return sum(a.number for a in self.allocations_of(level))

    def own_remaining(self, level: MLevel) -> int:
        return level.quantity + level.own_change - self.held_out(level)

    def unallocated(self, level: MLevel) -> int:
        fixed = level.quantity - self.held_out(level)
        return max(0, min(self.own_remaining(level), fixed))

    def allocated_out(self, level: MLevel) -> int:
        return sum(a.number for a in self.allocations_of(level) if a.contact != level.contact)

    def balances(self, contact: str, type_: str) -> list[tuple[tuple[Any, ...], Any, int]]:
        """(draw order key, level or allocation, remaining), in consumption order."""
        found: list[tuple[tuple[Any, ...], Any, int]] = []
        for level in self.levels.values():
            if level.contact == contact and level.type == type_:
                key = (level.priority, level.expires_on, level.starts_on, level.id, 0)
                found.append((key, level, self.own_remaining(level)))
        for allocation in self.allocations.values():
            level = allocation.level
            if allocation.contact == contact and level.type == type_:
                stops = level.expires_on if allocation.active else min(ON, level.expires_on)
                key = (level.priority, stops, level.starts_on, level.id, allocation.id)
                found.append((key, allocation, allocation.remaining))
        return sorted(found, key=lambda item: item[0])

    def available(self, contact: str, type_: str) -> int:
        return sum(remaining for _, _, remaining in self.balances(contact, type_))


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(zip(rows.columns, values, strict=True)) for values in rows.values()]


def tally(what: str) -> None:
    """Count an outcome for ``--hypothesis-show-statistics`` (a no-op outside hypothesis)."""
    if currently_in_test_context():
        event(what)


def quantity_of(type_: str, n: int, cents: int) -> int:
    """A count of ``n``, or an amount of money just under ``n`` (exact to the cent)."""
    return n if UNITS[type_] == "count" else n * 100 - cents


QUANTITY = st.integers(min_value=1, max_value=6)
CENTS = st.sampled_from([0, 1, 10, 55, 99])
PICK = st.integers(min_value=0, max_value=10_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="ledger-stateful-"))
        self.conn = connect(self.dir / "benefits.db", create=True)
        self.store = Store(self.conn)
        with self.store.transaction() as tx:
            for ref in CONTACTS:
                add_contact(tx, f"Person {ref}", ref)
            for code, unit in UNITS.items():
                add_type(tx, code, code.title(), unit, "perks")
        self.model = Model()

    def teardown(self) -> None:
        self.conn.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {table: [tuple(row) for row in self.conn.execute(
            f"SELECT * FROM {table} ORDER BY rowid")] for table in TABLES}

    def refused(self, call: Any, *args: Any, **kwargs: Any) -> BenefitError:
        before = self.snapshot()
        tally(f"{call.__name__}: refused")
        try:
            call(*args, **kwargs)
        except BenefitError as error:
            assert self.snapshot() == before, f"a refused {call.__name__} changed the database"
            assert not self.conn.in_transaction
            return error
        raise AssertionError(f"{call.__name__}{args} should have been refused")

    def holders(self) -> list[tuple[str, str]]:
        """(contact, type) pairs that hold a level or an allocation."""
        return sorted({(lv.contact, lv.type) for lv in self.model.levels.values()}
                      | {(a.contact, a.level.type) for a in self.model.allocations.values()})

    def pick(self, items: dict[int, Any], index: int) -> Any:
        ordered = sorted(items)
        return items[ordered[index % len(ordered)]]

    # -- rules ---------------------------------------------------------------------------

    @rule(contact=st.sampled_from(CONTACTS), type_=st.sampled_from(sorted(UNITS)), n=QUANTITY,
          cents=CENTS, priority=st.sampled_from([10, 50]), start=st.sampled_from(STARTS),
          expires=st.sampled_from(EXPIRES))
    def grant(self, contact: str, type_: str, n: int, cents: int, priority: int, start: dt.date,
              expires: dt.date) -> None:
        quantity = quantity_of(type_, n, cents)
        level = grant(self.store, contact, type_, quantity, start, expires, priority)
        assert level.quantity == quantity and level.priority == priority
        self.model.levels[level.id] = MLevel(level.id, contact, type_, quantity, priority,
                                             start, expires)

    @precondition(lambda self: self.model.levels)
    @rule(index=PICK, n=QUANTITY, cents=CENTS, priority=st.sampled_from([10, 50]),
          start=st.sampled_from(STARTS), expires=st.sampled_from(EXPIRES))
    def grant_again(self, index: int, n: int, cents: int, priority: int, start: dt.date,
                    expires: dt.date) -> None:
        """Another level for someone who holds one, so the consumption order has a choice."""
        holders = self.holders()
        contact, type_ = holders[index % len(holders)]
        self.grant(contact, type_, n, cents, priority, start, expires)

    @precondition(lambda self: self.model.levels)
    @rule(index=PICK, contact=st.sampled_from(CONTACTS), n=QUANTITY, cents=CENTS)
    def allocate(self, index: int, contact: str, n: int, cents: int) -> None:
        level = self.pick(self.model.levels, index)
        number = quantity_of(level.type, max(1, n // 2), cents)
        if number > self.model.unallocated(level):
            self.refused(allocate, self.store, level.id, contact, number)
            return
        done = allocate(self.store, level.id, contact, number)
        assert done.allocation.number == number
        assert (done.allocation.starts_on, done.allocation.stops_on) == (level.starts_on,
                                                                           level.expires_on)
        tally("allocate: done")
        self.model.allocations[done.allocation.id] = MAllocation(done.allocation.id, level,
                                                                 contact, number)
        assert done.unallocated == self.model.unallocated(level)

    @precondition(lambda self: self.model.allocations)
    @rule(index=PICK)
    def end_allocation(self, index: int) -> None:
        allocation = self.pick(self.model.allocations, index)
        if not allocation.active:
            self.refused(end, self.store, allocation.id, ON)
            return
        ended = end(self.store, allocation.id, ON)
        assert not ended.active
        tally("end: done")
        allocation.active = False

    @rule(contact=st.sampled_from(CONTACTS), type_=st.sampled_from(sorted(UNITS)), n=QUANTITY,
          cents=CENTS)
    def use(self, contact: str, type_: str, n: int, cents: int) -> None:
        self.use_quantity(contact, type_, quantity_of(type_, n, cents))

    def use_quantity(self, contact: str, type_: str, wanted: int) -> None:
        balances = self.model.balances(contact, type_)
        if wanted > self.model.available(contact, type_):
            error = self.refused(use, self.store, contact, type_, wanted, ON)
            assert error.message.startswith(f"Cannot use {show_amount(wanted, UNITS[type_])}"
                                            f" of {type_} for")
            return
        plan = []
        left = wanted
        for _, balance, remaining in balances:
            if left and remaining > 0:
                take = min(left, remaining)
                plan.append((balance, take))
                left -= take
        used = use(self.store, contact, type_, wanted, ON)
        drawn = [(d.balance.level_id, d.balance.allocation_id, d.quantity) for d in used.draws]
        expected = [
            (b.level.id, b.id, take) if isinstance(b, MAllocation) else (b.id, None, take)
            for b, take in plan
        ]
        assert drawn == expected, "the use did not draw in consumption order"
        tally(f"use: done, {len(drawn)} balance(s)")
        assert len(used.entry_ids) == len(plan)
        for entry_id, (balance, take) in zip(used.entry_ids, plan, strict=True):
            if isinstance(balance, MAllocation):
                balance.change -= take
                balance.used += take
                self.model.entries[entry_id] = MEntry(entry_id, "use", balance.level, balance,
                                                      -take)
            else:
                balance.own_change -= take
                balance.own_used += take
                self.model.entries[entry_id] = MEntry(entry_id, "use", balance, None, -take)
        assert used.remaining == self.model.available(contact, type_)

    @precondition(lambda self: self.model.levels)
    @rule(index=PICK, sixths=st.integers(min_value=1, max_value=7))
    def use_what_is_held(self, index: int, sixths: int) -> None:
        """A use by someone who holds a balance, of a share of what they have (6/6: all of
        it, 7/6: more), so uses succeed, span balances and hit the exact boundary."""
        holders = self.holders()
        contact, type_ = holders[index % len(holders)]
        wanted = max(1, self.model.available(contact, type_) * sixths // 6)
        self.use_quantity(contact, type_, wanted)

    @precondition(lambda self: self.model.entries)
    @rule(index=PICK, missing=st.booleans())
    def void(self, index: int, missing: bool) -> None:
        if missing and index % 5 == 0:
            error = self.refused(void, self.store, max(self.model.entries) + 1, "typo", ON)
            assert isinstance(error, NotFound)
            return
        entry = self.pick(self.model.entries, index)
        allocation = entry.allocation
        # an allocation ended on ON can be used, and its uses voided, through that day
        if entry.kind != "use" or entry.voided:
            self.refused(void, self.store, entry.id, "mistake", ON)
            return
        done = void(self.store, entry.id, "mistake", ON)
        assert done.quantity == -entry.quantity
        assert (done.level_id, done.allocation_id) == (
            entry.level.id, allocation.id if allocation else None)
        entry.voided = True
        tally("void: done" + (" (allocation)" if allocation else ""))
        if allocation is not None:
            allocation.change -= entry.quantity
            allocation.used += entry.quantity
        else:
            entry.level.own_change -= entry.quantity
            entry.level.own_used += entry.quantity
        self.model.entries[done.void_id] = MEntry(done.void_id, "void", entry.level, allocation,
                                                  -entry.quantity)

    @rule(contact=st.sampled_from(CONTACTS), type_=st.sampled_from(sorted(UNITS)), n=QUANTITY,
          cents=CENTS, negative=st.booleans(), index=st.none() | PICK)
    def adjust(self, contact: str, type_: str, n: int, cents: int, negative: bool,
               index: int | None) -> None:
        by = quantity_of(type_, n, cents) * (-1 if negative else 1)
        owned = [b for _, b, _ in self.model.balances(contact, type_) if isinstance(b, MLevel)]
        if index is not None and self.model.levels:
            level: MLevel | None = self.pick(self.model.levels, index)
            assert level is not None
            if level.contact != contact or level.type != type_:
                self.refused(adjust, self.store, contact, type_, by, "fix", ON, level.id)
                return
            level_id: int | None = level.id
        else:
            level_id = None
            if by < 0:
                owned = [lv for lv in owned if self.model.own_remaining(lv) >= -by] or owned
            level = owned[0] if owned else None
        if level is None:
            error = self.refused(adjust, self.store, contact, type_, by, "fix", ON)
            assert isinstance(error, NotFound)
            return
        if self.model.own_remaining(level) + by < 0:
            error = self.refused(adjust, self.store, contact, type_, by, "fix", ON, level_id)
            assert error.message.startswith(f"Cannot take {show_amount(-by, UNITS[type_])}"
                                            f" from level {level.id}")
            return
        done = adjust(self.store, contact, type_, by, "fix", ON, level_id)
        assert (done.level_id, done.by) == (level.id, by)
        level.own_change += by
        tally("adjust: done")
        assert done.remaining == self.model.own_remaining(level)
        self.model.entries[done.entry_id] = MEntry(done.entry_id, "adjust", level, None, by)

    # -- invariants ----------------------------------------------------------------------

    @invariant()
    def nothing_below_zero_and_allocations_fit(self) -> None:
        for level in self.model.levels.values():
            assert self.model.own_remaining(level) >= 0
            assert self.model.held_out(level) <= level.quantity
        assert all(a.remaining >= 0 for a in self.model.allocations.values())
        for level_id, quantity, held in self.conn.execute(
            "SELECT l.id, l.quantity, coalesce(sum(a.number), 0) FROM levels l"
            " LEFT JOIN allocations a ON a.level_id = l.id GROUP BY l.id"
        ):
            assert held <= quantity, f"level {level_id}: {held} allocated of {quantity}"

    @invariant()
    def every_balance_equals_the_model(self) -> None:
        for contact in CONTACTS:
            expected = {}
            for level in self.model.levels.values():
                if level.contact == contact:
                    unit = UNITS[level.type]
                    expected[(level.id, None)] = {
                        "type": level.type, "granted": amount(level.quantity, unit),
                        "allocated_out": amount(self.model.allocated_out(level), unit),
                        "used": amount(level.own_used, unit),
                        "remaining": amount(self.model.own_remaining(level), unit),
                        "status": "current",
                    }
            for allocation in self.model.allocations.values():
                if allocation.contact == contact:
                    unit = UNITS[allocation.level.type]
                    expected[(allocation.level.id, allocation.id)] = {
                        "type": allocation.level.type,
                        "granted": amount(allocation.held, unit),
                        "allocated_out": amount(0, unit), "used": amount(allocation.used, unit),
                        "remaining": amount(allocation.remaining, unit), "status": "current",
                    }
            rows = as_dicts(balance_rows(self.store, contact, ON, every=True))
            shown = {
                (row["level_id"], row["allocation_id"]): {k: row[k] for k in (
                    "type", "granted", "allocated_out", "used", "remaining", "status")}
                for row in rows
            }
            assert len(shown) == len(rows)
            assert shown == expected

            totals = {row["type"]: row for row in as_dicts(balance_rows(self.store, contact, ON))}
            store = self.store
            contact_id = store.contacts.get(contact).id
            for type_, unit in UNITS.items():
                available = self.model.available(contact, type_)
                if type_ in totals:
                    assert totals[type_]["remaining"] == amount(available, unit)
                else:
                    assert available == 0 and not self.model.balances(contact, type_)
                type_id = store.catalog.type(type_).id
                assert available_of(usable_by(store, contact_id, type_id), ON) == available

    @invariant()
    def db_check_finds_nothing(self) -> None:
        assert run_checks(self.store) == []
        assert not self.conn.in_transaction
        kinds = dict(self.conn.execute("SELECT kind, count(*) FROM entries GROUP BY kind"))
        for kind in ("use", "void", "adjust"):
            assert kinds.get(kind, 0) == sum(e.kind == kind for e in self.model.entries.values())


LedgerMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25,
                                           deadline=None)
TestLedgerStateful = LedgerMachine.TestCase


def test_the_model_agrees_on_a_hand_written_sequence() -> None:
    """A fixed run of the machine, so a change in the model itself is caught plainly."""
    machine = LedgerMachine()
    try:
        machine.grant("A", "PASS", 5, 0, 50, STARTS[0], EXPIRES[1])
        machine.grant("A", "PASS", 2, 0, 50, STARTS[0], EXPIRES[0])
        machine.every_balance_equals_the_model()
        machine.allocate(0, "B", 4, 0)  # 2 of level 1 to B
        machine.allocate(0, "A", 2, 0)  # 1 of level 1 reserved for A
        machine.use("A", "PASS", 5, 0)  # 2 from level 2, 1 own of level 1, 1 allocation, ...
        machine.use("B", "PASS", 3, 0)  # refused: B has 2
        machine.use("B", "PASS", 2, 0)
        machine.void(0, False)
        machine.adjust("A", "PASS", 1, 0, True, None)
        machine.end_allocation(0)
        machine.grant("C", "CREDIT", 3, 55, 10, STARTS[1], EXPIRES[0])
        machine.use("C", "CREDIT", 1, 1, )
        machine.adjust("C", "CREDIT", 2, 99, True, None)
        machine.nothing_below_zero_and_allocations_fit()
        machine.every_balance_equals_the_model()
        machine.db_check_finds_nothing()
        assert sqlite3.connect(machine.dir / "benefits.db").execute(
            "SELECT count(*) FROM entries").fetchone()[0] == len(machine.model.entries)
    finally:
        machine.teardown()
