"""``benefit event ...`` (SPEC §1 "Events", §2 ``event``): a registration type tied to a
benefit records the use on the event's day, drawn in the consumption order from whatever
the contact may use (own, allocated, delegated, as an associate); with too little left
the registration is recorded, not covered, and says so in one line; cancelling voids
every entry of the use and the balance returns; ``--ref`` makes a registration safe to
repeat; every refusal is one ``Error:`` line and changes nothing. The world is
``events_world`` (tests/conftest.py)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, assert_db_ok, balance, csv_rows, loads, refused, rows, usage

REGISTRATION_COLUMNS = ["id", "contact_ref", "regtype", "covered", "entry_id", "cancelled_on"]


def registrations(cli: Cli, event: str = "GALA") -> list[dict[str, Any]]:
    return rows(cli, "event", "registrations", event)


def remaining(cli: Cli, contact: str, type_code: str, on: str) -> Any:
    [row] = balance(cli, contact, "--type", type_code, "--on", on)
    return row["remaining"]


def uses_of(cli: Cli, ref: str) -> list[dict[str, Any]]:
    return [e for e in usage(cli, "--ref", ref) if e["kind"] == "use"]


# -- covered and not covered ---------------------------------------------------------------------


def test_a_covered_registration_uses_the_benefit_on_the_event_day(cli: Cli, events_world: Path) -> None:
    result = cli("event", "register", "gala", "A1", "--regtype", "member")
    assert result.stdout == "1\n"
    assert result.stderr.splitlines() == [
        'Registered "A1" (Ada Member) for GALA (registration 1), covered by 1 TICKET.',
        "Used 1 from level 5, expires 2027-06-30; 0 left there.",  # priority 1: drawn first
    ]
    [registration] = registrations(cli)
    [use] = usage(cli)
    assert registration == {"id": 1, "contact_ref": "A1", "regtype": "Member", "covered": True,
                            "entry_id": use["entry_id"], "cancelled_on": None}
    assert (use["date"], use["contact_ref"], use["type"], use["kind"], use["quantity"], use["level_id"],
            use["description"]) == ("2026-06-01", "A1", "TICKET", "use", 1, 5, "Spring gala (Member)")
    [line] = [h for h in rows(cli, "report", "history", "--contact", "A1", "--to", "2026-06-30")
              if h["kind"] == "use"]
    assert line["source"] == "event"
    # Used on the event's day: the day before, both of Ada's tickets are there.
    assert remaining(cli, "A1", "TICKET", "2026-05-31") == 2
    assert remaining(cli, "A1", "TICKET", "2026-06-01") == 1  # level 3's
    assert_db_ok(cli)


def test_with_nothing_left_the_registration_is_recorded_not_covered_in_one_line(
    cli: Cli, events_world: Path
) -> None:
    ledger = usage(cli)
    result = cli("event", "register", "GALA", "N1", "--regtype", "Member")
    assert result.stdout == "1\n"
    assert result.stderr == (
        'Registered "N1" (Nat Nobody) for GALA (registration 1), not covered by a benefit: 0 of TICKET'
        ' left on 2026-06-01, and a "Member" registration uses 1.\n'
    )
    assert registrations(cli) == [{"id": 1, "contact_ref": "N1", "regtype": "Member", "covered": False,
                                   "entry_id": None, "cancelled_on": None}]
    assert usage(cli) == ledger
    assert_db_ok(cli)


def test_with_too_little_left_nothing_is_drawn_and_the_line_says_what_is_left(
    cli: Cli, events_world: Path
) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Member")
    ledger = usage(cli)
    result = cli("event", "register", "GALA", "A1", "--regtype", "Pair")
    assert result.stderr == (
        'Registered "A1" (Ada Member) for GALA (registration 2), not covered by a benefit: 1 of TICKET'
        ' left on 2026-06-01, and a "Pair" registration uses 2.\n'
    )
    assert [(r["id"], r["covered"], r["entry_id"]) for r in registrations(cli)] == [
        (1, True, ledger[0]["entry_id"]), (2, False, None)]
    assert usage(cli) == ledger
    assert remaining(cli, "A1", "TICKET", "2026-06-01") == 1


def test_a_registration_type_without_a_benefit_uses_nothing(cli: Cli, events_world: Path) -> None:
    result = cli("event", "register", "GALA", "N1", "--regtype", "Guest")
    assert result.stderr == 'Registered "N1" (Nat Nobody) for GALA (registration 1); a "Guest" registration' \
        " uses no benefit.\n"
    assert registrations(cli)[0]["covered"] is False
    assert usage(cli) == []


def test_a_contact_may_hold_several_registrations_for_one_event(cli: Cli, events_world: Path) -> None:
    """Tickets for guests: the business registers twice, each drawing its own ticket."""
    for _ in range(3):
        cli("event", "register", "GALA", "B1", "--regtype", "Member")
    assert [(r["contact_ref"], r["covered"]) for r in registrations(cli)] == [("B1", True)] * 3
    assert remaining(cli, "B1", "TICKET", "2026-06-01") == 1


# -- who may use what ------------------------------------------------------------------------------


def test_an_employee_registers_against_the_business_level_as_its_delegate(cli: Cli,
                                                                          events_world: Path) -> None:
    before = remaining(cli, "B1", "TICKET", "2026-06-01")
    result = cli("event", "register", "GALA", "P1", "--regtype", "Member")
    assert "Used 1 from level 1, expires 2026-12-31; 3 left there." in result.stderr.splitlines()
    [use] = usage(cli)
    assert (use["contact_ref"], use["level_id"]) == ("P1", 1)
    assert remaining(cli, "B1", "TICKET", "2026-06-01") == before - 1
    # No longer a delegate: nothing Pat may use, so not covered.
    cli("delegate", "remove", "1", "P1")
    cli("event", "register", "GALA", "P1", "--regtype", "Member")
    assert [r["covered"] for r in registrations(cli)] == [True, False]


def test_an_associate_registers_against_the_business_level_shared_with_associates(
    cli: Cli, events_world: Path
) -> None:
    result = cli("event", "register", "GALA", "P2", "--regtype", "Dinner")
    assert result.stderr.splitlines()[0] == (
        'Registered "P2" (Quinn Partner) for GALA (registration 1), covered by 20.00 CREDIT.')
    [use] = usage(cli)
    assert (use["contact_ref"], use["level_id"], use["quantity"]) == ("P2", 2, Decimal("20.00"))
    assert remaining(cli, "B2", "CREDIT", "2026-06-01") == Decimal("30.00")


# -- a use over several balances, and cancelling -----------------------------------------------------


def test_a_use_split_across_two_levels_is_voided_whole_by_cancel(cli: Cli, events_world: Path) -> None:
    before = balance(cli, "A1", "--on", "2026-06-01")
    result = cli("event", "register", "GALA", "A1", "--regtype", "Pair")
    assert result.stderr.splitlines()[1:] == [
        "Used 1 from level 5, expires 2027-06-30; 0 left there.",
        "Used 1 from level 3, expires 2026-12-31; 0 left there.",
    ]
    first, second = usage(cli)
    assert first["ref"] == second["ref"] and first["ref"]
    assert registrations(cli)[0]["entry_id"] == first["entry_id"]
    assert remaining(cli, "A1", "TICKET", "2026-06-01") == 0

    cancelled = cli("event", "cancel", "1")
    assert cancelled.stderr == (
        f'Cancelled registration 1 of "A1" (Ada Member) for GALA; 2 returned (entries'
        f' {first["entry_id"]}, {second["entry_id"]} voided).\n'
    )
    voids = [e for e in usage(cli) if e["kind"] == "void"]
    assert cancelled.stdout.split() == [str(v["entry_id"]) for v in voids]
    assert sorted((v["level_id"], v["quantity"]) for v in voids) == [(3, 1), (5, 1)]
    assert registrations(cli)[0]["cancelled_on"] == "2026-05-01"
    assert balance(cli, "A1", "--on", "2026-06-01") == before
    assert_db_ok(cli)


@pytest.mark.parametrize(("contact", "regtype", "holder", "type_code"), [
    ("A1", "Member", "A1", "TICKET"),   # its own level
    ("P1", "Member", "B1", "TICKET"),   # the business's, as a delegate
    ("P2", "Dinner", "B2", "CREDIT"),   # the business's, as an associate
])
def test_cancelling_gives_the_balance_back(cli: Cli, events_world: Path, contact: str, regtype: str,
                                           holder: str, type_code: str) -> None:
    before = {on: balance(cli, holder, "--type", type_code, "--on", on)
              for on in ("2026-05-01", "2026-06-01", "2026-07-01")}
    [registration] = cli("event", "register", "GALA", contact, "--regtype", regtype).stdout.split()
    assert remaining(cli, holder, type_code, "2026-06-01") != before["2026-06-01"][0]["remaining"]
    cli("event", "cancel", registration)
    after = {on: balance(cli, holder, "--type", type_code, "--on", on) for on in before}
    assert after == before
    # What was used is gone from the usage report too.
    assert rows(cli, "report", "usage", "--by", "event") == []


def test_cancelling_an_uncovered_registration_voids_nothing(cli: Cli, events_world: Path) -> None:
    cli("event", "register", "GALA", "N1", "--regtype", "Member")
    result = cli("event", "cancel", "1")
    assert (result.stdout, result.stderr) == (
        "", 'Cancelled registration 1 of "N1" (Nat Nobody) for GALA; it had used no benefit.\n')
    assert usage(cli) == []
    assert registrations(cli)[0]["cancelled_on"] == "2026-05-01"


def test_a_use_voided_by_hand_is_left_alone_and_the_rest_is_voided(cli: Cli, events_world: Path) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Pair")
    first, second = usage(cli)
    cli("usage", "void", first["entry_id"], "--reason", "Half of it was a mistake")
    result = cli("event", "cancel", "1")
    assert f"(entry {second['entry_id']} voided)" in result.stderr
    assert remaining(cli, "A1", "TICKET", "2026-06-01") == 2
    assert_db_ok(cli)


def test_cancelling_twice_is_refused(cli: Cli, events_world: Path) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Member")
    cli("event", "cancel", "1")
    line = refused(cli, events_world, "event", "cancel", "1")
    assert line == ("Error: Registration 1 for GALA was already cancelled on 2026-05-01; there is nothing"
                    " left to cancel.")


def test_a_cancel_that_cannot_give_back_every_part_gives_back_none(cli: Cli, events_world: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Level 5 still runs in February 2027, level 3 ended with 2026: the first void would
    succeed, the second cannot, so neither is written."""
    cli("event", "register", "GALA", "A1", "--regtype", "Pair")
    _, second = usage(cli)
    monkeypatch.setenv("BENEFIT_TODAY", "2027-02-01")
    line = refused(cli, events_world, "event", "cancel", "1")
    assert line == (
        f"Error: Registration 1 cannot be cancelled: entry {second['entry_id']} drew from level 3, which"
        " expired on 2026-12-31; an expired balance cannot be restored. Grant a new level with: benefit"
        " level add."
    )


