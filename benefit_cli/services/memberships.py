"""Memberships: a contact holds a plan for a term, and receives its levels on creation."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from benefit_cli.db.connection import write
from benefit_cli.db.store import Store
from benefit_cli.domain.dates import iso
from benefit_cli.domain.errors import CsvError, Invalid, RowErrors
from benefit_cli.domain.granting import LevelGrant, Term, grants_for, membership_term
from benefit_cli.domain.models import BenefitType, Membership, Plan, PlanBenefit

MEMBERSHIP_COLUMNS = {"contact": True, "plan": True, "start_on": True}


@dataclass(frozen=True)
class Created:
    membership: Membership
    levels: int


LevelTemplate = tuple[int, int, str, str, str, int, int, int]


def _templates(grants: Iterable[LevelGrant]) -> tuple[LevelTemplate, ...]:
    """The level rows of a grant, less the contact and membership (``Store.insert_levels``)."""
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


def _level_rows(
    contact_id: int, membership_id: int, templates: Iterable[LevelTemplate]
) -> list[tuple[object, ...]]:
    return [(contact_id, membership_id, *template) for template in templates]


def _membership_values(contact_id: int, plan_id: int, term: Term) -> dict[str, object]:
    return {
        "contact_id": contact_id,
        "plan_id": plan_id,
        "start_on": iso(term.start_on),
        "end_on": iso(term.end_on),
        "grace_end_on": iso(term.grace_end_on),
    }


def add_membership(conn: sqlite3.Connection, contact_key: str, plan_code: str, start: dt.date) -> Created:
    """Create a membership and grant its levels from the rules in force on ``start``."""
    store = Store(conn)
    with write(conn):
        contact = store.contact(contact_key)
        plan = store.plan(plan_code)
        existing = store.membership_exists(contact.id, plan.id, start)
        if existing:
            raise Invalid(f"{contact.label} already holds {plan.code} from {start} (membership {existing}).")
        term = membership_term(plan, start)
        membership_id = store.insert_membership(_membership_values(contact.id, plan.id, term))
        grants = grants_for(term, store.rules(plan.id), store.types_by_id())
        store.insert_levels(_level_rows(contact.id, membership_id, _templates(grants)))
    return Created(store.membership(membership_id), len(grants))


@dataclass
class ImportSummary:
    rows: int = 0
    added: int = 0
    present: int = 0
    levels: int = 0
    errors: list[CsvError] = field(default_factory=list)


class _Granter:
    """Grants for many memberships, computed once per (plan, start date): an import of
    50,000 members holds only a few hundred distinct start dates."""

    def __init__(self, rules: dict[int, list[PlanBenefit]], types: dict[int, BenefitType]):
        self.rules = rules
        self.types = types
        self.grants = lru_cache(maxsize=4096)(self._grants)

    def _grants(self, plan: Plan, start: dt.date) -> tuple[Term, tuple[LevelTemplate, ...]]:
        term = membership_term(plan, start)
        return term, _templates(grants_for(term, self.rules.get(plan.id, []), self.types))


def import_memberships(
    conn: sqlite3.Connection,
    path: Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    dayfirst: bool | None = None,
) -> ImportSummary:
    """Import ``contact, plan, start_on`` rows, all or nothing; a row already present
    (same contact, plan and start) adds nothing, so the import can be run again."""
    from benefit_cli.csvio.dates import parse_date
    from benefit_cli.csvio.reader import open_csv

    store = Store(conn)
    summary = ImportSummary()
    with (
        write(conn),
        open_csv(path, columns=MEMBERSHIP_COLUMNS, encoding=encoding, delimiter=delimiter) as source,
    ):
        store.bulk_mode()
        contacts = store.contact_keys()
        plans = store.plans_by_code()
        present = store.membership_keys()
        granter = _Granter(store.all_rules(), store.types_by_id())
        levels: list[tuple[object, ...]] = []
        for row_number, values, _raw in source.rows():
            summary.rows += 1
            contact_id = contacts.get(values["contact"])
            plan = plans.get(values["plan"].upper())
            problems = []
            if contact_id is None:
                problems.append(
                    CsvError(
                        f'no contact "{values["contact"]}"; import contacts first.', row_number, "contact"
                    )
                )
            if plan is None:
                problems.append(
                    CsvError(f'no plan "{values["plan"]}"; see: benefit plan list.', row_number, "plan")
                )
            try:
                start = parse_date(values["start_on"], dayfirst=dayfirst)
            except ValueError as exc:
                problems.append(CsvError(str(exc), row_number, "start_on"))
            if problems:
                summary.errors.extend(problems)
                continue
            assert contact_id is not None and plan is not None
            key = (contact_id, plan.id, start.isoformat())
            if key in present:
                summary.present += 1
                continue
            present.add(key)
            term, grants = granter.grants(plan, start)
            membership_id = store.insert_membership(_membership_values(contact_id, plan.id, term))
            levels.extend(_level_rows(contact_id, membership_id, grants))
            summary.added += 1
            if len(levels) >= 50_000:
                summary.levels += len(levels)
                store.insert_levels(levels)
                levels.clear()
        if summary.errors:
            raise RowErrors(summary.errors)
        summary.levels += len(levels)
        store.insert_levels(levels)
    return summary


def cancel_membership(conn: sqlite3.Connection, membership_id: int, on: dt.date) -> Membership:
    """Cancel on ``on``: its levels cannot be used after that day."""
    store = Store(conn)
    with write(conn):
        membership = store.membership(membership_id)
        if membership.cancelled_on is not None:
            raise Invalid(f"Membership {membership_id} was already cancelled on {membership.cancelled_on}.")
        if on < membership.start_on:
            raise Invalid(
                f"Membership {membership_id} starts on {membership.start_on};"
                " it cannot be cancelled before it starts."
            )
        store.cancel_membership(membership_id, on)
    return store.membership(membership_id)
