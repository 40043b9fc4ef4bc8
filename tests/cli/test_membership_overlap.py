"""One membership of a plan at a time (SPEC §1; issue 12 item 7, GrowthZone's duplicate
membership pitfall): ``membership add`` and ``membership import`` refuse a term that
overlaps another membership of the same plan for the same contact, name the membership
already there (or the row of the file), and change nothing."""

from __future__ import annotations

import pytest
from conftest import problems, refused, rows, snapshot, write_csv

OVERLAP = (
    '"B1" (Acme) already holds BIZ from 2026-01-31 to 2027-01-30 (membership 1), which overlaps'
    " the new term 2026-06-01 to 2027-05-31; a contact holds one membership of a plan at a time."
    " Start the new one after 2027-01-30, or cancel membership 1 first."
)


@pytest.fixture
def member(cli, db):
    """B1 holds membership 1 of BIZ (12 months, 30 days' grace, 10 TICKET) from 2026-01-31
    to 2027-01-30; OTHER is another plan."""
    cli("contact", "add", "Acme", "--ref", "B1", "--business")
    cli("contact", "add", "Pat", "--ref", "P1")
    cli("type", "add", "TICKET", "--name", "Ticket", "--unit", "count", "--category", "events")
    for code in ("BIZ", "OTHER"):
        cli("plan", "add", code, "--name", code.title(), "--term", "12", "--grace", "30")
        cli("plan", "benefit", "add", code, "TICKET", "--quantity", "10", "--begin", "2026-01-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    return db


def test_a_second_membership_of_the_plan_overlapping_the_first_is_refused(cli, member):
    assert refused(cli, member, "membership", "add", "B1", "BIZ", "--start", "2026-06-01") == (
        f"Error: {OVERLAP}")
    assert len(rows(cli, "level", "list", "--contact", "B1")) == 1


@pytest.mark.parametrize("start", ["2026-01-31", "2025-02-01", "2027-01-30"])
def test_any_overlap_by_a_day_is_refused(cli, member, start):
    line = refused(cli, member, "membership", "add", "B1", "BIZ", "--start", start)
    assert "(membership 1)" in line


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["B1", "BIZ", "--start", "2027-01-31"], id="the day after it ends"),
        pytest.param(["B1", "BIZ", "--start", "2025-01-30"], id="ending the day before it starts"),
        pytest.param(["B1", "OTHER", "--start", "2026-06-01"], id="another plan"),
        pytest.param(["P1", "BIZ", "--start", "2026-06-01"], id="another contact"),
    ],
)
def test_terms_that_do_not_overlap_are_accepted(cli, member, args):
    """The grace period (here 30 days) does not count: a renewal starts the day after."""
    cli("membership", "add", *args)


def test_a_cancelled_membership_ends_the_day_before_its_cancellation(cli, member):
    cli("membership", "cancel", "1", "--on", "2026-06-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-06-01")
    line = refused(cli, member, "membership", "add", "B1", "BIZ", "--start", "2026-05-31")
    assert "from 2026-01-31 to 2026-05-31 (membership 1)" in line


def test_an_import_names_the_row_and_the_membership_already_there_and_imports_nothing(
        cli, member, tmp_path):
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on",
                     "P1,BIZ,2026-02-01", "B1,BIZ,2026-06-01")
    before = snapshot(member)
    result = cli("membership", "import", path, code=1)
    named = OVERLAP.replace('"B1" (Acme)', '"B1"')  # a file's row names the contact as written
    assert problems(result) == [f"row 3, column start_on: {named}"]
    assert result.error_lines == [
        "Error: 1 row has a problem, so nothing was imported; fix it and try again."]
    assert snapshot(member) == before


def test_an_import_refuses_two_rows_of_the_file_that_overlap(cli, member, tmp_path):
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on",
                     "P1,BIZ,2026-02-01", "P1,OTHER,2026-02-01", "P1,BIZ,2026-12-01")
    before = snapshot(member)
    result = cli("membership", "import", path, code=1)
    assert problems(result) == [
        'row 4, column start_on: row 2 of this file gives "P1" BIZ from 2026-02-01 to 2027-01-31,'
        " which overlaps this row's term 2026-12-01 to 2027-11-30; a contact holds one membership"
        " of a plan at a time. Keep one of the two rows, or start this one later."]
    assert snapshot(member) == before


def test_an_import_of_the_membership_already_there_still_adds_nothing(cli, member, tmp_path):
    path = write_csv(tmp_path / "members.csv", "contact,plan,start_on",
                     "B1,BIZ,2026-01-31", "B1,BIZ,2027-01-31")
    result = cli("membership", "import", path)
    assert "1 memberships added" in result.stderr and "1 already present" in result.stderr
    assert [m["start_on"] for m in rows(cli, "membership", "list", "--contact", "B1")] == [
        "2026-01-31", "2027-01-31"]


def test_a_membership_cancelled_on_its_first_day_still_holds_that_day_for_the_plan(cli, member):
    """It overlaps nothing (it ended the day before it began), but a second membership of
    the plan may not start the same day: one clear refusal, not a database error."""
    cli("membership", "cancel", "1", "--on", "2026-01-31")
    line = refused(cli, member, "membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    assert line == (
        'Error: "B1" (Acme) already had a membership of BIZ from 2026-01-31 (membership 1, cancelled'
        " on 2026-01-31); a contact's memberships of a plan start on different days. Start the new"
        " one on another day."
    )
    cli("membership", "add", "B1", "BIZ", "--start", "2026-02-01")  # another day is fine
