"""``benefit use`` and ``balance`` end to end (issue 3, "What must hold"): the consumption
order across levels, family allocations and business delegates, money exact to the cent,
and every refused use in one line that changes nothing.

Every test builds its own database with the CLI and reads the JSON output back; most end
with ``db check``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import (
    add_plan,
    add_type,
    assert_db_ok,
    balance,
    copy_db,
    level_starting,
    levels,
    manual_level,
    one_balance,
    run_on,
    usage,
)

# --- the seed's credit question --------------------------------------------------------------


def test_monthly_room_credit_refuses_the_fourth_booking_in_march(cli, db):
    add_type(cli, "ROOM", unit="minutes", category="space")
    add_plan(cli, "BUSINESS", "ROOM", "300", per="month")
    cli("contact", "add", "Ann Lee", "--ref", "C000123", "--joined", "2026-01-01")
    cli("membership", "add", "C000123", "BUSINESS", "--start", "2026-01-01")
    assert len(levels(cli, "C000123", "ROOM")) == 12
    march = level_starting(cli, "C000123", "ROOM", "2026-03-01")
    april = level_starting(cli, "C000123", "ROOM", "2026-04-01")
    assert march["expires_on"] == "2026-03-31"
    assert (march["quantity"], april["quantity"]) == (300, 300)

    for day in ("2026-03-04", "2026-03-11", "2026-03-18"):
        result = cli("use", "C000123", "ROOM", "--quantity", "90", "--on", day)
        assert len(result.stdout.split()) == 1  # one new entry id
    assert "30 minutes left there" in result.stderr

    refused = cli("use", "C000123", "ROOM", "--quantity", "90", "--on", "2026-03-25", code=1)
    assert refused.error_lines == [
        f'Error: Cannot use 90 minutes of ROOM for "C000123" (Ann Lee) on 2026-03-25: only'
        f" 30 minutes remain (30 minutes in level {march['id']}, expires 2026-03-31)."
    ]
    assert refused.stdout == ""
    assert [e["quantity"] for e in usage(cli, "--contact", "C000123")] == [90, 90, 90]
    assert {e["level_id"] for e in usage(cli, "--contact", "C000123")} == {march["id"]}

    with pytest.MonkeyPatch.context() as patch:  # level list shows each level as of today
        patch.setenv("BENEFIT_TODAY", "2026-04-01")
        april_now = level_starting(cli, "C000123", "ROOM", "2026-04-01")
    assert (april_now["used"], april_now["remaining"]) == (0, 300)

    # a balance counts every month that has started: January's and February's expired
    in_march = one_balance(cli, "C000123", "ROOM", "2026-03-20")
    assert (in_march["granted"], in_march["used"], in_march["remaining"]) == (900, 270, 30)
    assert (in_march["expires_on"], in_march["status"]) == ("2026-03-31", "current")
    in_april = one_balance(cli, "C000123", "ROOM", "2026-04-10")
    assert (in_april["granted"], in_april["used"], in_april["remaining"]) == (1200, 270, 300)
    assert in_april["expires_on"] == "2026-04-30"
    assert_db_ok(cli)


# --- consumption order -------------------------------------------------------------------------


def test_a_use_spans_levels_in_expiry_order_under_one_ref(cli, db):
    add_type(cli, "GUEST")
    add_plan(cli, "BASIC", "GUEST", "5")
    cli("contact", "add", "Bea", "--ref", "C1")
    cli("membership", "add", "C1", "BASIC", "--start", "2026-01-01")
    [plan_level] = levels(cli, "C1", "GUEST")
    assert plan_level["expires_on"] == "2026-12-31"
    manual = manual_level(cli, "C1", "GUEST", "2", "2026-01-01", "2026-04-30")

    result = cli("use", "C1", "GUEST", "--quantity", "3", "--on", "2026-04-01")
    ids = [int(x) for x in result.stdout.split()]
    assert len(ids) == 2
    assert f"Used 2 from level {manual}, expires 2026-04-30; 0 left there." in result.stderr
    assert (f"Used 1 from level {plan_level['id']}, expires 2026-12-31; 4 left there."
            in result.stderr)

    entries = usage(cli, "--contact", "C1")
    assert [(e["entry_id"], e["kind"], e["level_id"], e["quantity"]) for e in entries] == [
        (ids[0], "use", manual, 2),
        (ids[1], "use", plan_level["id"], 1),
    ]
    assert entries[0]["ref"] == entries[1]["ref"] and entries[0]["ref"]
    assert [e["entry_id"] for e in usage(cli, "--ref", entries[0]["ref"])] == ids
    assert one_balance(cli, "C1", "GUEST", "2026-04-01")["remaining"] == 4
    assert_db_ok(cli)


def test_a_lower_priority_number_is_drawn_first_whatever_its_expiry(cli, db):
    add_type(cli, "GUEST")
    cli("contact", "add", "Cy", "--ref", "C2")
    soon = manual_level(cli, "C2", "GUEST", "3", "2026-01-01", "2026-05-31")
    late = manual_level(cli, "C2", "GUEST", "3", "2026-01-01", "2026-12-31", "--priority", "10")

    result = cli("use", "C2", "GUEST", "--quantity", "4", "--on", "2026-04-01")
    assert f"Used 3 from level {late}, expires 2026-12-31; 0 left there." in result.stderr
    assert f"Used 1 from level {soon}, expires 2026-05-31; 2 left there." in result.stderr
    drawn = [(e["level_id"], e["quantity"]) for e in usage(cli, "--contact", "C2")]
    assert drawn == [(late, 3), (soon, 1)]
    assert_db_ok(cli)


def test_a_use_never_draws_from_a_level_not_yet_started_or_expired(cli, db):
    add_type(cli, "GUEST")
    cli("contact", "add", "Di", "--ref", "C3")
    manual_level(cli, "C3", "GUEST", "2", "2026-01-01", "2026-01-31")
    later = manual_level(cli, "C3", "GUEST", "2", "2026-03-01", "2026-03-31")
    refused = cli("use", "C3", "GUEST", "--on", "2026-02-10", code=1)
    assert refused.error_lines == [
        'Error: Cannot use 1 of GUEST for "C3" (Di) on 2026-02-10: no GUEST balance is valid on'
        " that date. The next balance starts on 2026-03-01."
    ]
    cli("use", "C3", "GUEST", "--on", "2026-03-02")
    assert [e["level_id"] for e in usage(cli)] == [later]
    assert_db_ok(cli)


# --- family ---------------------------------------------------------------------------------


def test_family_members_use_their_allocations_and_the_owner_keeps_two(cli, db):
    add_type(cli, "REDUCED", category="admissions")
    add_plan(cli, "FAMILY", "REDUCED", "5")
    for ref, name in [("F0", "Owner"), ("F1", "Kid One"), ("F2", "Kid Two"), ("F3", "Gran"),
                      ("F4", "Neighbour")]:
        cli("contact", "add", name, "--ref", ref)
    cli("membership", "add", "F0", "FAMILY", "--start", "2026-01-01")
    [level] = levels(cli, "F0", "REDUCED")
    cli("allocate", level["id"], "F0", "--number", "2")
    for member in ("F1", "F2", "F3"):
        cli("allocate", level["id"], member)
    refused = cli("allocate", level["id"], "F4", code=1)
    assert len(refused.error_lines) == 1

    owner = one_balance(cli, "F0", "REDUCED", "2026-03-01")
    assert (owner["granted"], owner["allocated_out"], owner["used"], owner["remaining"]) == (
        5, 3, 0, 2)

    for day, member in [("2026-03-01", "F1"), ("2026-03-02", "F2"), ("2026-03-03", "F3")]:
        cli("use", member, "REDUCED", "--on", day)
        row = one_balance(cli, member, "REDUCED", day)
        assert (row["granted"], row["used"], row["remaining"]) == (1, 1, 0)

    again = cli("use", "F2", "REDUCED", "--on", "2026-03-09", code=1)
    assert again.error_lines == [
        'Error: Cannot use 1 of REDUCED for "F2" (Kid Two) on 2026-03-09: 0 remain on that date.'
        " Grant some with: benefit level add F2 REDUCED --quantity N."
    ]
    stranger = cli("use", "F4", "REDUCED", "--on", "2026-03-09", code=1)
    assert stranger.error_lines == [
        'Error: Cannot use 1 of REDUCED for "F4" (Neighbour) on 2026-03-09: no REDUCED balance'
        " is valid on that date. Grant some with: benefit level add F4 REDUCED --quantity N."
    ]
    assert len(usage(cli)) == 3

    # The family's uses do not touch what the owner kept.
    owner = one_balance(cli, "F0", "REDUCED", "2026-03-10")
    assert (owner["granted"], owner["allocated_out"], owner["remaining"]) == (5, 3, 2)
    cli("use", "F0", "REDUCED", "--quantity", "2", "--on", "2026-03-10")
    cli("use", "F0", "REDUCED", "--on", "2026-03-11", code=1)
    assert one_balance(cli, "F0", "REDUCED", "2026-03-11")["remaining"] == 0
    assert_db_ok(cli)


# --- business delegates -----------------------------------------------------------------------


def test_an_employee_uses_the_business_level_only_while_a_delegate(cli, db):
    add_type(cli, "LECTURE", category="events")
    add_plan(cli, "BUSINESS", "LECTURE", "10")
    cli("contact", "add", "Acme Ltd", "--ref", "B100", "--business")
    cli("contact", "add", "Eve Worker", "--ref", "E1", "--of", "B100")
    cli("membership", "add", "B100", "BUSINESS", "--start", "2026-01-01")
    [level] = levels(cli, "B100", "LECTURE")

    before = cli("use", "E1", "LECTURE", "--on", "2026-02-01", code=1)
    assert len(before.error_lines) == 1 and "no LECTURE balance" in before.error_lines[0]

    cli("delegate", "add", level["id"], "E1")
    result = cli("use", "E1", "LECTURE", "--quantity", "2", "--on", "2026-02-01")
    assert f"Used 2 from level {level['id']}" in result.stderr
    [entry] = usage(cli)
    assert (entry["contact_ref"], entry["level_id"], entry["quantity"]) == ("E1", level["id"], 2)
    assert one_balance(cli, "B100", "LECTURE", "2026-02-01")["remaining"] == 8

    cli("delegate", "remove", level["id"], "E1")
    after = cli("use", "E1", "LECTURE", "--on", "2026-02-02", code=1)
    assert after.error_lines == [
        'Error: Cannot use 1 of LECTURE for "E1" (Eve Worker) on 2026-02-02: no LECTURE balance'
        " is valid on that date. Grant some with: benefit level add E1 LECTURE --quantity N."
    ]
    assert len(usage(cli)) == 1
    assert one_balance(cli, "B100", "LECTURE", "2026-02-02")["remaining"] == 8
    assert_db_ok(cli)


# --- money and units --------------------------------------------------------------------------


def test_money_is_exact_to_the_cent(cli, db):
    add_type(cli, "SHOPCREDIT", unit="money", category="shop")
    cli("contact", "add", "Mo", "--ref", "M1")
    manual_level(cli, "M1", "SHOPCREDIT", "10.00", "2026-01-01", "2026-12-31")
    for amount in ("0.10", "0.20", "9.70"):
        cli("use", "M1", "SHOPCREDIT", "--quantity", amount, "--on", "2026-02-01")
    row = one_balance(cli, "M1", "SHOPCREDIT", "2026-02-01")
    assert row["remaining"] == 0
    assert row["used"] == Decimal("10.00") and row["granted"] == Decimal("10.00")
    assert [e["quantity"] for e in usage(cli)] == [Decimal("0.10"), Decimal("0.20"),
                                                   Decimal("9.70")]
    refused = cli("use", "M1", "SHOPCREDIT", "--quantity", "0.01", "--on", "2026-02-01", code=1)
    assert refused.error_lines == [
        'Error: Cannot use 0.01 of SHOPCREDIT for "M1" (Mo) on 2026-02-01: 0 remain on that date.'
        " Grant some with: benefit level add M1 SHOPCREDIT --quantity N."
    ]
    assert_db_ok(cli)


def test_quantities_are_validated_per_unit(cli, db):
    add_type(cli, "SHOPCREDIT", unit="money", category="shop")
    add_type(cli, "GUEST")
    cli("contact", "add", "Mo", "--ref", "M1")
    manual_level(cli, "M1", "SHOPCREDIT", "10.00", "2026-01-01", "2026-12-31")
    manual_level(cli, "M1", "GUEST", "5", "2026-01-01", "2026-12-31")

    cents = cli("use", "M1", "SHOPCREDIT", "--quantity", "0.001", "--on", "2026-02-01", code=2)
    [line] = cents.error_lines
    assert "0.001" in line and "two decimals" in line
    assert "a positive an amount" not in line, line  # one clear sentence
    half = cli("use", "M1", "GUEST", "--quantity", "1.5", "--on", "2026-02-01", code=2)
    assert half.error_lines == [
        "Error: --quantity: quantity must be a whole number, got '1.5'."
    ]
    assert usage(cli) == []
    assert_db_ok(cli)


# --- unhappy paths ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unhappy_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """C1 with 5 GUEST (level 1) and a use of a since retired type OLD, built once by the CLI."""
    path = tmp_path_factory.mktemp("unhappy") / "template.db"
    for args in (
        ["db", "init"],
        ["type", "add", "GUEST", "--name", "Guest", "--unit", "count", "--category", "perks"],
        ["type", "add", "OLD", "--name", "Old", "--unit", "count", "--category", "perks"],
        ["contact", "add", "Ivy", "--ref", "C1"],
        ["level", "add", "C1", "GUEST", "--quantity", "5", "--start", "2026-01-01",
         "--expires", "2026-12-31"],
        ["level", "add", "C1", "OLD", "--quantity", "5", "--start", "2026-01-01",
         "--expires", "2026-12-31"],
        ["use", "C1", "OLD", "--on", "2026-01-05"],
        ["type", "retire", "OLD"],
    ):
        run_on(path, *args)
    return path


@pytest.fixture
def unhappy_db(unhappy_template: Path, isolated_db: Path) -> Path:
    """A fresh copy of the template at the test's own ``BENEFIT_DB``."""
    copy_db(unhappy_template, isolated_db)
    return isolated_db


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["use", "NOBODY", "GUEST", "--on", "2026-02-01"], 1,
         'Error: No contact "NOBODY". Find it with: benefit contact list --name TEXT, or add it'
         " with: benefit contact add."),
        (["use", "C1", "NOPE", "--on", "2026-02-01"], 1,
         'Error: No benefit type "NOPE". See the catalog with: benefit type list --all.'),
        (["use", "C1", "OLD", "--on", "2026-02-01"], 1,
         'Error: "OLD" is retired and can no longer be used.'),
        (["use", "C1", "GUEST", "--quantity", "0", "--on", "2026-02-01"], 2,
         "Error: --quantity: quantity must be a positive whole number, got '0'."),
        (["use", "C1", "GUEST", "--quantity", "-1", "--on", "2026-02-01"], 2,
         "Error: --quantity: quantity must be a positive whole number, got '-1'."),
        (["use", "C1", "GUEST", "--quantity", "abc", "--on", "2026-02-01"], 2,
         "Error: --quantity: quantity must be a positive whole number, got 'abc'."),
        (["use", "C1", "GUEST", "--on", "2026-02-30"], 2,
         'Error: --on "2026-02-30" is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-01.'),
        (["use", "C1", "GUEST", "--on", "01/02/2026"], 2,
         'Error: --on "01/02/2026" is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-01.'),
        (["use", "C1", "GUEST", "--quantity", "6", "--on", "2026-02-01"], 1,
         'Error: Cannot use 6 of GUEST for "C1" (Ivy) on 2026-02-01: only 5 remain (5 in level 1,'
         " expires 2026-12-31)."),
        (["adjust", "NOBODY", "GUEST", "--by", "1", "--reason", "x", "--on", "2026-02-01"], 1,
         'Error: No contact "NOBODY". Find it with: benefit contact list --name TEXT, or add it'
         " with: benefit contact add."),
        (["adjust", "C1", "GUEST", "--by", "0", "--reason", "x", "--on", "2026-02-01"], 2, None),
        (["adjust", "C1", "GUEST", "--by", "x", "--reason", "x", "--on", "2026-02-01"], 2, None),
        (["balance", "NOBODY", "--on", "2026-02-01"], 1,
         'Error: No contact "NOBODY". Find it with: benefit contact list --name TEXT, or add it'
         " with: benefit contact add."),
    ],
    ids=["unknown-contact", "unknown-type", "retired-type", "zero", "negative", "not-a-number",
         "no-such-day", "slash-date", "overdraw", "adjust-unknown-contact", "adjust-zero",
         "adjust-not-a-number", "balance-unknown-contact"],
)
def test_a_refused_use_says_why_in_one_line_and_changes_nothing(cli, unhappy_db, args, code,
                                                               error):
    before = usage(cli)
    assert [(e["type"], e["quantity"]) for e in before] == [("OLD", 1)]
    assert [lv["id"] for lv in levels(cli, "C1", "GUEST")] == [1]
    balances = balance(cli, "C1", "--on", "2026-02-01", "--all")

    result = cli(*args, code=code)
    assert len(result.error_lines) == 1, result.stderr
    if error is not None:
        assert result.error_lines == [error]
    assert result.stdout == ""
    assert usage(cli) == before
    assert balance(cli, "C1", "--on", "2026-02-01", "--all") == balances
    assert_db_ok(cli)