# -- safe to repeat ------------------------------------------------------------------------------------


def test_a_repeated_ref_registers_once(cli: Cli, events_world: Path) -> None:
    args = ["event", "register", "GALA", "A1", "--regtype", "Member", "--ref", "GALA-A1"]
    first = cli(*args)
    ledger = usage(cli)
    again = cli(*args)
    assert again.stdout == first.stdout == "1\n"
    assert again.stderr == 'Already registered under ref "GALA-A1" (registration 1); nothing was added.\n'
    assert len(registrations(cli)) == 1
    assert usage(cli) == ledger
    assert [e["ref"] for e in ledger] == ["GALA-A1"]  # the use is found by the ref given
    # A registration type or contact typed in another case is the same registration.
    assert cli("event", "register", "gala", "A1", "--regtype", "MEMBER", "--ref", "GALA-A1").stdout == "1\n"
    # Cancelled, the same registration repeated still adds nothing.
    cli("event", "cancel", "1")
    assert "nothing was added" in cli(*args).stderr
    assert len(registrations(cli)) == 1


def test_a_repeated_ref_of_an_uncovered_registration_registers_once(cli: Cli, events_world: Path) -> None:
    args = ["event", "register", "GALA", "N1", "--regtype", "Member", "--ref", "GALA-N1"]
    cli(*args)
    cli("level", "add", "N1", "TICKET", "--quantity", "1", "--start", "2026-01-01", "--expires", "2026-12-31")
    assert "nothing was added" in cli(*args).stderr  # the same registration, not a second one
    assert registrations(cli)[0]["covered"] is False
    assert usage(cli) == []


