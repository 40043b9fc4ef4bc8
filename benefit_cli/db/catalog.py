"""The catalog: benefit types, plans, and the plan benefits (rules) that say what a plan gives."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any, NamedTuple

from benefit_cli.db.base import Part
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import BenefitType, Plan, PlanBenefit
from benefit_cli.domain.text import closest, did_you_mean


class TypeUsage(NamedTuple):
    """How often a type was granted, allocated and named by plan rules."""

    levels: int
    allocations: int
    rules: int


def _type(row: sqlite3.Row) -> BenefitType:
    return BenefitType(
        row["id"],
        row["code"],
        row["name"],
        row["category"],
        row["unit"],
        row["unit_value"],
        row["kind"],
        row["exclusive_group"],
        row["description"],
        row["schedule"],
        bool(row["active"]),
    )


def _plan(row: sqlite3.Row) -> Plan:
    return Plan(row["id"], row["code"], row["name"], row["term_months"], row["grace_days"], row["price"])


def _rule(row: sqlite3.Row) -> PlanBenefit:
    return PlanBenefit(
        row["id"],
        row["plan_id"],
        row["type_id"],
        row["quantity"],
        row["per"],
        dt.date.fromisoformat(row["begin_on"]),
        from_iso(row["end_on"]),
        row["priority"],
        bool(row["associates"]),
        row["price_portion"],
        row["rollover_percent"],
        row["rollover_max"],
    )


class Catalog(Part):
    # -- benefit types ---------------------------------------------------------------------

    def type(self, code: str) -> BenefitType:
        """A type by its code, in any case."""
        code = code.strip().upper()
        row = self._one("SELECT * FROM benefit_types WHERE code = ?", (code,))
        if row is None:
            raise NotFound(
                f'No benefit type "{code}".{did_you_mean(self._similar(code, "benefit_types"))} See the'
                " catalog with: benefit type list --all."
            )
        return _type(row)

    def _similar(self, code: str, table: str) -> list[str]:
        """The codes ``code`` may have been meant as: a catalog holds few, so all are compared."""
        return closest(code, (row[0] for row in self.conn.execute(f"SELECT code FROM {table}")))

    def type_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM benefit_types WHERE code = ?", (code.upper(),)) is not None

    def type_by_id(self, type_id: int) -> BenefitType:
        row = self._one("SELECT * FROM benefit_types WHERE id = ?", (type_id,))
        assert row is not None
        return _type(row)

    def types_by_id(self) -> dict[int, BenefitType]:
        return {row["id"]: _type(row) for row in self.conn.execute("SELECT * FROM benefit_types")}

    def types(self, include_retired: bool) -> list[BenefitType]:
        where = "" if include_retired else "WHERE active = 1"
        return [_type(r) for r in self.conn.execute(f"SELECT * FROM benefit_types {where} ORDER BY code")]

    def add_type(self, values: dict[str, Any]) -> int:
        return self._insert("benefit_types", values)

    def update_type(self, type_id: int, values: dict[str, Any]) -> None:
        self._update("benefit_types", type_id, values)

    def delete_type(self, type_id: int) -> None:
        self.conn.execute("DELETE FROM benefit_types WHERE id = ?", (type_id,))

    def type_usage(self, type_id: int) -> TypeUsage:
        row = self._one(
            "SELECT (SELECT count(*) FROM levels WHERE type_id = :t),"
            " (SELECT count(*) FROM allocations a JOIN levels l ON l.id = a.level_id WHERE l.type_id = :t),"
            " (SELECT count(*) FROM plan_benefits WHERE type_id = :t)",
            {"t": type_id},
        )
        return TypeUsage(*row)

    # -- plans -------------------------------------------------------------------------------

    def plan(self, code: str) -> Plan:
        code = code.strip().upper()
        row = self._one("SELECT * FROM plans WHERE code = ?", (code,))
        if row is None:
            raise NotFound(
                f'No plan "{code}".{did_you_mean(self._similar(code, "plans"))} See the plans with:'
                " benefit plan list."
            )
        return _plan(row)

    def plans_by_id(self) -> dict[int, Plan]:
        return {row["id"]: _plan(row) for row in self.conn.execute("SELECT * FROM plans")}

    def plans_by_code(self) -> dict[str, Plan]:
        return {row["code"]: _plan(row) for row in self.conn.execute("SELECT * FROM plans")}

    def plan_exists(self, code: str) -> bool:
        return self._one("SELECT 1 FROM plans WHERE code = ?", (code.upper(),)) is not None

    def plans(self) -> list[Plan]:
        return [_plan(r) for r in self.conn.execute("SELECT * FROM plans ORDER BY code")]

    def add_plan(self, values: dict[str, Any]) -> int:
        return self._insert("plans", values)

    # -- plan benefits (rules) ---------------------------------------------------------------

    def rules(self, plan_id: int, type_id: int | None = None) -> list[PlanBenefit]:
        sql, params = "SELECT * FROM plan_benefits WHERE plan_id = ?", [plan_id]
        if type_id is not None:
            sql += " AND type_id = ?"
            params.append(type_id)
        return [_rule(r) for r in self.conn.execute(sql + " ORDER BY type_id, begin_on", params)]

    def rule(self, rule_id: int) -> PlanBenefit:
        row = self._one("SELECT * FROM plan_benefits WHERE id = ?", (rule_id,))
        assert row is not None
        return _rule(row)

    def all_rules(self) -> dict[int, list[PlanBenefit]]:
        """Every plan's rules, by plan id."""
        by_plan: dict[int, list[PlanBenefit]] = {}
        for row in self.conn.execute("SELECT * FROM plan_benefits ORDER BY type_id, begin_on"):
            rule = _rule(row)
            by_plan.setdefault(rule.plan_id, []).append(rule)
        return by_plan

    def add_rule(self, values: dict[str, Any]) -> int:
        return self._insert("plan_benefits", values)

    def end_rule(self, rule_id: int, end_on: dt.date) -> None:
        self._update("plan_benefits", rule_id, {"end_on": end_on})
