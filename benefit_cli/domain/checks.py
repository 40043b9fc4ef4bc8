"""Invariant checks over plain data. They return findings and never raise: ``db check``
prints them and its exit code is the verdict."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benefit_cli.domain.allocation import LevelSplit
from benefit_cli.domain.models import Allocation, Level, PlanBenefit
from benefit_cli.domain.planrules import describe


@dataclass(frozen=True)
class Finding:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


def check_allocations(level: Level, allocations: Iterable[Allocation]) -> list[Finding]:
    """Invariant 1: active allocations never sum to more than the level's quantity."""
    total = sum(a.number for a in allocations if a.active)
    if total > level.quantity:
        return [Finding("allocation-limit", f"level {level.id} has {total} allocated of {level.quantity}")]
    return []


def check_split(level: Level, split: LevelSplit, allocation_remaining: dict[int, int]) -> list[Finding]:
    """Invariant 2: no balance below zero."""
    findings = []
    if split.own_remaining < 0:
        findings.append(Finding("negative-balance", f"level {level.id} has {split.own_remaining} left"))
    for allocation_id, remaining in allocation_remaining.items():
        if remaining < 0:
            findings.append(
                Finding(
                    "negative-balance", f"allocation {allocation_id} of level {level.id} has {remaining} left"
                )
            )
    return findings


def check_reported(
    level_id: int,
    own_remaining: int,
    allocation_remaining: dict[int, int],
    reported: dict[tuple[int, int | None], int],
) -> list[Finding]:
    """Every balance recomputed from the entries equals what the store's view reports."""
    findings = []
    expected: list[tuple[int | None, int]] = [(None, own_remaining), *allocation_remaining.items()]
    for part, value in expected:
        shown = reported.get((level_id, part))
        if shown != value:
            where = f"allocation {part} of level {level_id}" if part else f"level {level_id}"
            findings.append(
                Finding("balance-mismatch", f"{where}: recomputed {value}, the balances view reports {shown}")
            )
    return findings


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
