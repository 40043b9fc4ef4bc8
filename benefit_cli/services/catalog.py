"""The catalog: benefit types, plans and the plan benefits that say what a plan gives.

Every function here runs inside the transaction it is given and takes typed values:
codes already normalised, quantities in the unit's storage (cents for money).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from benefit_cli.db.store import Tx
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import BenefitType, Plan, PlanBenefit
from benefit_cli.domain.planrules import place_rule, rule_to_end

# -- benefit types ---------------------------------------------------------------------------


def add_type(
    tx: Tx,
    code: str,
    name: str,
    unit: str,
    category: str,
    unit_value: int = 0,
    kind: str = "standard",
    group: str | None = None,
    description: str | None = None,
    schedule: str | None = None,
) -> BenefitType:
    if tx.catalog.type_exists(code):
        raise Invalid(f'A benefit type "{code}" already exists; change it with: benefit type update {code}.')
    tx.catalog.add_type(
        {
            "code": code,
            "name": name,
            "category": category,
            "unit": unit,
            "unit_value": unit_value,
            "kind": kind,
            "exclusive_group": group,
            "description": description,
            "schedule": schedule,
        }
    )
    return tx.catalog.type(code)


def update_type(tx: Tx, current: BenefitType, changes: dict[str, Any]) -> BenefitType:
    """Change the given columns of a type (``unit``, ``unit_value``, ``kind``, ...); a unit
    already granted in never changes."""
    unit = changes.get("unit")
    if unit is not None and unit != current.unit and tx.catalog.type_usage(current.id).levels:
        raise Invalid(
            f'"{current.code}" was already granted in {current.unit}; its unit cannot change.'
            " Add a new type instead."
        )
    tx.catalog.update_type(current.id, changes)
    return tx.catalog.type(current.code)


def retire_type(tx: Tx, current: BenefitType) -> BenefitType:
    tx.catalog.update_type(current.id, {"active": False})
    return tx.catalog.type(current.code)


def delete_type(tx: Tx, current: BenefitType) -> BenefitType:
    """Invariant 8: a type ever granted or allocated can only be retired."""
    usage = tx.catalog.type_usage(current.id)
    if usage.levels or usage.allocations:
        raise Invalid(
            f'"{current.code}" was granted {usage.levels} time(s) and cannot be deleted;'
            f" retire it instead with: benefit type retire {current.code}."
        )
    if usage.rules:
        raise Invalid(
            f'"{current.code}" is named by {usage.rules} plan benefit(s); retire it with:'
            f" benefit type retire {current.code}."
        )
    regtypes = tx.events.regtypes_naming(current.id)
    if regtypes:
        raise Invalid(
            f'"{current.code}" is used by {regtypes} event registration type(s); retire it with:'
            f" benefit type retire {current.code}."
        )
    tx.catalog.delete_type(current.id)
    return current


# -- plans -------------------------------------------------------------------------------------


def add_plan(tx: Tx, code: str, name: str, term_months: int, grace_days: int = 0, price: int = 0) -> Plan:
    if tx.catalog.plan_exists(code):
        raise Invalid(f'A plan "{code}" already exists.')
    tx.catalog.add_plan(
        {"code": code, "name": name, "term_months": term_months, "grace_days": grace_days, "price": price}
    )
    return tx.catalog.plan(code)


@dataclass(frozen=True)
class RuleAdded:
    rule: PlanBenefit
    closed: PlanBenefit | None


def add_rule(
    tx: Tx,
    plan: Plan,
    benefit_type: BenefitType,
    quantity: int,
    per: str,
    begin_on: dt.date,
    end_on: dt.date | None = None,
    priority: int | None = None,
    associates: bool = False,
    price_portion: int | None = None,
    rollover_percent: int | None = None,
    rollover_max: int | None = None,
) -> RuleAdded:
    """Add a plan benefit, closing an open-ended predecessor (invariant 6)."""
    if not benefit_type.active:
        raise Invalid(f'"{benefit_type.code}" is retired; a plan cannot give it any more.')
    if rollover_percent is not None and not 0 <= rollover_percent <= 100:
        raise Invalid(f"A rollover percent is between 0 and 100, not {rollover_percent}.")
    existing = tx.catalog.rules(plan.id, benefit_type.id)
    closure = place_rule(existing, begin_on, end_on, f"{plan.code} {benefit_type.code}")
    if closure is not None:
        tx.catalog.end_rule(closure.rule_id, closure.end_on)
    rule_id = tx.catalog.add_rule(
        {
            "plan_id": plan.id,
            "type_id": benefit_type.id,
            "quantity": quantity,
            "per": per,
            "begin_on": begin_on,
            "end_on": end_on,
            "priority": priority or 50,
            "associates": associates,
            "price_portion": price_portion,
            "rollover_percent": rollover_percent,
            "rollover_max": rollover_max,
        }
    )
    return RuleAdded(tx.catalog.rule(rule_id), tx.catalog.rule(closure.rule_id) if closure else None)


def end_rule(tx: Tx, plan: Plan, benefit_type: BenefitType, on: dt.date) -> PlanBenefit:
    """End-date the plan benefit in force on ``on``; it is never deleted (invariant 6)."""
    label = f"{plan.code} {benefit_type.code}"
    rule = rule_to_end(tx.catalog.rules(plan.id, benefit_type.id), on, label)
    if rule.begin_on > on:
        raise Invalid(f"The {label} rule begins on {rule.begin_on}; it cannot end before that.")
    tx.catalog.end_rule(rule.id, on)
    return tx.catalog.rule(rule.id)
