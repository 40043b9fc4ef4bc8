"""Invariant checks over plain data. They return findings and never raise: ``db check``
prints them and its exit code is the verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benefit_cli.domain.models import PlanBenefit
from benefit_cli.domain.planrules import describe


@dataclass(frozen=True)
class Finding:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def check_rule_overlaps(rules: Sequence[PlanBenefit]) -> list[Finding]:
    """Invariant 6: rules of one plan and type never overlap."""
    findings = []
    ordered = sorted(rules, key=lambda r: (r.plan_id, r.type_id, r.begin_on))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if (earlier.plan_id, earlier.type_id) != (later.plan_id, later.type_id):
            continue
        if earlier.end_on is None or earlier.end_on >= later.begin_on:
            findings.append(
                Finding(
                    "rule-overlap", f"plan {earlier.plan_id}: {describe(earlier)} overlaps {describe(later)}"
                )
            )
    return findings