@pytest.mark.parametrize("args", [
    ["GALA", "A1", "--regtype", "Guest"],   # another registration type
    ["GALA", "N1", "--regtype", "Member"],  # another contact
    ["TALK", "A1", "--regtype", "Member"],  # another event
])
def test_a_ref_repeated_with_other_details_is_refused(cli: Cli, events_world: Path, args: list[str]) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Member", "--ref", "K-1")
    line = refused(cli, events_world, "event", "register", *args, "--ref", "K-1")
    assert line == ('Error: The ref "K-1" was already given to registration 1 with other details; use a new'
                    " ref for a new registration.")


def test_a_ref_of_a_use_no_registration_made_is_refused(cli: Cli, events_world: Path) -> None:
    [entry] = cli("use", "A1", "TICKET", "--on", "2026-05-02", "--ref", "K-2").stdout.split()
    line = refused(cli, events_world, "event", "register", "GALA", "A1", "--regtype", "Member",
                   "--ref", "K-2")
    assert line == (f'Error: The ref "K-2" is already the ref of ledger entry {entry}, which no registration'
                    " made; give this registration another ref.")


# -- refusals --------------------------------------------------------------------------------------------

REFUSALS = [
    (["event", "register", "GALAA", "A1", "--regtype", "Member"], 1,
     'No event "GALAA". Did you mean GALA? See the events with: benefit event list.'),
    (["event", "register", "NOPE", "A1", "--regtype", "Member"], 1,
     'No event "NOPE". See the events with: benefit event list.'),
    (["event", "register", "GALA", "A1", "--regtype", "Membr"], 1,
     'Event GALA has no registration type "Membr". Did you mean Member?'),
    (["event", "register", "TALK", "A1", "--regtype", "Dinner"], 1,
     'Event TALK has no registration type "Dinner". It has: Member.'),
    (["event", "register", "GALA", "Z9", "--regtype", "Member"], 1,
     'No contact "Z9". Find it with: benefit contact list --name TEXT, or add it with: benefit contact add.'),
    (["event", "register", "GALA", "A1", "--regtype", "Legacy"], 1,
     'Registration type "Legacy" of GALA uses "OLD", which is retired and can no longer be used; register'
     " with another registration type, or add one with: benefit event regtype add GALA NAME."),
    (["event", "register", "GALA", "A1", "--regtype", "Member", "--ref", " "], 2,
     "--ref must not be empty: give the key of this registration, e.g. GALA26-C000116."),
    (["event", "cancel", "99"], 1, "No registration 99. Find it with: benefit event registrations EVENT."),
    (["event", "add", "gala", "--name", "Again", "--date", "2026-08-01"], 1,
     'An event "GALA" already exists; see it with: benefit event list.'),
    (["event", "add", "NEW", "--name", "New", "--date", "2026-02-30"], 2,
     '--date "2026-02-30" is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-01.'),
    (["event", "add", "NEW", "--name", "New", "--date", "01/08/2026"], 2,
     '--date "01/08/2026" is not a valid date; write it as YYYY-MM-DD, e.g. 2026-03-01.'),
    (["event", "add", "NEW", "--name", " ", "--date", "2026-08-01"], 2, "--name must not be empty."),
    (["event", "add", "TWO WORDS", "--name", "New", "--date", "2026-08-01"], 2,
     'The event code "TWO WORDS" must be one word without spaces, e.g. GUESTPASS.'),
    (["event", "regtype", "add", "NOPE", "Member"], 1,
     'No event "NOPE". See the events with: benefit event list.'),
    (["event", "regtype", "add", "GALA", "member"], 1,
     'Event GALA already has a registration type "Member"; give this one another name.'),
    (["event", "regtype", "add", "GALA", "Old", "--type", "OLD", "--quantity", "1"], 1,
     '"OLD" is retired and can no longer be used; tie the registration type to an active benefit type'
     " (see: benefit type list)."),
    (["event", "regtype", "add", "GALA", "Mag", "--type", "MAG", "--quantity", "1"], 1,
     '"MAG" is a subscription, delivered issue by issue rather than used; tie the registration type to a'
     " benefit that is used, such as an event ticket."),
    (["event", "regtype", "add", "GALA", "Mystery", "--type", "NOPE", "--quantity", "1"], 1,
     'No benefit type "NOPE". See the catalog with: benefit type list --all.'),
    (["event", "regtype", "add", "GALA", "Half", "--type", "TICKET"], 2,
     "--type needs --quantity: a registration type that draws on a benefit names the benefit type and how"
     " much of it one registration uses."),
    (["event", "regtype", "add", "GALA", "Half", "--quantity", "1"], 2,
     "--quantity needs --type: a registration type that draws on a benefit names the benefit type and how"
     " much of it one registration uses."),
    (["event", "regtype", "add", "GALA", "Cents", "--type", "CREDIT", "--quantity", "0"], 2,
     "--quantity: quantity must be a positive amount with at most two decimals, like 12.50, got '0'."),
    (["event", "regtype", "add", "GALA", "Part", "--type", "TICKET", "--quantity", "1.5"], 2,
     "--quantity: quantity must be a whole number, got '1.5'."),
    (["event", "regtype", "add", "GALA", " ", "--type", "TICKET", "--quantity", "1"], 2,
     "The registration type's NAME must not be empty."),
    (["event", "registrations", "NOPE"], 1, 'No event "NOPE". See the events with: benefit event list.'),
    (["type", "delete", "VOUCHER"], 1,
     '"VOUCHER" is used by 1 event registration type(s); retire it with: benefit type retire VOUCHER.'),
]


