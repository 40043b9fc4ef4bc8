"""``db check``: SQLite's own checks, then every SPEC invariant over the whole file."""

from __future__ import annotations

from benefit_cli.db.store import Store
from benefit_cli.domain.allocation import allocation_remaining
from benefit_cli.domain.checks import (
    Finding,
    check_allocations,
    check_reported,
    check_rule_overlaps,
    check_split,
)
from benefit_cli.services.balances import level_states


def run_checks(store: Store) -> list[Finding]:
    checks = store.checks
    findings = [Finding("integrity", message) for message in checks.integrity_problems()]
    findings += [Finding("foreign-key", message) for message in checks.foreign_key_problems()]
    rules = [rule for plan_rules in store.catalog.all_rules().values() for rule in plan_rules]
    findings += check_rule_overlaps(rules)
    levels = store.memberships.levels()
    reported = store.balances.view_balances()
    for start in range(0, len(levels), 2000):
        states = level_states(store, levels[start : start + 2000])
        for state in states.values():
            remaining = {a.id: allocation_remaining(a, change) for a, change in state.allocations}
            findings += check_allocations(state.level, (a for a, _ in state.allocations))
            findings += check_split(state.level, state.split, remaining)
            findings += check_reported(state.level.id, state.split.own_remaining, remaining, reported)
    findings += [Finding("ledger", message) for message in checks.ledger_problems()]
    return findings
