"""One balance, as of a date, everywhere (SPEC §1 "Balances are answered as of a date").

Random sequences of grants (term and monthly), allocations (ended early, late, declined),
uses, voids with back-dated re-records, adjustments, cancellations and expiry runs; then, for every
contact, type and date: ``balance --on D``, ``report balances --to D``, ``report statement
--on D``, ``contact show`` and the ``balances`` view agree; every history row's
``balance_after`` is the balance on its date right after it; nothing is negative; the
SQL's figures are the domain rule's, holder by holder; and the short cuts of the expiry run
and of an import's look-up figure what the general SQL does. And an expiry run changes no figure
but what its rollovers move (SPEC §1 "Expiry and rollover").
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benefit_cli.db.balance_sql import drawable_sql, figures_sql, own_parts_sql, pairs_param
from benefit_cli.db.connection import connect
from benefit_cli.db.queries import Filters
from benefit_cli.db.store import Store, Tx
from benefit_cli.domain.errors import BenefitError
from benefit_cli.reports.balance import balance_rows
from benefit_cli.reports.contact import contact_sections
from benefit_cli.reports.reports import balances, history, statement
from benefit_cli.services import allocations, catalog, contacts, ledger, memberships, runs
from benefit_cli.services.balances import holders_of_levels

D = dt.date.fromisoformat
TODAY = D("2026-07-01")  # voids are dated today
CONTACTS = ("A", "B", "C")
TYPES = {"PASS": "count", "ROOM": "minutes"}
DAYS = [D("2026-01-01") + dt.timedelta(days=n) for n in range(0, 365, 9)]
CHECK_DAYS = [D(f"2026-{month:02d}-{day:02d}") for month in range(1, 13) for day in (1, 16)] + [
    D("2026-12-31"),
    D("2027-01-01"),
    D("2027-03-01"),
]

_TEMPLATE: dict[str, Path] = {}


def template() -> Path:
    """Contacts A, B, C; types PASS (count) and ROOM (minutes); plan P gives 4 PASS a term and
    300 ROOM a month, half of what is left of a month (at most 100) rolling over."""
    if "path" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="balance-agreement-"))
        store = Store(connect(folder / "template.db", create=True))
        with store.transaction() as tx:
            for ref in CONTACTS:
                contacts.add_contact(tx, f"Person {ref}", ref)
            for code, unit in TYPES.items():
                catalog.add_type(tx, code, code.title(), unit, "perks")
            plan = catalog.add_plan(tx, "P", "Plan", 12)
            catalog.add_rule(tx, plan, tx.catalog.type("PASS"), 4, "term", D("2025-01-01"))
            catalog.add_rule(
                tx, plan, tx.catalog.type("ROOM"), 300, "month", D("2025-01-01"),
                rollover_percent=50, rollover_max=100,
            )  # fmt: skip
        store.conn.close()
        _TEMPLATE["path"] = folder / "template.db"
    return _TEMPLATE["path"]


day = st.sampled_from(DAYS)
contact = st.sampled_from(CONTACTS)
type_ = st.sampled_from(sorted(TYPES))
pick = st.integers(min_value=0, max_value=10_000)
OPERATIONS = st.one_of(
    st.tuples(st.just("membership"), contact, day),
    st.tuples(st.just("grant"), contact, type_, st.integers(1, 400), day, st.integers(0, 200)),
    st.tuples(st.just("allocate"), pick, contact, st.integers(1, 150), st.integers(0, 60), st.none() | day),
    st.tuples(st.just("end"), pick, day),
    st.tuples(st.just("decline"), pick, day),
    st.tuples(st.just("use"), contact, type_, st.integers(1, 200), day),
    st.tuples(st.just("void and record again"), pick),
    st.tuples(st.just("adjust"), contact, type_, st.integers(-100, 100).filter(bool), day),
    st.tuples(st.just("cancel"), pick, day),
    st.tuples(st.just("expiry run"), day),
)


def apply(store: Store, operation: tuple[Any, ...]) -> None:
    """One operation as its command would do it; a refusal changes nothing and is fine."""
    name, *args = operation

    def attempt(call: Callable[[Tx], object]) -> None:
        try:
            with store.transaction() as tx:
                call(tx)
        except BenefitError:
            pass

    def nth(table: str, index: int) -> int | None:
        ids = [row[0] for row in store.conn.execute(f"SELECT id FROM {table} ORDER BY id")]
        return ids[index % len(ids)] if ids else None

    if name == "membership":
        who, start = args
        attempt(lambda tx: memberships.add_membership(tx, tx.contacts.get(who), tx.catalog.plan("P"), start))
    elif name == "grant":
        who, code, quantity, start, days = args
        attempt(
            lambda tx: allocations.add_level(
                tx, tx.contacts.get(who), tx.catalog.type(code), quantity, start,
                start + dt.timedelta(days=days)
            )
        )
    elif name == "allocate":
        index, who, number, later, stop = args
        level_id = nth("levels", index)
        if level_id is not None:
            def allocate(tx: Tx) -> None:
                level = tx.memberships.level(level_id)
                start = min(level.starts_on + dt.timedelta(days=later), level.expires_on)
                allocations.allocate(tx, level, tx.contacts.get(who), number, start, stop)

            attempt(allocate)
    elif name in ("end", "decline"):
        index, on = args
        allocation_id = nth("allocations", index)
        if allocation_id is not None:
            action = "end" if name == "end" else "decline"
            attempt(lambda tx: allocations.respond(tx, tx.allocations.get(allocation_id), action, on))
    elif name == "use":
        who, code, quantity, on = args
        attempt(lambda tx: ledger.record_use(tx, tx.contacts.get(who), tx.catalog.type(code), quantity, on))
    elif name == "void and record again":
        [index] = args
        uses = list(store.conn.execute("SELECT id, contact_id, level_id, quantity, entry_on FROM entries"
                                       " WHERE kind = 'use' ORDER BY id"))
        if uses:
            entry_id, contact_id, level_id, quantity, on = uses[index % len(uses)]

            def void_and_again(tx: Tx) -> None:
                ledger.void(tx, entry_id, "recorded twice", TODAY)
                code = tx.catalog.type_by_id(tx.memberships.level(level_id).type_id).code
                ledger.record_use(tx, tx.contacts.by_id(contact_id), tx.catalog.type(code), -quantity, D(on))

            attempt(void_and_again)
    elif name == "adjust":
        who, code, by, on = args
        attempt(lambda tx: ledger.adjust(tx, tx.contacts.get(who), tx.catalog.type(code), by, "fix", on))
    elif name == "cancel":
        index, on = args
        membership_id = nth("memberships", index)
        if membership_id is not None:
            attempt(lambda tx: memberships.cancel_membership(tx, tx.memberships.get(membership_id), on))
    elif name == "expiry run":
        [on] = args
        runs.run(store, renewing=False, expiring=True, as_of=on)


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(zip(rows.columns, values, strict=True)) for values in rows.values()]


def number(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def check(store: Store) -> None:
    types = {t.code: t for t in store.catalog.types(include_retired=True)}
    ids = {ref: store.contacts.get(ref).id for ref in CONTACTS}
    levels = [level.id for level in store.memberships.levels()]
    domain = {
        (holder.level_id, holder.allocation_id): holder
        for holders in holders_of_levels(store, levels).values()
        for holder in holders
    }
    for on in CHECK_DAYS:
        # the SQL and the domain's rule, holder by holder
        for f in store.balances.figures(on):
            expected = domain[f.level_id, f.allocation_id].figures_on(on)
            shown = (f.status, f.granted, f.allocated_out, f.used, f.adjusted, f.expired, f.remaining)
            assert shown == tuple(vars(expected).values()), (on, f, expected)
            assert f.remaining >= 0 and f.expired >= 0
        for ref in CONTACTS:
            per_type = {row["type"]: row for row in as_dicts(balance_rows(store, ref, on))}
            report = {row["type"]: row for row in as_dicts(balances(store, Filters(ids[ref]), on))}
            assert set(per_type) == set(report)
            for code, row in per_type.items():
                for column in ("granted", "allocated_out", "used", "remaining", "expires_on", "status"):
                    assert row[column] == report[code][column], (on, ref, code, column)
                assert row["remaining"] >= 0
            left = {
                line["type"]: line["remaining"]
                for line in as_dicts(statement(store, ref, Filters(date_to=on), TODAY))
                if line["description"] == f"Left on {on}"
            }
            assert left == {c: r["remaining"] for c, r in per_type.items() if r["status"] != "upcoming"}
    # an expiry run's figures of the levels never allocated (own_parts_sql) are their own parts'
    allocated = {level_id for (level_id,) in store.conn.execute("SELECT level_id FROM allocations")}
    own_part = figures_sql(":as_of", "SELECT level_id, status, unrecorded FROM hs WHERE part = 0")
    lean = own_parts_sql(":as_of", "SELECT level_id, status, unrecorded FROM own", "1")
    for on in CHECK_DAYS:
        params = {"as_of": on.isoformat()}
        expected = {tuple(row) for row in store.conn.execute(own_part, params) if row[0] not in allocated}
        assert set(map(tuple, store.conn.execute(lean, params))) == expected, on
    # what a use may draw from, as an import reads it: the levels never allocated, figured in
    # place, are what the holders' machinery makes of them (every entry, and the earlier half)
    pairs = pairs_param([(contact_id, t.id) for contact_id in ids.values() for t in types.values()])
    for entries in ("1", f"e.id <= {store.balances.last_entry_id() // 2}"):
        in_place = Counter(map(tuple, store.conn.execute(drawable_sql(entries), pairs)))
        machinery = Counter(map(tuple, store.conn.execute(drawable_sql(entries, in_place=False), pairs)))
        assert in_place == machinery, entries
    # history: each day's last line is that day's balance; nothing below zero
    last = CHECK_DAYS[-1]
    for ref in CONTACTS:
        for code in TYPES:
            rows = as_dicts(history(store, Filters(ids[ref], types[code].id, date_to=last), TODAY))
            closing: dict[str, Any] = {}
            for row in rows:
                assert row["balance_after"] >= 0, row
                closing[row["date"]] = row["balance_after"]
            for date, after in closing.items():
                shown = as_dicts(balance_rows(store, ref, D(date), code))
                assert number(after) == (number(shown[0]["remaining"]) if shown else 0), (ref, code, date)
    # contact show and the view, as of today (the view reads the real date)
    real_today = dt.date.today()
    for ref in CONTACTS:
        sections = contact_sections(store, ref, real_today).parts
        [section] = [p for p in sections if p.title and p.title.startswith("Balances")]
        assert as_dicts(section) == as_dicts(balance_rows(store, ref, real_today))
    view = {
        (level_id, allocation_id): (status, remaining)
        for level_id, allocation_id, status, remaining in store.conn.execute(
            "SELECT level_id, allocation_id, status, remaining FROM balances"
        )
    }
    figures = {
        (f.level_id, f.allocation_id): (f.status, f.remaining) for f in store.balances.figures(real_today)
    }
    assert view == figures


@contextmanager
def built(operations: list[tuple[Any, ...]]) -> Iterator[Store]:
    """A copy of the template with the operations applied."""
    folder = Path(tempfile.mkdtemp(prefix="balance-agreement-"))
    try:
        shutil.copyfile(template(), folder / "benefits.db")
        store = Store(connect(folder / "benefits.db"))
        for operation in operations:
            apply(store, operation)
        yield store
        store.conn.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=3, max_size=25))
# A level never allocated with every kind of entry: a voided use, an adjustment, an expiry.
@example([("membership", "A", D("2026-01-01")), ("use", "A", "PASS", 1, D("2026-02-01")),
          ("void and record again", 0), ("adjust", "A", "PASS", 2, D("2026-03-01")),
          ("expiry run", D("2027-01-01"))])  # fmt: skip
def test_every_balance_agrees_on_every_date(operations: list[tuple[Any, ...]]) -> None:
    with built(operations) as store:
        check(store)


def figures_on_check_days(store: Store) -> dict[tuple[dt.date, int, int | None], tuple[Any, ...]]:
    return {
        (on, f.level_id, f.allocation_id): (f.status, f.granted, f.allocated_out, f.used, f.adjusted,
                                            f.expired, f.remaining)
        for on in CHECK_DAYS
        for f in store.balances.figures(on)
    }  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=3, max_size=25), day)
def test_an_expiry_run_changes_no_figure_but_what_its_rollovers_move(
    operations: list[tuple[Any, ...]], as_of: dt.date
) -> None:
    with built(operations) as store:
        before = figures_on_check_days(store)
        last_entry = store.balances.last_entry_id()
        runs.run(store, renewing=False, expiring=True, as_of=as_of)
        after = figures_on_check_days(store)
        assert set(after) == set(before)
        # what each level received by rollover, and from which day
        moved = store.conn.execute(
            "SELECT level_id, entry_on, quantity FROM entries WHERE kind = 'rollover' AND id > ?",
            (last_entry,),
        ).fetchall()
        for key, figures in before.items():
            on, level_id, allocation_id = key
            status, granted, allocated_out, used, adjusted, expired, remaining = figures
            for moved_level, moved_on, quantity in moved:
                # what a level sent on still counts as what it had left at its end; what
                # one received is an adjustment, left or lost as the level is on that day
                if moved_level != level_id or allocation_id is not None or D(moved_on) > on or quantity < 0:
                    continue
                adjusted += quantity
                if status == "current":
                    remaining += quantity
                elif status == "expired":
                    expired += quantity
            expected = (status, granted, allocated_out, used, adjusted, expired, remaining)
            assert after[key] == expected, (key, before[key], after[key], moved)
        check(store)
        # run again: nothing more to do
        twice = store.balances.last_entry_id()
        runs.run(store, renewing=False, expiring=True, as_of=as_of)
        assert store.balances.last_entry_id() == twice