@pytest.mark.parametrize(("args", "code", "line"), REFUSALS, ids=[" ".join(a[:4]) for a, _, _ in REFUSALS])
def test_every_refusal_is_one_error_line_and_changes_nothing(cli: Cli, events_world: Path, args: list[str],
                                                             code: int, line: str) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Member")  # something to leave as it was
    assert refused(cli, events_world, *args, code=code) == "Error: " + line


# -- lists and the usage report ----------------------------------------------------------------------


def test_registrations_in_csv_and_json_have_the_spec_columns(cli: Cli, events_world: Path) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Pair")
    cli("event", "register", "GALA", "N1", "--regtype", "Member")
    cli("event", "register", "GALA", "N1", "--regtype", "Guest", "--ref", "=cmd")
    cli("event", "cancel", "3")
    data = registrations(cli)
    assert [list(row) for row in data] == [REGISTRATION_COLUMNS] * 3
    [first, *_] = usage(cli)
    assert [tuple(row.values()) for row in data] == [
        (1, "A1", "Pair", True, first["entry_id"], None),
        (2, "N1", "Member", False, None, None),
        (3, "N1", "Guest", False, None, "2026-05-01"),
    ]
    table = csv_rows(cli("event", "registrations", "GALA", "-f", "csv").stdout)
    assert table[0] == REGISTRATION_COLUMNS
    # Booleans are 1/0 in CSV (SPEC §2), as in every CSV of benefit.
    assert table[1:] == [["1", "A1", "Pair", "1", str(first["entry_id"]), ""],
                         ["2", "N1", "Member", "0", "", ""],
                         ["3", "N1", "Guest", "0", "", "2026-05-01"]]
    # Another event's registrations are its own.
    assert registrations(cli, "TALK") == []


