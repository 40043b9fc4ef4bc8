"""Who may use a business's benefits (SPEC §1 "Who may use what"; issue 12 items 6 and 9):
a delegate named once for a whole membership uses every level of it and of its renewals;
``delegate list`` says who may use what; associates of the business use the benefits its
plan shares with them, by ``use`` and by import, without any delegate added by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import refused, rows, write_csv

TODAY = "2026-03-15"


@pytest.fixture
def business(cli, db, monkeypatch):
    """B1 (a business) holds membership 1 of BIZ from 2026-01-31: 10 TICKET a month (shared
    with associates) and 60 ROOM minutes a month (not shared). E1 works for B1; X1 does not.
    Today is 2026-03-15."""
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    cli("contact", "add", "Acme", "--ref", "B1", "--business")
    cli("contact", "add", "Emma Employee", "--ref", "E1", "--of", "B1")
    cli("contact", "add", "Xavier Outsider", "--ref", "X1")
    cli("type", "add", "TICKET", "--name", "Event ticket", "--unit", "count", "--category", "events")
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "rooms")
    cli("plan", "add", "BIZ", "--name", "Business", "--term", "12")
    cli("plan", "benefit", "add", "BIZ", "TICKET", "--quantity", "10", "--per", "month",
        "--begin", "2026-01-01", "--associates")
    cli("plan", "benefit", "add", "BIZ", "ROOM", "--quantity", "60", "--per", "month",
        "--begin", "2026-01-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    return db


def level_on(cli, type_code: str, day: str) -> int:
    [level] = [lv["id"] for lv in rows(cli, "level", "list", "--contact", "B1", "--type", type_code)
               if lv["starts_on"] <= day <= lv["expires_on"]]
    return int(level)


def renew(db: Path, renewal: int, of: int) -> None:
    """Link a membership to the one it renews, as the renewal run does (issue 14 builds the
    run; the link is all delegation reads)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE memberships SET renewed_from = ? WHERE id = ?", (of, renewal))
    conn.close()


# -- 9. a delegate of a whole membership -------------------------------------------------------------


def test_one_delegation_of_a_membership_covers_all_its_monthly_levels(cli, business):
    line = refused(cli, business, "use", "X1", "TICKET", "--on", "2026-03-01")
    assert "no TICKET balance" in line
    result = cli("delegate", "add", "--membership", "1", "X1")
    assert '"X1" may now use every level of membership 1 and its renewals.' in result.stderr

    for day, type_code in (("2026-02-01", "TICKET"), ("2026-03-01", "ROOM"), ("2027-01-30", "TICKET")):
        used = cli("use", "X1", type_code, "--on", day)
        assert f"from level {level_on(cli, type_code, day)}," in used.stderr
    assert len(rows(cli, "delegate", "list")) == 1


def test_a_delegation_of_a_membership_covers_renewals_made_later(cli, business):
    cli("delegate", "add", "--membership", "1", "X1")
    cli("membership", "add", "B1", "BIZ", "--start", "2027-01-31")   # membership 2
    cli("membership", "add", "B1", "BIZ", "--start", "2028-01-31")   # membership 3
    refused(cli, business, "use", "X1", "TICKET", "--on", "2027-02-15")  # not a renewal yet
    renew(business, 2, of=1)
    renew(business, 3, of=2)
    cli("use", "X1", "TICKET", "--on", "2027-02-15")
    cli("use", "X1", "TICKET", "--on", "2028-02-15")
    listed = rows(cli, "delegate", "list", "--membership", "3")
    assert [(d["contact_ref"], d["membership_id"], d["plan"], d["owner_ref"]) for d in listed] == [
        ("X1", 1, "BIZ", "B1")]


def test_delegate_list_says_who_may_use_what(cli, business):
    ticket = level_on(cli, "TICKET", "2026-03-01")
    cli("delegate", "add", "--membership", "1", "X1")
    cli("delegate", "add", ticket, "E1")
    columns = cli("delegate", "list", "-f", "csv").stdout.splitlines()[0].split(",")
    assert columns == ["id", "contact_ref", "contact", "owner_ref", "level_id", "type",
                       "membership_id", "plan", "added_on", "added_by"]
    everything = rows(cli, "delegate", "list")
    assert [(d["contact_ref"], d["level_id"], d["type"], d["membership_id"]) for d in everything] == [
        ("X1", None, None, 1), ("E1", ticket, "TICKET", None)]
    assert [d["contact_ref"] for d in rows(cli, "delegate", "list", "--contact", "E1")] == ["E1"]
    assert [d["contact_ref"] for d in rows(cli, "delegate", "list", "--level", ticket)] == ["X1", "E1"]
    other = level_on(cli, "TICKET", "2026-05-01")
    assert [d["contact_ref"] for d in rows(cli, "delegate", "list", "--level", other)] == ["X1"]
    assert [d["contact_ref"] for d in rows(cli, "delegate", "list", "--membership", "1")] == [
        "X1", "E1"]
    assert refused(cli, business, "delegate", "list", "--membership", "9") == (
        "Error: No membership 9. Find it with: benefit membership list --contact C.")


