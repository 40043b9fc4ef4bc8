"""``db check``: SQLite's own checks, then every SPEC invariant over the whole file, each
read set-wise in SQL so the check stays quick and small however large the ledger grows."""

from __future__ import annotations

from benefit_cli.db.store import Store
from benefit_cli.domain.checks import Finding, check_rule_overlaps


def run_checks(store: Store) -> list[Finding]:
    checks = store.checks
    findings = [Finding("integrity", message) for message in checks.integrity_problems()]
    findings += [Finding("foreign-key", message) for message in checks.foreign_key_problems()]
    rules = [rule for plan_rules in store.catalog.all_rules().values() for rule in plan_rules]
    findings += check_rule_overlaps(rules)
    findings += [Finding("allocation-limit", message) for message in checks.over_allocated()]
    findings += [Finding("negative-balance", message) for message in checks.overdrawn()]
    findings += [Finding("ledger", message) for message in checks.ledger_problems()]
    findings += [Finding("view", message) for message in checks.drifted_views()]
    return findings