def test_event_list_shows_each_event_with_its_registration_types_and_registrations(
    cli: Cli, events_world: Path
) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Member")
    cli("event", "register", "GALA", "N1", "--regtype", "Member")
    cli("event", "register", "GALA", "B1", "--regtype", "Member")
    cli("event", "cancel", "3")
    cli("event", "add", "EARLY", "--name", "Early bird", "--date", "2026-05-10")
    assert rows(cli, "event", "list") == [
        {"code": "EARLY", "name": "Early bird", "date": "2026-05-10", "regtypes": "", "registrations": 0,
         "covered": 0},
        {"code": "GALA", "name": "Spring gala", "date": "2026-06-01",
         "regtypes": "Member (1 TICKET); Pair (2 TICKET); Dinner (20.00 CREDIT); Guest; Legacy (1 OLD);"
                     " Gift (1 VOUCHER)",
         "registrations": 2, "covered": 1},
        {"code": "TALK", "name": "Curator talk", "date": "2026-07-01", "regtypes": "Member (1 TICKET)",
         "registrations": 0, "covered": 0},
    ]


def test_report_usage_by_event_shows_which_events_consumed_which_benefits(cli: Cli,
                                                                          events_world: Path) -> None:
    cli("event", "register", "GALA", "A1", "--regtype", "Pair")     # 2 TICKET over two levels: one use
    cli("event", "register", "GALA", "P1", "--regtype", "Member")   # 1 TICKET of B1's, as its delegate
    cli("event", "register", "GALA", "P2", "--regtype", "Dinner")   # 20.00 CREDIT of B2's
    cli("event", "register", "GALA", "N1", "--regtype", "Member")   # not covered: nothing used
    cli("event", "register", "TALK", "P1", "--regtype", "Member")   # cancelled below: not counted
    cli("event", "register", "TALK", "B1", "--regtype", "Member")   # 1 TICKET
    cli("event", "cancel", "5")
    cli("use", "B1", "TICKET", "--on", "2026-05-02")                # not at an event
    by_event = {(r["event"], r["unit"]): (r["uses"], r["quantity"], r["members"], r["value"])
                for r in loads(cli("report", "usage", "--by", "event", "-f", "json").stdout)}
    assert by_event == {
        ("GALA", "count"): (2, 3, 2, Decimal("75.00")),
        ("GALA", "money"): (1, Decimal("20.00"), 1, Decimal("20.00")),
        ("TALK", "count"): (1, 1, 1, Decimal("25.00")),
    }
    by_event_and_type = [(r["event"], r["type"], r["quantity"])
                         for r in loads(cli("report", "usage", "--by", "event", "--by", "type", "-f",
                                            "json").stdout)]
    assert sorted(by_event_and_type) == [("GALA", "CREDIT", Decimal("20.00")), ("GALA", "TICKET", 3),
                                         ("TALK", "TICKET", 1)]
    # The other keys still count every use, at events or not.
    [ticket] = [r for r in rows(cli, "report", "usage", "--by", "type") if r["type"] == "TICKET"]
    assert (ticket["uses"], ticket["quantity"]) == (4, 5)
    # The report's filters apply: a contact's events, a period.
    assert [(r["event"], r["quantity"]) for r in rows(cli, "report", "usage", "--by", "event",
                                                      "--contact", "P1")] == [("GALA", 1)]
    assert {r["event"] for r in rows(cli, "report", "usage", "--by", "event", "--from", "2026-06-15")} \
        == {"TALK"}