def test_removing_a_membership_delegation_takes_every_level_back(cli, business):
    cli("delegate", "add", "--membership", "1", "X1")
    ticket = level_on(cli, "TICKET", "2026-03-01")
    assert refused(cli, business, "delegate", "remove", ticket, "X1") == (
        f'Error: "X1" (Xavier Outsider) may use level {ticket} as a delegate of membership 1; remove'
        " that with: benefit delegate remove --membership 1 X1.")
    cli("delegate", "remove", "--membership", "1", "X1")
    refused(cli, business, "use", "X1", "TICKET", "--on", "2026-03-01")
    assert rows(cli, "delegate", "list") == []
    assert refused(cli, business, "delegate", "remove", "--membership", "1", "X1") == (
        'Error: "X1" (Xavier Outsider) is not a delegate of membership 1.')


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(["delegate", "add", "--membership", "1", "B1"],
                     'Error: "B1" (Acme) holds membership 1; an owner needs no delegation.',
                     id="the owner"),
        pytest.param(["delegate", "add", "--membership", "1", "X1"],
                     'Error: "X1" (Xavier Outsider) is already a delegate of membership 1.',
                     id="twice"),
        pytest.param(["delegate", "add", "1", "X1"],
                     'Error: "X1" (Xavier Outsider) is already a delegate of membership 1, which covers'
                     " level 1.", id="a level the membership covers"),
        pytest.param(["delegate", "add", "--membership", "9", "X1"],
                     "Error: No membership 9. Find it with: benefit membership list --contact C.",
                     id="no such membership"),
    ],
)
def test_a_delegation_that_adds_nothing_is_refused(cli, business, args, error):
    cli("delegate", "add", "--membership", "1", "X1")
    assert refused(cli, business, *args) == error


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(["delegate", "add", "X1"],
                     "Error: Give a level and a contact (e.g. 31 C000105), or --membership ID and a"
                     " contact.", id="no level"),
        pytest.param(["delegate", "add", "1", "X1", "--membership", "1"],
                     "Error: Give --membership ID and a contact, or a level and a contact, not both.",
                     id="both"),
        pytest.param(["delegate", "remove", "one", "X1"],
                     'Error: LEVEL "one" is not a level id: ids are whole numbers from 1 to'
                     ' 9223372036854775807. Find it with: benefit level list --contact C.', id="a word"),
    ],
)
def test_a_delegation_needs_a_level_or_a_membership(cli, business, args, error):
    assert refused(cli, business, *args, code=2) == error


def test_a_delegation_through_an_earlier_membership_is_refused_on_its_renewal(cli, business):
    cli("delegate", "add", "--membership", "1", "X1")
    cli("membership", "add", "B1", "BIZ", "--start", "2027-01-31")
    renew(business, 2, of=1)
    assert refused(cli, business, "delegate", "add", "--membership", "2", "X1") == (
        'Error: "X1" (Xavier Outsider) is already a delegate of membership 2 through membership 1,'
        " which it renews.")


# -- 6. associates of the business ------------------------------------------------------------------


def test_people_of_the_business_use_what_its_plan_shares_with_associates(cli, business, tmp_path):
    ticket = level_on(cli, "TICKET", "2026-03-01")
    used = cli("use", "E1", "TICKET", "--on", "2026-03-01")
    assert f"Used 1 from level {ticket}," in used.stderr
    # ROOM is not shared with associates; X1 is not one of the business's people.
    assert "no ROOM balance" in refused(cli, business, "use", "E1", "ROOM", "--on", "2026-03-01")
    assert "no TICKET balance" in refused(cli, business, "use", "X1", "TICKET", "--on", "2026-03-01")

    data = write_csv(tmp_path / "usage.csv", "contact,type,quantity,used_on",
                     "E1,TICKET,2,2026-03-02", "E1,TICKET,1,2026-04-02")
    cli("usage", "import", data)
    uses = [(u["contact_ref"], u["quantity"], u["level_id"]) for u in rows(cli, "usage", "list")]
    assert uses == [("E1", 1, ticket), ("E1", 2, ticket),
                    ("E1", 1, level_on(cli, "TICKET", "2026-04-02"))]

    shown = cli("contact", "show", "E1", "-f", "json").json()
    shared = shown["delegate_levels"]
    assert {lv["type"] for lv in shared} == {"TICKET"} and len(shared) == 12
    assert all(lv["contact_ref"] == "B1" for lv in shared)


def test_a_person_who_leaves_the_business_no_longer_uses_its_benefits(cli, business):
    """Read when used: the link to the business decides, not a copy made when E1 joined.
    (``contact update --of`` is not built yet; the test changes the link as it would.)"""
    cli("use", "E1", "TICKET", "--on", "2026-03-01")
    conn = sqlite3.connect(business)
    with conn:
        conn.execute("UPDATE contacts SET business_id = NULL WHERE ref = 'E1'")
    conn.close()
    assert "no TICKET balance" in refused(cli, business, "use", "E1", "TICKET", "--on", "2026-03-02")
