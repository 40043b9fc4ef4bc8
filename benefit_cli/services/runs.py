"""Cron runs: renew memberships, then record expiries and rollovers (SPEC §1 "Renewals",
"Expiry and rollover", "Runs are safe under cron").

A run works in batches, each in a transaction of its own and each choosing its work
afresh inside it: staff and another run wait at most one batch, two runs at once never
do anything twice (the second finds the work done), and a run killed at any moment
leaves whole batches only, which the next run completes. A dry run does the same work
in one transaction and rolls it back, so it lists exactly what the real run then writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Protocol

from benefit_cli.db.balances import FIRST, LevelBatch, Mark
from benefit_cli.db.store import Store, Tx
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.expiry import EXPIRED, SOURCE, closing_entries
from benefit_cli.domain.models import BenefitType, NewEntry
from benefit_cli.domain.renewal import DEFAULT_WINDOW, Due, renewal_term
from benefit_cli.domain.units import amount
from benefit_cli.services.memberships import Granter, enrol
from benefit_cli.services.subscriptions import fulfil

RENEW_BATCH = 500  # memberships a transaction renews
EXPIRE_BATCH = 20000  # levels a transaction closes: about 0.15 s, the longest a use waits for it
ROW_COLUMNS = [
    "action",
    "membership_id",
    "contact_ref",
    "type",
    "level_id",
    "allocation_id",
    "quantity",
    "date",
]

Progress = Callable[[int], None]  # told how many more things are done


class Batch(Protocol):
    """Opens the transaction of one batch (``Store.transaction``'s ``references_read``)."""

    def __call__(self, *, references_read: bool = False) -> AbstractContextManager[Tx]: ...


@dataclass
class RunReport:
    """What a run did (or, dry, would do): each row in ``ROW_COLUMNS``, the counts for its
    summary line, and what needs a person."""

    keeps_rows: bool = False  # a dry run shows them; a real run only counts
    rows: list[list[object]] = field(default_factory=list)
    renewed: int = 0
    granted: int = 0
    expired: int = 0  # holders whose end was recorded
    rolled_over: int = 0
    waiting: int = 0  # rollovers that wait for a renewal
    delivered: int = 0  # subscription issues
    needs_person: list[str] = field(default_factory=list)

    def summary(self) -> str:
        said = [
            f"renewed {self.renewed} membership(s) ({self.granted} level(s) granted)",
            f"expired {self.expired} balance(s)",
            f"rolled over {self.rolled_over} into the next level",
        ]
        if self.waiting:
            said.append(f"{self.waiting} rollover(s) wait for a renewal")
        said.append(f"delivered {self.delivered} subscription issue(s)")
        said.append(f"{len(self.needs_person)} need a person")
        return "; ".join(said) + "."


class _Rows:
    """Turns ids into the refs and codes a row shows (cached: a run repeats them)."""

    def __init__(self, tx: Tx, report: RunReport) -> None:
        self.tx = tx
        self.report = report
        self.types = tx.catalog.types_by_id()
        self.plans = tx.catalog.plans_by_id()
        self.refs: dict[int, str] = {}

    def ref(self, contact_id: int) -> str:
        if contact_id not in self.refs:
            self.refs[contact_id] = self.tx.contacts.by_id(contact_id).ref
        return self.refs[contact_id]

    def add(
        self,
        action: str,
        membership_id: int | None,
        contact_id: int,
        type_id: int | None,
        level_id: int | None,
        allocation_id: int | None,
        quantity: int | None,
        on: dt.date | str,
    ) -> None:
        if not self.report.keeps_rows:
            return
        benefit_type = self.types[type_id] if type_id is not None else None
        self.report.rows.append(
            [
                action,
                membership_id,
                self.ref(contact_id),
                benefit_type.code if benefit_type else None,
                level_id,
                allocation_id,
                amount(quantity, benefit_type.unit) if benefit_type and quantity is not None else quantity,
                on if isinstance(on, str) else on.isoformat(),
            ]
        )


# -- renewals ------------------------------------------------------------------------------------


def renew(tx: Tx, due: Due, granter: Granter, rows: _Rows, opted_out: Collection[int] = ()) -> int | None:
    """Renew one membership: the next term, with the levels of the rules in force on its
    first day but the subscriptions the member opted out of. A membership of the plan
    entered by hand from that very day is taken as the renewal; None (and a line for a
    person) if another overlaps the new term or the plan now grants nothing."""
    plan = rows.plans[due.plan_id]
    term = renewal_term(plan, due)
    not_renewed = f"Membership {due.membership_id} of {rows.ref(due.contact_id)} was not renewed"
    existing = tx.memberships.overlapping(due.contact_id, plan.id, term.start_on, term.end_on)
    if existing is not None and existing.start_on == term.start_on and existing.renewed_from is None:
        tx.memberships.link_renewal(due.membership_id, existing.id)
        rows.report.renewed += 1
        rows.add("renew", due.membership_id, due.contact_id, None, None, None, None, term.start_on)
        return existing.id
    if existing is not None:
        rows.report.needs_person.append(
            f"{not_renewed}: membership {existing.id} of {plan.code} already runs from {existing.start_on},"
            f" which overlaps the new term {term.start_on} to {term.end_on}; cancel one of them"
            " (benefit membership cancel ID) and the next run renews as the plan says."
        )
        return None
    same_day = tx.memberships.starting(due.contact_id, plan.id, term.start_on)
    if same_day is not None:  # cancelled on its first day: it overlaps nothing, yet holds the day
        rows.report.needs_person.append(
            f"{not_renewed}: membership {same_day.id} of {plan.code} from {term.start_on} was cancelled"
            " on its first day, and a second may not start that day; add the new term by hand from"
            " another day (benefit membership add)."
        )
        return None
    templates = granter.templates(plan, term)
    if not templates:
        rows.report.needs_person.append(
            f"{not_renewed}: plan {plan.code} gives nothing from {term.start_on}; give it plan benefits,"
            " or cancel the membership."
        )
        return None
    renewal_id, granted = enrol(
        tx, due.contact_id, plan, term.start_on, granter, renewal_of=due.membership_id, term=term,
        leave_out=opted_out,
    )  # fmt: skip
    rows.report.renewed += 1
    rows.report.granted += granted
    if not rows.report.keeps_rows:
        return renewal_id
    rows.add("renew", due.membership_id, due.contact_id, None, None, None, None, term.start_on)
    for level in tx.memberships.levels_of_membership(renewal_id):
        rows.add(
            "grant",
            renewal_id,
            level.contact_id,
            level.type_id,
            level.id,
            None,
            level.quantity,
            level.starts_on,
        )
    return renewal_id


def renew_due(tx: Tx, as_of: dt.date, window: int, report: RunReport, refused: set[int]) -> int:
    """One batch of renewals due by ``as_of`` + ``window``; how many memberships it handled.
    ``refused`` are memberships a person must see to (not picked again this run)."""
    rows = _Rows(tx, report)
    granter = Granter.of(tx)
    dues = tx.memberships.due(as_of + dt.timedelta(days=window), RENEW_BATCH + len(refused))
    opted_out = tx.subscriptions.opted_out([due.contact_id for due in dues])
    done = 0
    for due in dues:
        if due.membership_id in refused:
            continue
        if renew(tx, due, granter, rows, opted_out.get(due.contact_id, set())) is None:
            refused.add(due.membership_id)
        done += 1
        if done == RENEW_BATCH:
            break
    return done


def renew_one(tx: Tx, membership_id: int, report: RunReport) -> int | None:
    """``membership renew ID``: renew it now, whatever its window."""
    membership = tx.memberships.get(membership_id)
    if membership.cancelled_on is not None:
        raise Invalid(
            f"Membership {membership_id} was cancelled on {membership.cancelled_on}; it is not renewed."
        )
    if membership.renewed_by is not None:
        raise Invalid(
            f"Membership {membership_id} was already renewed by membership {membership.renewed_by}."
        )
    [due] = tx.memberships.due(membership.end_on, 1, membership_id)
    opted_out = tx.subscriptions.opted_out([due.contact_id]).get(due.contact_id, set())
    return renew(tx, due, Granter.of(tx), _Rows(tx, report), opted_out)


# -- expiry --------------------------------------------------------------------------------------


def expire_due(tx: Tx, as_of: dt.date, after: Mark, report: RunReport) -> LevelBatch:
    """One batch of levels past their last day, the next after ``after`` in order of last
    day: record what each holder had left — rolled over where its plan benefit says,
    expired — and mark the levels whose end is recorded whole. Return the batch (no
    levels when the run is done)."""
    batch = tx.balances.past_their_last_day(as_of, after, EXPIRE_BATCH)
    if not batch.ids:
        return batch
    before = tx.balances.last_entry_id()
    # Rollovers first, in date order, so that what rolls into a level closed in the same
    # batch is part of what that level has left at its own end; then expire_the_rest
    # expires what every other holder had left (nothing rolls over from an allocation).
    waiting = set()
    entries: list[NewEntry] = []
    incoming: dict[int, int] = {}
    rolls = tx.balances.any_rollover()
    rolling = tx.balances.left_to_roll_over(batch, as_of) if rolls else []
    for left in sorted(rolling, key=lambda left: left.on):
        closing = closing_entries(left, incoming.pop(left.level_id, 0))
        if closing is None:
            waiting.add(left.level_id)
            report.waiting += 1
            continue
        for entry in closing:
            if entry.kind == "rollover" and entry.quantity > 0:
                incoming[entry.level_id] = incoming.get(entry.level_id, 0) + entry.quantity
        entries += closing
    tx.ledger.append_many(entries)
    report.expired += sum(entry.kind == "expire" for entry in entries)
    report.rolled_over += sum(entry.kind == "rollover" and entry.quantity > 0 for entry in entries)
    report.expired += tx.balances.expire_the_rest(batch, as_of, EXPIRED, SOURCE, rolls)
    tx.balances.settle(batch, as_of, waiting)
    if report.keeps_rows:
        rows = _Rows(tx, report)
        for closed in tx.ledger.closings_since(before):
            rows.add(closed.kind, None, closed.contact_id, closed.type_id, closed.level_id,
                     closed.allocation_id, abs(closed.quantity), closed.entry_on)  # fmt: skip
    return batch


# -- subscriptions -------------------------------------------------------------------------------


def fulfil_due(tx: Tx, benefit_type: BenefitType, as_of: dt.date, today: dt.date, report: RunReport) -> None:
    """Deliver every issue of one subscription dated up to ``as_of`` that someone is owed."""
    if not benefit_type.schedule:
        report.needs_person.append(
            f'Subscription "{benefit_type.code}" has no issue schedule, so nothing was delivered: give it'
            f' one with: benefit type update {benefit_type.code} --schedule "FREQ=MONTHLY;BYMONTHDAY=1".'
        )
        return
    done = fulfil(tx, benefit_type, as_of, today)
    report.delivered += len(done.delivered)
    if report.keeps_rows and done.delivered:
        for row in tx.subscriptions.delivered_since(done.after, benefit_type.id):
            report.rows.append(
                ["deliver", row.membership_id, row.contact_ref, row.type, row.level_id, None, None,
                 row.issue_date]
            )  # fmt: skip


# -- a whole run ----------------------------------------------------------------------------------


def run(
    store: Store,
    renewing: bool,
    expiring: bool,
    as_of: dt.date,
    window: int = DEFAULT_WINDOW,
    dry_run: bool = False,
    progress: Progress | None = None,
    fulfilling: bool = False,
    today: dt.date | None = None,
) -> RunReport:
    """Renew, then expire (so a rollover finds the renewal's first level), then fulfil
    every subscription through ``as_of`` (so a renewal's first issue goes out), a batch per
    transaction — or, dry, every batch in one transaction that is rolled back. ``today``
    dates the deliveries (default: ``as_of``)."""
    report = RunReport(keeps_rows=dry_run)
    work = _Work(renewing, expiring, fulfilling, as_of, window, today or as_of, report, progress)
    store.bulk_mode()  # large inserts: the page cache decides their speed
    if dry_run:
        with store.transaction(rehearse=True) as tx:
            work.do(lambda references_read=False: nullcontext(tx))
    else:
        work.do(store.transaction)
    return report


@dataclass(frozen=True)
class _Work:
    renewing: bool
    expiring: bool
    fulfilling: bool
    as_of: dt.date
    window: int
    today: dt.date
    report: RunReport
    progress: Progress | None

    def do(self, batch: Batch) -> None:
        """Each step in batches, each batch in the transaction ``batch`` opens."""
        refused: set[int] = set()  # for a person to see to: not picked again by this run
        while self.renewing:
            with batch() as tx:
                done = renew_due(tx, self.as_of, self.window, self.report, refused)
            if not done:
                break
            self._advance(done)
        after = FIRST
        while self.expiring:
            with batch(references_read=True) as tx:
                closed = expire_due(tx, self.as_of, after, self.report)
            if not closed.ids:
                break
            self._advance(len(closed.ids))
            after = closed.last
        if self.fulfilling:
            with batch() as tx:
                subscriptions = [
                    t for t in tx.catalog.types(include_retired=True) if t.kind == "subscription"
                ]
            for benefit_type in subscriptions:  # one issue list each, in a transaction of its own
                with batch(references_read=True) as tx:
                    fulfil_due(tx, benefit_type, self.as_of, self.today, self.report)
                self._advance(1)

    def _advance(self, done: int) -> None:
        if self.progress:
            self.progress(done)