def test_report_usage_by_an_unknown_key_names_event_among_the_keys(cli: Cli, events_world: Path) -> None:
    line = refused(cli, events_world, "report", "usage", "--by", "venue", code=2)
    assert line == "Error: --by must be type, contact, month, category or event; got venue."


# -- the README and the shell -----------------------------------------------------------------------------


def readme_blocks() -> tuple[list[list[str]], list[list[str]]]:
    """The commands of the README's walk-through and of its Events section."""
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Events\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for part in (text, section):
        block = re.search(r"```console\n(.*?)```", part, re.S)
        assert block, "the README has no console example there"
        found.append([shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")])
    return found[0], found[1]


def test_the_readme_events_example_runs_as_written(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """After the walk-through, as the README says (tests/project/test_docs.py runs that alone)."""
    monkeypatch.setenv("BENEFIT_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)  # the walk-through writes files
    walk_through, events = readme_blocks()
    assert len(events) >= 10
    for argv in [*walk_through, *events]:
        assert argv[0] == "benefit"
        cli(*argv[1:])
    # What the README says happened, happened.
    assert [(r["contact_ref"], r["regtype"], r["covered"], r["cancelled_on"])
            for r in registrations(cli, "GALA26")] == [
        ("C000106", "Member ticket", True, None),
        ("C000116", "Member ticket", False, "2026-11-23"),
        ("C000116", "Guest", False, None),
    ]
    [use] = usage(cli, "--ref", "GALA26-C000106")
    assert (use["contact_ref"], use["level_id"], use["date"]) == ("C000106", 14, "2026-12-05")
    assert [(r["event"], r["quantity"]) for r in rows(cli, "report", "usage", "--by", "event")] \
        == [("GALA26", 1)]
    assert_db_ok(cli)


def test_the_shell_completes_event_codes(cli: Cli, events_world: Path) -> None:
    benefit = str(Path(sys.executable).parent / "benefit")
    line = "benefit event register G"
    done = subprocess.run(
        [benefit], capture_output=True, text=True, timeout=60,
        env={**os.environ, "_BENEFIT_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": "3"})
    assert (done.returncode, done.stderr, done.stdout.split()) == (0, "", ["GALA"])
