"""The foundation end to end through the command line: catalog, plans, memberships, levels,
allocations, delegates, imports, the database file and the demo.

Data is read back with ``-f json``; every refusal must be exactly one ``Error:`` line, the
right exit code, no traceback, and an unchanged database file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CONTACT_ROWS,
    CONTACTS_HEADER,
    Cli,
    one_error,
    refused,
    rows,
    snapshot,
    write_csv,
)

# -- the seed's family example -----------------------------------------------------------------


def test_family_plan_splits_five_reduced_admissions_and_refuses_a_sixth(cli, db):
    cli("type", "add", "REDUCED", "--name", "Reduced admission", "--unit", "count",
        "--category", "admissions", "--value", "9.00")
    cli("plan", "add", "FAMILY", "--name", "Family", "--term", "12", "--grace", "30")
    cli("plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "5", "--begin", "2026-01-01")
    cli("contact", "add", "José Álvarez", "--ref", "OWNER")
    for ref in ("CARMEN", "LUCIA", "MATEO", "ABUELA"):
        cli("contact", "add", ref.title(), "--ref", ref)
    cli("membership", "add", "OWNER", "FAMILY", "--start", "2026-03-01")

    [level] = rows(cli, "level", "list", "--contact", "OWNER")
    assert (level["type"], level["quantity"], level["source"]) == ("REDUCED", 5, "plan")

    cli("allocate", level["id"], "OWNER", "--number", "2")
    for ref in ("CARMEN", "LUCIA", "MATEO"):
        cli("allocate", level["id"], ref, "--number", "1")

    allocations = rows(cli, "allocation", "list", "--level", level["id"])
    assert sorted((a["contact_ref"], a["number"]) for a in allocations) == [
        ("CARMEN", 1), ("LUCIA", 1), ("MATEO", 1), ("OWNER", 2)]
    [level] = rows(cli, "level", "list", "--contact", "OWNER")
    assert (level["quantity"], level["allocated_out"], level["remaining"]) == (5, 3, 0)

    line = refused(cli, db, "allocate", level["id"], "ABUELA", "--number", "1")
    assert "0 remain unallocated" in line
    assert "REDUCED" in line and f"level {level['id']}" in line


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


# -- cards and the type-deletion rule (invariant 8) --------------------------------------------


def test_a_card_of_an_exclusive_group_ends_the_contacts_earlier_card(cli, db):
    for code, name in (("MEMBERCARD", "Member card"), ("GOLDCARD", "Gold card")):
        cli("type", "add", code, "--name", name, "--unit", "count", "--category", "cards",
            "--kind", "card", "--group", "CARD")
    cli("contact", "add", "Owner", "--ref", "O")
    cli("contact", "add", "Ann", "--ref", "A")
    cli("level", "add", "O", "MEMBERCARD", "--quantity", "2", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [member_level] = rows(cli, "level", "list", "--type", "MEMBERCARD")
    cli("level", "add", "O", "GOLDCARD", "--quantity", "1", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [gold_level] = rows(cli, "level", "list", "--type", "GOLDCARD")

    cli("allocate", member_level["id"], "A", "--start", "2026-01-01")
    cli("allocate", member_level["id"], "O", "--start", "2026-01-01")  # another contact's card
    cli("allocate", gold_level["id"], "A", "--start", "2026-05-01")

    listed = {(a["contact_ref"], a["type"]): a for a in rows(cli, "allocation", "list")}
    assert len(listed) == 3
    earlier = listed[("A", "MEMBERCARD")]
    assert (earlier["status"], earlier["starts_on"], earlier["stops_on"]) == (
        "ended", "2026-01-01", "2026-04-30")
    newer = listed[("A", "GOLDCARD")]
    assert (newer["status"], newer["starts_on"]) == ("offered", "2026-05-01")
    assert listed[("O", "MEMBERCARD")]["status"] == "offered"
    assert rows(cli, "allocation", "list", "--contact", "A") == [earlier, newer]

    line = refused(cli, db, "type", "delete", "GOLDCARD")
    assert "GOLDCARD" in line and "retire" in line


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


# -- every command's unhappy paths -------------------------------------------------------------


ADD_TYPE = ["type", "add", "NEWTYPE", "--name", "New", "--unit", "count", "--category", "c"]
RULE = ["plan", "benefit", "add", "FAMILY", "GUESTPASS"]
LEVEL = ["level", "add", "O", "REDUCED"]
LEVEL_OK = [*LEVEL, "--quantity", "1", "--start", "2026-03-01", "--expires", "2026-12-31"]

UNKNOWN = [
    (["contact", "show", "NOPE"], '"NOPE"'),
    (["contact", "add", "Dora", "--of", "NOPE"], '"NOPE"'),
    (["type", "update", "NOPE", "--name", "x"], '"NOPE"'),
    (["type", "retire", "NOPE"], '"NOPE"'),
    (["type", "delete", "NOPE"], '"NOPE"'),
    (["plan", "benefit", "add", "NOPE", "REDUCED", "--quantity", "1"], '"NOPE"'),
    (["plan", "benefit", "add", "FAMILY", "NOPE", "--quantity", "1"], '"NOPE"'),
    (["plan", "benefit", "list", "NOPE"], '"NOPE"'),
    (["plan", "benefit", "end", "NOPE", "REDUCED", "--on", "2026-06-30"], '"NOPE"'),
    (["plan", "benefit", "end", "FAMILY", "NOPE", "--on", "2026-06-30"], '"NOPE"'),
    (["membership", "add", "NOPE", "FAMILY", "--start", "2026-05-01"], '"NOPE"'),
    (["membership", "add", "B", "NOPE", "--start", "2026-05-01"], '"NOPE"'),
    (["membership", "list", "--contact", "NOPE"], '"NOPE"'),
    (["membership", "list", "--plan", "NOPE"], '"NOPE"'),
    (["membership", "show", "99"], "99"),
    (["membership", "cancel", "99"], "99"),
    (["level", "add", "NOPE", "REDUCED", "--quantity", "1", "--expires", "2026-12-31"], '"NOPE"'),
    (["level", "add", "O", "NOPE", "--quantity", "1", "--expires", "2026-12-31"], '"NOPE"'),
    ([*LEVEL_OK, "--membership", "99"], "99"),
    (["level", "list", "--contact", "NOPE"], '"NOPE"'),
    (["level", "list", "--type", "NOPE"], '"NOPE"'),
    (["allocate", "99", "A"], "level 99"),
    (["allocate", "1", "NOPE"], '"NOPE"'),
    (["allocation", "list", "--contact", "NOPE"], '"NOPE"'),
    (["allocation", "list", "--level", "99"], "level 99"),
    (["allocation", "list", "--type", "NOPE"], '"NOPE"'),
    (["allocation", "accept", "99"], "99"),
    (["allocation", "decline", "99"], "99"),
    (["allocation", "deliver", "99"], "99"),
    (["allocation", "end", "99"], "99"),
    (["delegate", "add", "99", "B"], "level 99"),
    (["delegate", "add", "1", "NOPE"], '"NOPE"'),
    (["delegate", "remove", "99", "C"], "level 99"),
    (["delegate", "remove", "1", "NOPE"], '"NOPE"'),
    (["contact", "import", "no-such-file.csv"], "no-such-file.csv"),
    (["membership", "import", "no-such-file.csv"], "no-such-file.csv"),
]


@pytest.mark.parametrize(("args", "names"), UNKNOWN, ids=[" ".join(a) for a, _ in UNKNOWN])
def test_an_unknown_thing_is_refused_by_name(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=1)
    assert names in line


DATE_OPTIONS = [
    (["contact", "add", "Dora"], "--joined"),
    (["contact", "list"], "--joined-from"),
    (["contact", "list"], "--joined-to"),
    ([*RULE, "--quantity", "1"], "--begin"),
    ([*RULE, "--quantity", "1", "--begin", "2027-01-01"], "--end"),
    (["plan", "benefit", "end", "FAMILY", "REDUCED"], "--on"),
    (["membership", "add", "B", "FAMILY"], "--start"),
    (["membership", "list"], "--active-on"),
    (["membership", "cancel", "1"], "--on"),
    ([*LEVEL, "--quantity", "1", "--expires", "2026-12-31"], "--start"),
    ([*LEVEL, "--quantity", "1"], "--expires"),
    (["allocate", "1", "A"], "--start"),
    (["allocate", "1", "A"], "--stop"),
    (["allocation", "accept", "1"], "--on"),
    (["allocation", "decline", "1"], "--on"),
    (["allocation", "deliver", "1"], "--on"),
    (["allocation", "end", "1"], "--on"),
]


@pytest.mark.parametrize("bad", ["2026-13-01", "01/02/2026", "2026-02-30"])
@pytest.mark.parametrize(("args", "option"), DATE_OPTIONS,
                         ids=[f"{' '.join(a[:2])} {o}" for a, o in DATE_OPTIONS])
def test_a_bad_date_is_wrong_usage(cli, family_world, args, option, bad):
    line = refused(cli, family_world, *args, option, bad, code=2)
    assert option in line and bad in line


QUANTITY_OPTIONS = [
    ([*RULE, "--begin", "2027-01-01"], "--quantity"),
    ([*LEVEL, "--expires", "2026-12-31"], "--quantity"),
    (["allocate", "1", "A"], "--number"),
]


@pytest.mark.parametrize("bad", ["0", "-3", "1.5", "two", ""])
@pytest.mark.parametrize(("args", "option"), QUANTITY_OPTIONS,
                         ids=[f"{a[0]} {o}" for a, o in QUANTITY_OPTIONS])
def test_a_quantity_must_be_a_positive_whole_number(cli, family_world, args, option, bad):
    line = refused(cli, family_world, *args, option, bad, code=2)
    assert option in line


USAGE = [
    pytest.param([*ADD_TYPE[:6], "litres", *ADD_TYPE[7:]], "litres", id="type add --unit litres"),
    pytest.param([*ADD_TYPE, "--kind", "gift"], "gift", id="type add --kind gift"),
    pytest.param([*ADD_TYPE, "--value", "-5"], "--value", id="type add --value -5"),
    pytest.param([*ADD_TYPE, "--value", "1.234"], "--value", id="type add --value 1.234"),
    pytest.param([*ADD_TYPE, "--schedule", "EVERY TUESDAY"], "--schedule",
                 id="type add --schedule"),
    pytest.param(["type", "update", "REDUCED", "--unit", "litres"], "litres",
                 id="type update --unit"),
    pytest.param(["type", "update", "REDUCED", "--kind", "gift"], "gift", id="type update --kind"),
    pytest.param(["type", "update", "REDUCED"], "", id="type update with nothing to change"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "0"], "--term",
                 id="plan add --term 0"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "-12"], "--term",
                 id="plan add --term -12"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "12", "--grace", "-1"],
                 "--grace",
                 id="plan add --grace -1"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "12", "--price", "-1.00"],
                 "--price",
                 id="plan add --price -1.00"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--per", "week"], "week",
                 id="plan benefit add --per week"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--priority", "0"],
                 "--priority",
                 id="plan benefit add --priority 0"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--priority", "101"],
                 "--priority",
                 id="plan benefit add --priority 101"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--rollover-percent", "101"],
                 "--rollover-percent", id="plan benefit add --rollover-percent 101"),
    pytest.param([*LEVEL_OK, "--priority", "0"], "--priority", id="level add --priority 0"),
    pytest.param([*LEVEL_OK, "--source", "gift"], "gift", id="level add --source gift"),
    pytest.param([*LEVEL, "--quantity", "1"], "--expires", id="level add without --expires"),
    pytest.param(["contact", "add", " "], "name", id="contact add with an empty name"),
    pytest.param(["contact", "add", "Dora", "--business", "--of", "BIZ"], "--of",
                 id="contact add --business --of"),
]


@pytest.mark.parametrize(("args", "names"), USAGE)
def test_a_malformed_option_value_is_wrong_usage(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=2)
    assert names in line


REFUSED = [
    pytest.param(["contact", "add", "Dora", "--ref", "O"], '"O"', id="duplicate contact ref"),
    pytest.param(["contact", "add", "Dora", "--of", "A"], '"A"', id="--of a person"),
    pytest.param(["type", "add", "REDUCED", "--name", "x", "--unit", "count", "--category", "c"],
                 '"REDUCED"', id="duplicate type code"),
    pytest.param(["type", "add", "reduced", "--name", "x", "--unit", "count", "--category", "c"],
                 '"REDUCED"', id="duplicate type code in another case"),
    pytest.param(["type", "delete", "REDUCED"], "retire", id="delete a granted type"),
    pytest.param(["plan", "add", "FAMILY", "--name", "x", "--term", "12"], '"FAMILY"',
                 id="duplicate plan code"),
    pytest.param(["plan", "add", "family", "--name", "x", "--term", "12"], '"FAMILY"',
                 id="duplicate plan code in another case"),
    pytest.param(["plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "3", "--begin",
                  "2026-01-01"], "rule 1 ", id="rule overlapping rule 1"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2026-06-01", "--end", "2026-05-01"],
                 "2026-05-01", id="rule ending before it begins"),
    pytest.param(["plan", "benefit", "add", "FAMILY", "OLD", "--quantity", "1"], '"OLD"',
                 id="rule of a retired type"),
    pytest.param(["plan", "benefit", "end", "FAMILY", "GUESTPASS", "--on", "2026-06-30"],
                 "GUESTPASS", id="end a rule that is not there"),
    pytest.param(["plan", "benefit", "end", "FAMILY", "REDUCED", "--on", "2025-06-30"],
                 "2025-06-30", id="end a rule before it begins"),
    pytest.param(["membership", "add", "O", "FAMILY", "--start", "2026-03-01"], "membership 1",
                 id="duplicate membership"),
    pytest.param(["membership", "add", "O", "family", "--start", "2026-03-01"], "membership 1",
                 id="duplicate membership, plan code in another case"),
    pytest.param(["membership", "cancel", "2"], "Membership 2", id="membership cancel twice"),
    pytest.param(["membership", "cancel", "1", "--on", "2026-02-28"], "Membership 1",
                 id="cancel before the start"),
    pytest.param(["level", "add", "O", "OLD", "--quantity", "1", "--expires", "2026-12-31"],
                 '"OLD"', id="grant a retired type"),
    pytest.param([*LEVEL, "--quantity", "1", "--start", "2026-05-01", "--expires", "2026-04-30"],
                 "2026-04-30", id="level expiring before it starts"),
    pytest.param(["level", "add", "B", "REDUCED", "--quantity", "1", "--membership", "1"],
                 "Membership 1", id="level tied to another contact's membership"),
    pytest.param(["allocate", "1", "A", "--number", "3"], "2 remain unallocated",
                 id="allocation beyond the level"),
    pytest.param(["allocate", "1", "A", "--start", "2026-02-28"], "Level 1",
                 id="allocation starting before the level"),
    pytest.param(["allocate", "1", "A", "--stop", "2027-03-01"], "Level 1",
                 id="allocation stopping after the level"),
    pytest.param(["allocate", "1", "A", "--start", "2026-06-01", "--stop", "2026-05-31"],
                 "2026-05-31", id="allocation stopping before it starts"),
    pytest.param(["allocation", "accept", "2"], "Allocation 2", id="accept twice"),
    pytest.param(["allocation", "decline", "2"], "Allocation 2", id="decline after accept"),
    pytest.param(["allocation", "accept", "3"], "Allocation 3", id="accept after decline"),
    pytest.param(["allocation", "decline", "3"], "Allocation 3", id="decline twice"),
    pytest.param(["allocation", "accept", "4"], "Allocation 4", id="accept an ended one"),
    pytest.param(["allocation", "end", "4"], "Allocation 4", id="end twice"),
    pytest.param(["allocation", "end", "3"], "Allocation 3", id="end a declined one"),
    pytest.param(["allocation", "deliver", "5", "--on", "2026-03-04"], "Allocation 5",
                 id="deliver twice"),
    pytest.param(["allocation", "end", "1", "--on", "2026-02-28"], "Allocation 1",
                 id="end before it starts"),
    pytest.param(["delegate", "add", "1", "C"], '"C"', id="delegate add twice"),
    pytest.param(["delegate", "add", "1", "O"], '"O"', id="delegate the owner"),
    pytest.param(["delegate", "remove", "1", "A"], '"A"', id="remove a non-delegate"),
]


@pytest.mark.parametrize(("args", "names"), REFUSED)
def test_a_refused_command_names_the_thing_and_changes_nothing(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=1)
    assert names in line


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "1.5"], id="--term 1.5"),
        pytest.param(["allocation", "accept", "abc"], id="allocation id abc"),
        pytest.param(["membership", "show", "x"], id="membership id x"),
        pytest.param(["contact", "add"], id="missing argument"),
        pytest.param(["contact", "add", "Dora", "--colour", "red"], id="unknown option"),
    ],
)
def test_a_usage_error_caught_by_the_parser_is_one_error_line(cli, family_world, args):
    refused(cli, family_world, *args, code=2)


def test_a_second_delegation_after_removal_and_a_second_removal(cli, family_world):
    cli("delegate", "remove", "1", "C")
    line = refused(cli, family_world, "delegate", "remove", "1", "C")
    assert '"C"' in line
    cli("delegate", "add", "1", "C")


# -- contact import ----------------------------------------------------------------------------


def test_contact_import_is_idempotent_by_ref(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS)
    first = cli("contact", "import", path)
    assert "3 added" in first.stderr
    imported = rows(cli, "contact", "list")
    assert [(c["ref"], c["kind"], c["business_ref"], c["joined_on"]) for c in imported] == [
        ("B1", "business", None, "2026-01-02"), ("P1", "person", "B1", "2026-01-03"),
        ("P2", "person", None, None)]

    second = cli("contact", "import", path)
    assert "0 added" in second.stderr and "3 already present" in second.stderr
    assert rows(cli, "contact", "list") == imported


def test_a_changed_contact_is_an_error_naming_the_row_unless_update(cli, db, tmp_path):
    cli("contact", "import", write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS))
    before = rows(cli, "contact", "list")
    changed = write_csv(tmp_path / "changed.csv", CONTACTS_HEADER, CONTACT_ROWS[0],
                        "P1,Ann Lee,person,B1,ann.lee@new.example.org,2026-01-03", CONTACT_ROWS[2])

    result = cli("contact", "import", changed, code=1)
    one_error(result)
    assert any("row 3" in line and "P1" in line for line in result.stderr.splitlines())
    assert rows(cli, "contact", "list") == before

    cli("contact", "import", changed, "--update")
    after = {c["ref"]: c for c in rows(cli, "contact", "list")}
    assert after["P1"]["email"] == "ann.lee@new.example.org"
    assert {ref: c for ref, c in after.items() if ref != "P1"} == {
        c["ref"]: c for c in before if c["ref"] != "P1"}


def test_a_business_ref_to_an_unknown_business_names_row_and_column(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, CONTACT_ROWS[0],
                     "P1,Ann Lee,person,B404,ann@example.org,")
    result = cli("contact", "import", path, code=1)
    one_error(result)
    assert any("row 3" in line and "business_ref" in line and "B404" in line
               for line in result.stderr.splitlines())
    assert rows(cli, "contact", "list") == []


def test_contact_import_is_all_or_nothing(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS,
                     "P3,,person,,nameless@example.org,")
    before = snapshot(db)
    result = cli("contact", "import", path, code=1)
    one_error(result)
    assert any("row 5" in line and "name" in line for line in result.stderr.splitlines())
    assert snapshot(db) == before


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


# -- the database file -------------------------------------------------------------------------

NEEDS_A_DATABASE = [
    ["contact", "list"],
    ["contact", "add", "Ann"],
    ["contact", "show", "C1"],
    ["type", "list"],
    ["type", "add", "X", "--name", "x", "--unit", "count", "--category", "c"],
    ["plan", "list"],
    ["plan", "add", "X", "--name", "x", "--term", "12"],
    ["membership", "list"],
    ["level", "list"],
    ["allocation", "list"],
    ["db", "check"],
    ["db", "stats"],
    ["db", "migrate"],
    ["db", "backup", "copy.db"],
]


@pytest.mark.parametrize("args", NEEDS_A_DATABASE, ids=" ".join)
def test_a_missing_database_is_refused_and_not_created(cli, isolated_db, tmp_path, monkeypatch,
                                                      args):
    monkeypatch.chdir(tmp_path)
    result = cli(*args, code=1)
    line = one_error(result)
    assert str(isolated_db) in line and "db init" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", NEEDS_A_DATABASE[:4] + [["db", "check"]], ids=" ".join)
def test_a_typo_in_db_is_refused_and_not_created(cli, db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    cli("contact", "add", "Ann", "--ref", "A")
    before = snapshot(db)
    typo = tmp_path / "benefts.db"
    line = one_error(cli("--db", typo, *args, code=1))
    assert str(typo) in line
    assert not typo.exists()
    assert not Path(f"{typo}-wal").exists()
    assert not (tmp_path / "copy.db").exists()
    assert snapshot(db) == before


def test_db_init_creates_the_named_file_and_its_folder(cli, tmp_path):
    path = tmp_path / "new" / "folder" / "museum.db"
    cli("--db", path, "db", "init")
    assert path.exists()
    cli("--db", path, "db", "check")


def test_operator_and_benefit_operator_are_recorded(cli, db, monkeypatch):
    cli("--operator", "alice", "contact", "add", "Ann", "--ref", "A")
    monkeypatch.setenv("BENEFIT_OPERATOR", "bob")
    cli("contact", "add", "Ben", "--ref", "B")
    cli("--operator", "carol", "type", "add", "GUESTPASS", "--name", "Guest pass", "--unit",
        "count", "--category", "adm")
    cli("--operator", "carol", "plan", "add", "IND", "--name", "Individual", "--term", "12")
    cli("--operator", "carol", "plan", "benefit", "add", "IND", "GUESTPASS", "--quantity", "2",
        "--begin", "2026-01-01")
    cli("--operator", "dave", "membership", "add", "A", "IND", "--start", "2026-02-01")
    cli("--operator", "erin", "allocate", "1", "B")
    cli("--operator", "frank", "allocation", "accept", "1", "--on", "2026-02-02")
    cli("--operator", "gina", "type", "update", "GUESTPASS", "--value", "18.00")

    conn = sqlite3.connect(db)
    try:
        def who(sql: str) -> list[Any]:
            return [tuple(r) for r in conn.execute(sql)]

        assert who("SELECT ref, created_by FROM contacts ORDER BY ref") == [
            ("A", "alice"), ("B", "bob")]
        assert who("SELECT created_by, updated_by FROM benefit_types") == [("carol", "gina")]
        assert who("SELECT created_by FROM plans") == [("carol",)]
        assert who("SELECT created_by FROM plan_benefits") == [("carol",)]
        assert who("SELECT created_by FROM memberships") == [("dave",)]
        assert who("SELECT DISTINCT created_by FROM levels") == [("dave",)]
        assert who("SELECT created_by, updated_by FROM allocations") == [("erin", "frank")]
        stamps = who("SELECT created_at FROM contacts")
        assert all(s[0] and s[0].endswith("+00:00") for s in stamps)
    finally:
        conn.close()


def test_db_check_on_a_fresh_database_finds_nothing(cli, db):
    cli("db", "check")


def test_db_backup_makes_a_copy_that_opens_with_the_same_contacts(cli, db, tmp_path):
    for ref in ("A", "B", "C"):
        cli("contact", "add", f"Person {ref}", "--ref", ref)
    contacts = rows(cli, "contact", "list")
    copy = tmp_path / "backups" / "copy.db"
    cli("db", "backup", copy)
    assert rows(cli, "--db", copy, "contact", "list") == contacts
    cli("--db", copy, "db", "check")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_db_backup_onto_an_existing_file_is_refused(cli, db, tmp_path):
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"not to be overwritten")
    line = one_error(cli("db", "backup", existing, code=1))
    assert str(existing) in line
    assert existing.read_bytes() == b"not to be overwritten"


def test_db_stats_names_the_file_in_use(cli, db):
    cli("contact", "add", "Ann", "--ref", "A")
    result = cli("db", "stats")
    assert str(db.resolve()) in result.stdout
    assert "contacts: 1" in result.stdout


def test_db_init_on_an_existing_database_keeps_its_data(cli, db):
    cli("contact", "add", "Ann", "--ref", "A")
    before = rows(cli, "contact", "list")
    cli("db", "init")
    cli("db", "migrate")
    assert rows(cli, "contact", "list") == before


# -- the demo ----------------------------------------------------------------------------------


def test_demo_builds_prints_the_tour_and_passes_db_check(cli, tmp_path):
    path = tmp_path / "demo.db"
    result = cli("--db", path, "demo")
    output = result.stdout + result.stderr
    assert "tour" in output.lower()
    assert str(path) in output
    cli("--db", path, "db", "check")

    # The seed's family example is in the sample data: 5 reduced admissions split 2+1+1+1.
    [level] = rows(cli, "--db", path, "level", "list", "--contact", "C000116", "--type", "REDUCED")
    assert level["quantity"] == 5
    split = sorted(a["number"] for a in rows(cli, "--db", path, "allocation", "list",
                                              "--level", level["id"]))
    assert split == [1, 1, 1, 2]

    contacts = rows(cli, "--db", path, "contact", "list")
    before = snapshot(path)
    line = one_error(cli("--db", path, "demo", code=1))
    assert "--replace" in line
    assert snapshot(path) == before

    cli("--db", path, "demo", "--replace")
    cli("--db", path, "db", "check")
    assert rows(cli, "--db", path, "contact", "list") == contacts
