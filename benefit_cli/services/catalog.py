"""The catalog: benefit types, plans and the plan benefits that say what a plan gives."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

from benefit_cli.db.connection import write
from benefit_cli.db.store import Store
from benefit_cli.domain.dates import iso
from benefit_cli.domain.errors import Invalid, UsageError
from benefit_cli.domain.models import KINDS, PERIODS, UNITS, BenefitType, Plan, PlanBenefit
from benefit_cli.domain.planrules import place_rule, rule_to_end
from benefit_cli.services.common import money, priority, quantity


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise UsageError(f'{what} must be one of {", ".join(allowed)}; got "{value}".')
    return value


def _code(code: str, what: str) -> str:
    code = code.strip().upper()
    if not code or any(ch.isspace() for ch in code):
        raise UsageError(f'{what} "{code}" must be one word without spaces, e.g. GUESTPASS.')
    return code


# -- benefit types ---------------------------------------------------------------------------


def add_type(
    conn: sqlite3.Connection,
    code: str,
    name: str,
    unit: str,
    category: str,
    value: str | None = None,
    kind: str = "standard",
    group: str | None = None,
    description: str | None = None,
    schedule: str | None = None,
) -> BenefitType:
    code = _code(code, "The type code")
    values = {
        "code": code,
        "name": name.strip(),
        "category": category.strip(),
        "unit": _choice(unit, UNITS, "--unit"),
        "unit_value": money(value, "--value"),
        "kind": _choice(kind, KINDS, "--kind"),
        "exclusive_group": (group or "").strip().upper() or None,
        "description": description,
        "schedule": _schedule(schedule, kind),
    }
    if not values["name"]:
        raise UsageError("--name must not be empty.")
    store = Store(conn)
    with write(conn):
        if store.benefit_type_exists(code):
            raise Invalid(
                f'A benefit type "{code}" already exists; change it with: benefit type update {code}.'
            )
        store.insert_type(values)
    return store.benefit_type(code)


def _schedule(schedule: str | None, kind: str) -> str | None:
    if not schedule:
        return None
    from dateutil.rrule import rrulestr

    try:
        rrulestr(schedule, dtstart=dt.datetime(2026, 1, 1))
    except (ValueError, TypeError) as exc:
        raise UsageError(
            f'--schedule "{schedule}" is not an RFC 5545 RRULE ({exc}); e.g. FREQ=MONTHLY;BYMONTHDAY=1.'
        ) from exc
    return schedule


def update_type(conn: sqlite3.Connection, code: str, **changes: Any) -> BenefitType:
    store = Store(conn)
    current = store.benefit_type(code)
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key == "unit":
            unit = _choice(value, UNITS, "--unit")
            if unit != current.unit and store.type_usage(current.id)["levels"]:
                raise Invalid(
                    f'"{current.code}" was already granted in {current.unit}; its unit'
                    " cannot change. Add a new type instead."
                )
            values["unit"] = unit
        elif key == "value":
            values["unit_value"] = money(value, "--value")
        elif key == "kind":
            values["kind"] = _choice(value, KINDS, "--kind")
        elif key == "group":
            values["exclusive_group"] = value.strip().upper() or None
        elif key == "schedule":
            values["schedule"] = _schedule(value, current.kind)
        else:
            values[key] = value
    if not values:
        raise UsageError("Nothing to update: give at least one option, e.g. --name or --value.")
    with write(conn):
        store.update_type(current.id, values)
    return store.benefit_type(current.code)


def retire_type(conn: sqlite3.Connection, code: str) -> BenefitType:
    store = Store(conn)
    current = store.benefit_type(code)
    with write(conn):
        store.update_type(current.id, {"active": 0})
    return store.benefit_type(current.code)


def delete_type(conn: sqlite3.Connection, code: str) -> BenefitType:
    """Invariant 8: a type ever granted or allocated can only be retired."""
    store = Store(conn)
    with write(conn):
        current = store.benefit_type(code)
        usage = store.type_usage(current.id)
        if usage["levels"] or usage["allocations"]:
            raise Invalid(
                f'"{current.code}" was granted {usage["levels"]} time(s) and cannot be deleted;'
                f" retire it instead with: benefit type retire {current.code}."
            )
        if usage["rules"]:
            raise Invalid(
                f'"{current.code}" is named by {usage["rules"]} plan benefit(s); retire it with:'
                f" benefit type retire {current.code}."
            )
        store.delete_type(current.id)
    return current


# -- plans -------------------------------------------------------------------------------------


def add_plan(
    conn: sqlite3.Connection,
    code: str,
    name: str,
    term: int,
    grace: int = 0,
    price: str | None = None,
) -> Plan:
    code = _code(code, "The plan code")
    if term <= 0:
        raise UsageError(f"--term must be a positive number of months, got {term}.")
    if grace < 0:
        raise UsageError(f"--grace must be zero or more days, got {grace}.")
    store = Store(conn)
    with write(conn):
        if store.plan_exists(code):
            raise Invalid(f'A plan "{code}" already exists.')
        store.insert_plan(
            {
                "code": code,
                "name": name.strip(),
                "term_months": term,
                "grace_days": grace,
                "price": money(price, "--price"),
            }
        )
    return store.plan(code)


@dataclass(frozen=True)
class RuleAdded:
    rule: PlanBenefit
    closed: PlanBenefit | None


def add_rule(
    conn: sqlite3.Connection,
    plan_code: str,
    type_code: str,
    quantity_text: str,
    per: str = "term",
    begin_on: dt.date | None = None,
    end_on: dt.date | None = None,
    priority_value: int | None = None,
    associates: bool = False,
    price_portion: str | None = None,
    rollover_percent: int | None = None,
    rollover_max: str | None = None,
    today: dt.date | None = None,
) -> RuleAdded:
    """Add a plan benefit, closing an open-ended predecessor (invariant 6)."""
    store = Store(conn)
    per = _choice(per, PERIODS, "--per")
    priority(priority_value)
    if rollover_percent is not None and not 0 <= rollover_percent <= 100:
        raise UsageError(f"--rollover-percent must be between 0 and 100, got {rollover_percent}.")
    with write(conn):
        plan = store.plan(plan_code)
        benefit_type = store.benefit_type(type_code)
        if not benefit_type.active:
            raise Invalid(f'"{benefit_type.code}" is retired; a plan cannot give it any more.')
        amount = quantity(quantity_text, benefit_type.unit)
        begin = begin_on or today or dt.date.today()
        existing = store.rules(plan.id, benefit_type.id)
        closure = place_rule(existing, begin, end_on, f"{plan.code} {benefit_type.code}")
        if closure is not None:
            store.end_rule(closure.rule_id, closure.end_on)
        rule_id = store.insert_rule(
            {
                "plan_id": plan.id,
                "type_id": benefit_type.id,
                "quantity": amount,
                "per": per,
                "begin_on": iso(begin),
                "end_on": iso(end_on),
                "priority": priority_value or 50,
                "associates": int(associates),
                "price_portion": money(price_portion, "--price-portion") if price_portion else None,
                "rollover_percent": rollover_percent,
                "rollover_max": quantity(rollover_max, benefit_type.unit, "--rollover-max")
                if rollover_max
                else None,
            }
        )
        rules = {r.id: r for r in store.rules(plan.id, benefit_type.id)}
    return RuleAdded(rules[rule_id], rules[closure.rule_id] if closure else None)


def end_rule(conn: sqlite3.Connection, plan_code: str, type_code: str, on: dt.date) -> PlanBenefit:
    """End-date a plan benefit; it is never deleted (invariant 6)."""
    store = Store(conn)
    with write(conn):
        plan = store.plan(plan_code)
        benefit_type = store.benefit_type(type_code)
        label = f"{plan.code} {benefit_type.code}"
        rules = store.rules(plan.id, benefit_type.id)
        rule = rule_to_end(rules, on, label)
        if rule.begin_on > on:
            raise Invalid(f"The {label} rule begins on {rule.begin_on}; it cannot end before that.")
        store.end_rule(rule.id, on)
    return next(r for r in store.rules(plan.id, benefit_type.id) if r.id == rule.id)


def list_rules(
    conn: sqlite3.Connection, plan_code: str, current_on: dt.date | None = None
) -> tuple[Plan, list[PlanBenefit], dict[int, BenefitType]]:
    store = Store(conn)
    plan = store.plan(plan_code)
    rules = store.rules(plan.id)
    if current_on is not None:
        rules = [r for r in rules if r.effective_on(current_on)]
    return plan, rules, store.types_by_id()
