"""Memberships: a contact holds a plan for a term, and receives its levels on creation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from benefit_cli.csvio.dates import DateReader
from benefit_cli.db.memberships import NewLevel
from benefit_cli.db.store import Store, Tx
from benefit_cli.domain.errors import CsvError, Invalid
from benefit_cli.domain.granting import LevelGrant, Term, grants_for, membership_term
from benefit_cli.domain.models import BenefitType, Contact, Membership, Plan, PlanBenefit
from benefit_cli.services.importing import CsvRow, ImportOptions, ImportSummary, Outcome, run_import

MEMBERSHIP_COLUMNS = {"contact": True, "plan": True, "start_on": True}

#: A level of a grant less its contact and membership: NewLevel's fields from ``type_id`` on.
LevelTemplate = tuple[int, int, str, str, str, int, int, int]


@dataclass(frozen=True)
class Created:
    membership: Membership
    levels: int


class Granter:
    """The levels memberships receive, computed once per (plan, start date): an import of
    50,000 members holds only a few hundred distinct start dates."""

    def __init__(self, rules: dict[int, list[PlanBenefit]], types: dict[int, BenefitType]) -> None:
        self.rules = rules
        self.types = types
        self.templates = lru_cache(maxsize=4096)(self._templates)

    @classmethod
    def of(cls, tx: Tx) -> Granter:
        return cls(tx.catalog.all_rules(), tx.catalog.types_by_id())

    def grants(self, plan: Plan, start: dt.date) -> tuple[Term, tuple[LevelTemplate, ...]]:
        term = membership_term(plan, start)
        return term, self.templates(plan, term)

    def _templates(self, plan: Plan, term: Term) -> tuple[LevelTemplate, ...]:
        """The levels a term of the plan is granted, by the rules in force on its first day."""
        return _templates(grants_for(term, self.rules.get(plan.id, []), self.types))


def _templates(grants: Iterable[LevelGrant]) -> tuple[LevelTemplate, ...]:
    return tuple(
        (
            g.type_id,
            g.quantity,
            g.starts_on.isoformat(),
            g.expires_on.isoformat(),
            "plan",
            g.priority,
            g.unit_value,
            g.plan_benefit_id,
        )
        for g in grants
    )


def enrol(
    tx: Tx,
    contact_id: int,
    plan: Plan,
    start: dt.date,
    granter: Granter,
    levels: list[NewLevel] | None = None,
    renewal_of: int | None = None,
    term: Term | None = None,
    leave_out: Collection[int] = (),
) -> tuple[int, int]:
    """Create a membership of ``plan`` from ``start`` (for ``term``, a renewal's) with the
    levels of the rules in force on that day, but those of the types in ``leave_out`` (the
    subscriptions the member opted out of); return its id and how many levels it got.
    The levels are inserted at once, or added to ``levels`` for the caller to insert in
    bulk. A renewal names the membership it renews, which is marked renewed."""
    if term is None:
        term, templates = granter.grants(plan, start)
    else:
        templates = granter.templates(plan, term)
    if leave_out:
        templates = tuple(template for template in templates if template[0] not in leave_out)
    membership_id = tx.memberships.add(
        {
            "contact_id": contact_id,
            "plan_id": plan.id,
            "start_on": term.start_on,
            "end_on": term.end_on,
            "grace_end_on": term.grace_end_on,
            "renewed_from": renewal_of,
        }
    )
    if renewal_of is not None:
        tx.memberships.mark_renewed(renewal_of, membership_id)
    rows = [NewLevel(contact_id, membership_id, *template) for template in templates]
    if levels is None:
        tx.memberships.add_levels(rows)
    else:
        levels.extend(rows)
    return membership_id, len(rows)


def add_membership(tx: Tx, contact: Contact, plan: Plan, start: dt.date) -> Created:
    """Create a membership and grant its levels from the rules in force on ``start``; refuse
    one whose term overlaps another of the same plan (SPEC "One membership of a plan at a
    time")."""
    granter = Granter.of(tx)
    term, _ = granter.grants(plan, start)
    existing = tx.memberships.overlapping(contact.id, plan.id, term.start_on, term.end_on)
    if existing is not None:
        raise Invalid(f"{contact.label} {overlap_refusal(plan, existing, term)}")
    same_day = tx.memberships.starting(contact.id, plan.id, term.start_on)
    if same_day is not None:
        raise Invalid(f"{contact.label} {same_start_refusal(plan, same_day)}")
    membership_id, levels = enrol(tx, contact.id, plan, start, granter)
    return Created(tx.memberships.get(membership_id), levels)


def term_last_day(membership: Membership) -> dt.date:
    """The last day of its term that counts for overlaps: its end, or the day before it
    was cancelled."""
    if membership.cancelled_on is not None and membership.cancelled_on <= membership.end_on:
        return membership.cancelled_on - dt.timedelta(days=1)
    return membership.end_on


def overlap_refusal(plan: Plan, existing: Membership, term: Term) -> str:
    """What to say of a new term of ``plan`` that overlaps ``existing`` (after the contact)."""
    last = term_last_day(existing)
    return (
        f"already holds {plan.code} from {existing.start_on} to {last} (membership {existing.id}),"
        f" which overlaps the new term {term.start_on} to {term.end_on}; a contact holds one"
        f" membership of a plan at a time. Start the new one after {last}, or cancel membership"
        f" {existing.id} first."
    )


def same_start_refusal(plan: Plan, existing: Membership) -> str:
    """What to say of a new membership of ``plan`` starting the day ``existing`` did: one
    cancelled on its first day (else they would overlap)."""
    return (
        f"already had a membership of {plan.code} from {existing.start_on} (membership {existing.id},"
        f" cancelled on {existing.cancelled_on}); a contact's memberships of a plan start on"
        " different days. Start the new one on another day."
    )


def cancel_membership(tx: Tx, membership: Membership, on: dt.date) -> Membership:
    """Cancel on ``on``: its levels can be used up to the day before, and no longer."""
    if membership.cancelled_on is not None:
        raise Invalid(f"Membership {membership.id} was already cancelled on {membership.cancelled_on}.")
    if on < membership.start_on:
        raise Invalid(
            f"Membership {membership.id} starts on {membership.start_on};"
            " it cannot be cancelled before it starts."
        )
    later = tx.ledger.first_of_membership_from(membership.id, on)
    if later is not None:
        raise Invalid(
            f"Membership {membership.id} has a {later.kind} on {later.entry_on} (entry {later.id}), which"
            f" a cancellation on {on} would leave outside it; cancel it from after that day, or void"
            " that use first."
        )
    tx.memberships.cancel(membership.id, on)
    return tx.memberships.get(membership.id)


# -- import --------------------------------------------------------------------------------------


class _MembershipRows:
    """``contact, plan, start_on`` rows; a row already present (same contact, plan and
    start) adds nothing, so the import can be run again. A row whose term overlaps another
    membership of the plan — in the database, or added by a row above — is refused, naming
    that membership (or row)."""

    FLUSH = 50_000  # levels held before they are inserted

    def __init__(self, tx: Tx, dates: DateReader) -> None:
        self.tx = tx
        self.dates = dates
        self.contacts = tx.contacts.keys()
        self.plans = tx.catalog.plans_by_code()
        self.present = tx.memberships.keys()
        self.granter = Granter.of(tx)
        self.levels: list[NewLevel] = []
        self.rows: dict[int, int] = {}  # membership id -> the row of this file that added it

    def check(self, rows: list[CsvRow]) -> list[CsvRow]:
        return rows

    def write(self, rows: list[CsvRow], outcome: Outcome) -> None:
        summary = outcome.summary
        for number, values, raw in rows:
            contact_id = self.contacts.get(values["contact"])
            plan = self.plans.get(values["plan"].upper())
            problems = []
            if contact_id is None:
                problems.append(
                    CsvError(f'no contact "{values["contact"]}"; import contacts first.', number, "contact")
                )
            if plan is None:
                problems.append(
                    CsvError(f'no plan "{values["plan"]}"; see: benefit plan list.', number, "plan")
                )
            try:
                start = self.dates.parse(values["start_on"])
            except ValueError as exc:
                problems.append(CsvError(str(exc), number, "start_on"))
            if problems:
                outcome.reject(number, raw, problems)
                continue
            assert contact_id is not None and plan is not None
            key = (contact_id, plan.id, start.isoformat())
            if key in self.present:
                summary.already += 1
                continue
            term, _ = self.granter.grants(plan, start)
            existing = self.tx.memberships.overlapping(contact_id, plan.id, term.start_on, term.end_on)
            if existing is not None:
                row = self.rows.get(existing.id)
                if row is None:
                    problem = f'"{values["contact"]}" {overlap_refusal(plan, existing, term)}'
                else:
                    problem = (
                        f'row {row} of this file gives "{values["contact"]}" {plan.code} from'
                        f" {existing.start_on} to {existing.end_on}, which overlaps this row's term"
                        f" {term.start_on} to {term.end_on}; a contact holds one membership of a plan at"
                        " a time. Keep one of the two rows, or start this one later."
                    )
                outcome.reject(number, raw, [CsvError(problem, number, "start_on")])
                continue
            self.present.add(key)
            membership_id, granted = enrol(self.tx, contact_id, plan, start, self.granter, self.levels)
            self.rows[membership_id] = number
            summary.imported += 1
            summary.count("levels", granted)
        if len(self.levels) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        self.tx.memberships.add_levels(self.levels)
        self.levels.clear()


def import_memberships(store: Store, path: Path, options: ImportOptions) -> ImportSummary:
    """Import memberships, all or nothing (``ImportSummary.imported`` were added, with
    ``counts["levels"]`` levels)."""

    @contextmanager
    def transaction(dates: DateReader) -> Iterator[_MembershipRows]:
        with store.transaction() as tx:
            tx.bulk_mode()
            rows = _MembershipRows(tx, dates)
            yield rows
            rows.flush()

    return run_import(path, MEMBERSHIP_COLUMNS, transaction, options)
