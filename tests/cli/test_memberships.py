"""Memberships and the levels they grant, through the command line: a monthly rule's levels
anchored on the start, and ``membership import`` (idempotent, all or nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CONTACT_ROWS, CONTACTS_HEADER, Cli, one_error, rows, snapshot, write_csv

# -- periods -----------------------------------------------------------------------------------


def test_a_monthly_rule_gives_twelve_levels_anchored_on_a_month_end_start(cli, db):
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes",
        "--category", "facilities")
    cli("plan", "add", "COWORK", "--name", "Coworking", "--term", "12", "--grace", "10")
    cli("plan", "benefit", "add", "COWORK", "ROOM", "--quantity", "300", "--per", "month",
        "--begin", "2026-01-01")
    cli("contact", "add", "Desk", "--ref", "DESK")
    cli("membership", "add", "DESK", "COWORK", "--start", "2026-01-31")

    [membership] = rows(cli, "membership", "list", "--contact", "DESK")
    assert (membership["start_on"], membership["end_on"], membership["grace_end_on"]) == (
        "2026-01-31", "2027-01-30", "2027-02-09")

    levels = rows(cli, "level", "list", "--contact", "DESK", "--type", "ROOM")
    assert len(levels) == 12
    assert {lv["quantity"] for lv in levels} == {300}
    assert {lv["membership_id"] for lv in levels} == {membership["id"]}
    spans = sorted((lv["starts_on"], lv["expires_on"]) for lv in levels)
    assert spans[0] == ("2026-01-31", "2026-02-27")
    assert spans[1] == ("2026-02-28", "2026-03-30")
    assert spans[2] == ("2026-03-31", "2026-04-29")
    assert spans[-1] == ("2026-12-31", "2027-01-30")
    assert [s for s, _ in spans] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
        "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31"]


# -- membership import -------------------------------------------------------------------------


@pytest.fixture
def crm(cli: Cli, db: Path, tmp_path: Path) -> Path:
    cli("contact", "import", write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS))
    cli("type", "add", "ADMIT", "--name", "Admission", "--unit", "count", "--category", "adm")
    cli("plan", "add", "INDIVIDUAL", "--name", "Individual", "--term", "12")
    cli("plan", "benefit", "add", "INDIVIDUAL", "ADMIT", "--quantity", "1", "--per", "month",
        "--begin", "2026-01-01")
    return db


def test_membership_import_twice_adds_nothing(cli, crm, tmp_path):
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on",
                     "P1,INDIVIDUAL,2026-02-01", "P2,individual,2026-03-15")
    first = cli("membership", "import", path)
    assert "2 memberships added" in first.stderr
    memberships = rows(cli, "membership", "list")
    assert [(m["contact_ref"], m["plan"], m["start_on"], m["end_on"]) for m in memberships] == [
        ("P1", "INDIVIDUAL", "2026-02-01", "2027-01-31"),
        ("P2", "INDIVIDUAL", "2026-03-15", "2027-03-14")]
    levels = rows(cli, "level", "list")
    assert len(levels) == 24

    second = cli("membership", "import", path)
    assert "0 memberships added" in second.stderr and "2 already present" in second.stderr
    assert rows(cli, "membership", "list") == memberships
    assert rows(cli, "level", "list") == levels


def test_membership_import_skips_a_membership_added_by_hand(cli, crm, tmp_path):
    cli("membership", "add", "P1", "INDIVIDUAL", "--start", "2026-02-01")
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on", "P1,INDIVIDUAL,2026-02-01")
    result = cli("membership", "import", path)
    assert "1 already present" in result.stderr
    assert len(rows(cli, "membership", "list")) == 1


@pytest.mark.parametrize(
    ("bad_row", "column", "value"),
    [
        ("P2,NOPLAN,2026-03-15", "plan", "NOPLAN"),
        ("P404,INDIVIDUAL,2026-03-15", "contact", "P404"),
        ("P2,INDIVIDUAL,2026-13-15", "start_on", "2026-13-15"),
    ],
)
def test_membership_import_names_row_and_column_and_imports_nothing(
    cli, crm, tmp_path, bad_row, column, value
):
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on",
                     "P1,INDIVIDUAL,2026-02-01", bad_row, "B1,INDIVIDUAL,2026-04-01")
    before = snapshot(crm)
    result = cli("membership", "import", path, code=1)
    one_error(result)
    assert any("row 3" in line and column in line and value in line
               for line in result.stderr.splitlines()), result.stderr
    assert snapshot(crm) == before
