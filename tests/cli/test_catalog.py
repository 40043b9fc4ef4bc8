"""The catalog through the command line: effective-dated plan benefit rules (invariants 6 and
7) and benefit types, which are deleted only if never granted and retired otherwise
(invariant 8).

Data is read back with ``-f json``; every refusal must be exactly one ``Error:`` line, the
right exit code, no traceback, and an unchanged database file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, refused, rows

# -- effective-dated plan benefits (invariants 6 and 7) ----------------------------------------


@pytest.fixture
def guestpass_plan(cli: Cli, db: Path) -> Path:
    cli("type", "add", "GUESTPASS", "--name", "Guest pass", "--unit", "count",
        "--category", "admissions")
    cli("plan", "add", "INDIVIDUAL", "--name", "Individual", "--term", "12")
    for ref in ("MARCH", "JUNE30", "JULY1", "AUGUST"):
        cli("contact", "add", ref.title(), "--ref", ref)
    return db


def guest_levels(cli: Cli, ref: str) -> list[dict[str, Any]]:
    return rows(cli, "level", "list", "--contact", ref, "--type", "GUESTPASS")


def test_a_new_rule_closes_the_open_ended_one_and_only_later_memberships_get_it(
    cli, guestpass_plan
):
    cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "4",
        "--begin", "2026-01-01")
    cli("membership", "add", "MARCH", "INDIVIDUAL", "--start", "2026-03-01")
    march_before = guest_levels(cli, "MARCH")
    assert [lv["quantity"] for lv in march_before] == [4]

    cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "6",
        "--begin", "2026-07-01")
    rules = rows(cli, "plan", "benefit", "list", "INDIVIDUAL")
    assert [(r["quantity"], r["begin_on"], r["end_on"]) for r in rules] == [
        (4, "2026-01-01", "2026-06-30"), (6, "2026-07-01", None)]

    cli("membership", "add", "JUNE30", "INDIVIDUAL", "--start", "2026-06-30")
    cli("membership", "add", "JULY1", "INDIVIDUAL", "--start", "2026-07-01")
    cli("membership", "add", "AUGUST", "INDIVIDUAL", "--start", "2026-08-01")
    assert [lv["quantity"] for lv in guest_levels(cli, "JUNE30")] == [4]
    assert [lv["quantity"] for lv in guest_levels(cli, "JULY1")] == [6]
    assert [lv["quantity"] for lv in guest_levels(cli, "AUGUST")] == [6]
    assert guest_levels(cli, "MARCH") == march_before


@pytest.mark.parametrize(
    ("begin", "end", "overlapped"),
    [
        pytest.param("2026-05-01", "2026-06-15", 0, id="inside the closed rule"),
        pytest.param("2026-07-01", None, 1, id="same begin as the open-ended rule"),
        pytest.param("2025-06-01", None, 0, id="open-ended before both"),
        pytest.param("2026-06-15", "2026-07-15", 0, id="straddles both"),
    ],
)
def test_an_overlapping_rule_is_refused_naming_the_rule_it_overlaps(
    cli, guestpass_plan, begin, end, overlapped
):
    cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "4",
        "--begin", "2026-01-01")
    cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "6",
        "--begin", "2026-07-01")
    rules = rows(cli, "plan", "benefit", "list", "INDIVIDUAL")
    args = ["plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "5",
            "--begin", begin] + (["--end", end] if end else [])
    line = refused(cli, guestpass_plan, *args)
    assert f"rule {rules[overlapped]['id']} " in line
    assert rows(cli, "plan", "benefit", "list", "INDIVIDUAL") == rules


def test_ending_a_rule_keeps_it_listed_and_stops_granting_after_it(cli, guestpass_plan):
    cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "4",
        "--begin", "2026-01-01")
    cli("plan", "benefit", "end", "INDIVIDUAL", "GUESTPASS", "--on", "2026-06-30")
    [rule] = rows(cli, "plan", "benefit", "list", "INDIVIDUAL")
    assert (rule["begin_on"], rule["end_on"]) == ("2026-01-01", "2026-06-30")
    cli("membership", "add", "JUNE30", "INDIVIDUAL", "--start", "2026-06-30")
    cli("membership", "add", "JULY1", "INDIVIDUAL", "--start", "2026-07-01")
    assert [lv["quantity"] for lv in guest_levels(cli, "JUNE30")] == [4]
    assert guest_levels(cli, "JULY1") == []


# -- the type-deletion rule (invariant 8) ------------------------------------------------------


@pytest.mark.parametrize("how", ["membership", "manual level"])
def test_a_granted_type_cannot_be_deleted_only_retired(cli, db, how):
    cli("type", "add", "GUESTPASS", "--name", "Guest pass", "--unit", "count",
        "--category", "admissions")
    cli("contact", "add", "Ann", "--ref", "A")
    if how == "membership":
        cli("plan", "add", "INDIVIDUAL", "--name", "Individual", "--term", "12")
        cli("plan", "benefit", "add", "INDIVIDUAL", "GUESTPASS", "--quantity", "2",
            "--begin", "2026-01-01")
        cli("membership", "add", "A", "INDIVIDUAL", "--start", "2026-02-01")
    else:
        cli("level", "add", "A", "GUESTPASS", "--quantity", "2", "--start", "2026-02-01",
            "--expires", "2026-12-31")
    granted = rows(cli, "level", "list", "--contact", "A")

    line = refused(cli, db, "type", "delete", "GUESTPASS")
    assert "GUESTPASS" in line and "retire" in line

    cli("type", "retire", "GUESTPASS")
    assert "GUESTPASS" not in [t["code"] for t in rows(cli, "type", "list")]
    [retired] = [t for t in rows(cli, "type", "list", "--all") if t["code"] == "GUESTPASS"]
    assert retired["active"] is False
    assert rows(cli, "level", "list", "--contact", "A") == granted


def test_a_never_used_type_can_be_deleted(cli, db):
    cli("type", "add", "TYPO", "--name", "Typo", "--unit", "count", "--category", "x")
    cli("type", "add", "KEEP", "--name", "Keep", "--unit", "pages", "--category", "x")
    cli("type", "delete", "typo")
    assert [t["code"] for t in rows(cli, "type", "list", "--all")] == ["KEEP"]
