"""An allocation's life through the command line (SPEC §1 "An allocation's life", "Cards";
issue 12 items 1-5 and 8): every step is dated and the allocation is usable exactly on the
days its dates say; declined and ended allocations stop counting; a card never overlaps the
card it replaces; ``allocation list`` and ``contact show`` show the Millennium fields."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import balance, one_balance, one_error, problems, refused, report, rows, write_csv

TODAY = "2026-06-01"


@pytest.fixture
def owner(cli, db, monkeypatch):
    """OWN holds level 1: 5 GUEST valid 2026-01-01..2027-12-31; A and BB are family. Today
    is 2026-06-01."""
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    for name, ref in (("Owner", "OWN"), ("Ann", "A"), ("Bob", "BB")):
        cli("contact", "add", name, "--ref", ref)
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "adm")
    cli("level", "add", "OWN", "GUEST", "--quantity", "5", "--start", "2026-01-01",
        "--expires", "2027-12-31")
    return db


def allocation(cli, allocation_id: int, *options: str) -> dict[str, Any]:
    [found] = [a for a in rows(cli, "allocation", "list", *options) if a["id"] == allocation_id]
    return found


def status_on(cli, monkeypatch, allocation_id: int, day: str) -> str:
    monkeypatch.setenv("BENEFIT_TODAY", day)
    try:
        return str(allocation(cli, allocation_id)["status"])
    finally:
        monkeypatch.setenv("BENEFIT_TODAY", TODAY)


# -- 1. an end on a future day -------------------------------------------------------------------


def test_an_end_on_a_future_day_keeps_the_allocation_usable_through_that_day(cli, owner, monkeypatch):
    cli("allocate", "1", "A", "--number", "2")
    result = cli("allocation", "end", "1", "--on", "2027-03-31")
    assert "can be used through that day" in result.stderr

    listed = allocation(cli, 1)
    assert (listed["stops_on"], listed["status"], listed["remaining"]) == ("2027-03-31", "offered", 2)
    cli("use", "A", "GUEST", "--on", "2027-01-15")
    cli("use", "A", "GUEST", "--on", "2027-03-31")
    line = one_error(cli("use", "A", "GUEST", "--on", "2027-04-01", code=1))
    assert "no GUEST balance is valid on that date" in line

    assert [status_on(cli, monkeypatch, 1, day) for day in ("2027-03-31", "2027-04-01")] == [
        "offered", "ended"]
    # Nothing left unused, so nothing returns: the owner keeps its 3.
    assert one_balance(cli, "OWN", "GUEST", "2027-04-01")["remaining"] == 3


def test_what_an_ended_allocation_did_not_use_returns_to_the_owner_the_day_after(cli, owner):
    cli("allocate", "1", "A", "--number", "2")
    cli("use", "A", "GUEST", "--on", "2026-03-01")
    cli("allocation", "end", "1", "--on", "2026-04-30")
    assert one_balance(cli, "OWN", "GUEST", "2026-04-30")["remaining"] == 3
    assert one_balance(cli, "OWN", "GUEST", "2026-05-01")["remaining"] == 4
    assert one_balance(cli, "A", "GUEST", "2026-04-30")["remaining"] == 1
    assert allocation(cli, 1)["status"] == "ended"


def test_an_end_that_would_leave_a_use_outside_the_allocation_is_refused(cli, owner):
    cli("allocate", "1", "A", "--number", "2")
    cli("use", "A", "GUEST", "--on", "2026-05-10")
    assert refused(cli, owner, "allocation", "end", "1", "--on", "2026-05-09") == (
        "Error: Allocation 1 has a use on 2026-05-10 (entry 1), which an end on 2026-05-09 would leave"
        " outside it; end it on or after 2026-05-10, or void entry 1 first.")
    cli("allocation", "end", "1", "--on", "2026-05-10")


def test_an_end_or_a_decline_between_a_use_and_its_void_is_refused(cli, owner):
    """The void is dated today: what an allocation did not use goes back to the owner the
    day after its last day, so a last day before the day before the void would give back,
    weeks early, what was still used until the void."""
    cli("allocate", "1", "A", "--number", "2")
    cli("use", "A", "GUEST", "--on", "2026-03-01")
    cli("usage", "void", "1", "--reason", "wrong member")
    assert refused(cli, owner, "allocation", "end", "1", "--on", "2026-04-30") == (
        "Error: Allocation 1 has a void on 2026-06-01 (entry 2), which an end on 2026-04-30 would leave"
        " outside it; end it on or after 2026-05-31.")
    assert refused(cli, owner, "allocation", "decline", "1", "--on", "2026-04-01") == (
        "Error: Allocation 1 has a void on 2026-06-01 (entry 2), which a decline on 2026-04-01 would"
        " leave outside it; decline it on or after 2026-06-01.")
    cli("allocation", "decline", "1")  # today: void the uses first, then decline, as SPEC says
    assert one_balance(cli, "OWN", "GUEST", TODAY)["remaining"] == 5


def test_an_end_moves_earlier_never_later(cli, owner):
    cli("allocate", "1", "A", "--number", "2")
    cli("allocation", "end", "1", "--on", "2027-03-31")
    assert refused(cli, owner, "allocation", "end", "1", "--on", "2027-03-31") == (
        "Error: Allocation 1 already ends on 2027-03-31; an end on 2027-03-31 would not shorten it."
        " Give --on a day before that.")
    assert "2027-03-31" in refused(cli, owner, "allocation", "end", "1", "--on", "2027-06-30")
    cli("allocation", "end", "1", "--on", "2026-12-31")
    assert allocation(cli, 1)["stops_on"] == "2026-12-31"
    assert "starts on 2026-01-01" in refused(cli, owner, "allocation", "end", "1", "--on", "2025-12-31")


def test_what_an_allocation_gives_back_and_the_owner_allocated_again_cannot_be_used_twice(
        cli, owner, tmp_path):
    """A's pass goes back to OWN on 02-01, and OWN gives all five to BB from that day: a use
    by A on 01-15 recorded afterwards would take the pass BB holds (found by the state
    machine: the owner's part went below zero on 02-01 and db check said so)."""
    cli("allocate", "1", "A", "--stop", "2026-01-31")
    cli("allocate", "1", "BB", "--number", "5", "--start", "2026-02-01")
    line = refused(cli, owner, "use", "A", "GUEST", "--on", "2026-01-15")
    assert line.startswith('Error: Cannot use 1 of GUEST for "A" (Ann) on 2026-01-15: 0 remain')
    data = write_csv(tmp_path / "usage.csv", "contact,type,quantity,used_on", "A,GUEST,1,2026-01-15")
    assert "0 remain" in " ".join(problems(cli("usage", "import", data, code=1)))
    cli("db", "check")


# -- 2. declining ----------------------------------------------------------------------------------


def test_an_allocation_used_from_cannot_be_declined_until_its_uses_are_voided(cli, owner):
    cli("allocate", "1", "A", "--number", "2")
    cli("use", "A", "GUEST", "--on", "2026-02-01")
    assert refused(cli, owner, "allocation", "decline", "1", "--on", "2026-03-01") == (
        "Error: Allocation 1 was used on 2026-02-01 (entry 1), so it cannot be declined; end it"
        " instead, or void its uses first.")
    cli("usage", "void", "1", "--reason", "recorded on the wrong card")
    cli("allocation", "decline", "1", "--on", "2026-06-01")

    # The whole number is back with the owner from the day of the answer, and every view
    # of the balance says so.
    [owner_row] = balance(cli, "OWN")
    assert (owner_row["allocated_out"], owner_row["remaining"]) == (0, 5)
    [reported] = [r for r in report(cli, "balances") if r["contact_ref"] == "OWN"]
    assert (reported["allocated_out"], reported["remaining"]) == (0, 5)
    assert allocation(cli, 1)["status"] == "declined"


def test_a_declined_allocation_was_usable_on_the_days_before_its_decline(cli, owner):
    """Dated like everything else: declined on 04-01, it was offered through 03-31, so a use
    on 03-15 recorded afterwards draws from it; from 04-01 it cannot be used."""
    cli("allocate", "1", "A", "--number", "2")
    cli("allocation", "decline", "1", "--on", "2026-04-01")
    assert "allocation 1 of level 1" in cli("use", "A", "GUEST", "--on", "2026-03-15").stderr
    assert "no GUEST balance" in refused(cli, owner, "use", "A", "GUEST", "--on", "2026-04-01")
    # What it did not use is the owner's from the day of the decline.
    assert one_balance(cli, "OWN", "GUEST", "2026-04-01")["remaining"] == 4


def test_a_decline_before_the_start_means_it_never_took_effect(cli, owner):
    cli("allocate", "1", "A", "--start", "2026-09-01")
    cli("allocation", "decline", "1", "--on", "2026-05-01")
    assert one_balance(cli, "OWN", "GUEST", "2026-09-01")["remaining"] == 5
    assert balance(cli, "A", "--on", "2026-09-01") == []
    line = one_error(cli("use", "A", "GUEST", "--on", "2026-09-01", code=1))
    assert "no GUEST balance is valid" in line


def test_a_voided_use_does_not_keep_a_decline_from_going_back_to_the_start(cli, owner):
    """Declined on its first day, it never took effect: its use and the void of it, both
    inside what would have been its life, change nothing (found by the state machine)."""
    cli("allocate", "1", "A", "--start", "2026-05-01")
    cli("use", "A", "GUEST", "--on", "2026-05-10")
    cli("usage", "void", "1", "--reason", "wrong member")
    cli("allocation", "decline", "1", "--on", "2026-05-01")
    assert one_balance(cli, "OWN", "GUEST", "2026-05-10")["remaining"] == 5
    assert balance(cli, "A", "--on", "2026-05-10") == []
    assert cli("contact", "show", "OWN", "-f", "json").json()["allocations_made"][0]["status"] == "declined"
    cli("db", "check")


def test_an_answer_is_given_once_and_not_in_the_future(cli, owner):
    cli("allocate", "1", "A")
    assert refused(cli, owner, "allocation", "accept", "1", "--on", "2026-06-02") == (
        "Error: Allocation 1 cannot be accepted on 2026-06-02, after today (2026-06-01); record it on"
        " the day it happens, or give --on that day.")
    cli("allocation", "accept", "1", "--on", "2026-05-20")
    assert refused(cli, owner, "allocation", "decline", "1") == (
        "Error: Allocation 1 was already accepted on 2026-05-20; an answer is recorded once.")
    listed = allocation(cli, 1)
    assert (listed["status"], listed["response"], listed["response_on"]) == (
        "accepted", "accepted", "2026-05-20")


# -- 3. delivering -------------------------------------------------------------------------------


def test_a_declined_allocation_cannot_be_delivered(cli, owner):
    cli("allocate", "1", "A")
    cli("allocation", "decline", "1", "--on", "2026-03-01")
    assert refused(cli, owner, "allocation", "deliver", "1") == (
        "Error: Allocation 1 was declined on 2026-03-01; a declined allocation cannot be delivered.")


def test_a_delivery_is_never_before_the_start(cli, owner):
    cli("allocate", "1", "A", "--start", "2026-03-01")
    assert refused(cli, owner, "allocation", "deliver", "1", "--on", "2026-02-28") == (
        "Error: Allocation 1 starts on 2026-03-01; it cannot be delivered before that (give --on a"
        " later date).")
    cli("allocation", "deliver", "1", "--on", "2026-03-01")
    assert allocation(cli, 1)["delivered_on"] == "2026-03-01"


# -- 4. report allocations --------------------------------------------------------------------------


def test_the_allocations_report_counts_neither_declined_nor_ended_allocations(cli, owner):
    cli("allocate", "1", "A")                       # 1: stays
    cli("allocate", "1", "BB", "--number", "2")     # 2: declined on 03-01
    cli("allocate", "1", "A")                       # 3: ended on 04-30
    cli("allocate", "1", "BB")                      # 4: ends in the future
    cli("allocation", "decline", "2", "--on", "2026-03-01")
    cli("allocation", "end", "3", "--on", "2026-04-30")
    cli("allocation", "end", "4", "--on", "2026-12-31")

    assert report(cli, "allocations") == [
        {"type": "GUEST", "allocations": 2, "number_allocated": 2, "contacts": 2}]
    # As of a day before the decline and the end, all four count.
    assert report(cli, "allocations", "--to", "2026-02-01") == [
        {"type": "GUEST", "allocations": 4, "number_allocated": 5, "contacts": 2}]
    assert report(cli, "allocations", "--to", "2027-01-01") == [
        {"type": "GUEST", "allocations": 1, "number_allocated": 1, "contacts": 1}]

    listed = {r["id"]: r for r in report(cli, "allocations", "--list")}
    assert {i: r["status"] for i, r in listed.items()} == {
        1: "offered", 2: "declined", 3: "ended", 4: "offered"}
    assert (listed[2]["response"], listed[2]["response_on"]) == ("declined", "2026-03-01")
    assert (listed[3]["stops_on"], listed[4]["stops_on"]) == ("2026-04-30", "2026-12-31")


# -- 5. cards ------------------------------------------------------------------------------------


@pytest.fixture
def cards(cli, owner):
    """MEMBERCARD and GOLDCARD share the exclusive group CARD; OWN holds level 2 of 3
    MEMBERCARD and level 3 of 1 GOLDCARD, both for 2026."""
    for code in ("MEMBERCARD", "GOLDCARD"):
        cli("type", "add", code, "--name", code.title(), "--unit", "count", "--category", "cards",
            "--kind", "card", "--group", "CARD")
    for code, quantity in (("MEMBERCARD", "3"), ("GOLDCARD", "1")):
        cli("level", "add", "OWN", code, "--quantity", quantity, "--start", "2026-01-01",
            "--expires", "2026-12-31")
    return owner


def test_a_replaced_card_keeps_what_it_had_through_the_day_before_the_new_one(cli, cards):
    cli("allocate", "2", "A", "--number", "2", "--start", "2026-04-01")
    result = cli("allocate", "3", "A", "--start", "2026-07-01")
    assert "Allocation 1, the card it replaces, now ends on 2026-06-30" in result.stderr

    first, second = rows(cli, "allocation", "list", "--contact", "A")
    assert (first["starts_on"], first["stops_on"]) == ("2026-04-01", "2026-06-30")
    assert (second["starts_on"], second["stops_on"]) == ("2026-07-01", "2026-12-31")
    # Each card is usable on its own days, and only on them: never both on one day.
    assert "allocation 1 of level 2" in cli("use", "A", "MEMBERCARD", "--on", "2026-05-15").stderr
    assert "allocation 1 of level 2" in cli("use", "A", "MEMBERCARD", "--on", "2026-06-30").stderr
    refused(cli, cards, "use", "A", "MEMBERCARD", "--on", "2026-07-01")
    assert "allocation 2 of level 3" in cli("use", "A", "GOLDCARD", "--on", "2026-07-01").stderr
    refused(cli, cards, "use", "A", "GOLDCARD", "--on", "2026-06-30")


def test_a_card_starting_the_same_day_as_the_earlier_card_is_refused(cli, cards):
    cli("allocate", "2", "A", "--start", "2026-04-01")
    assert refused(cli, cards, "allocate", "3", "A", "--start", "2026-04-01") == (
        'Error: "A" (Ann) holds allocation 1, a card of the group CARD from 2026-04-01, which a new'
        " card from 2026-04-01 cannot replace; start the new card after 2026-04-01, or end or"
        " decline allocation 1 first.")


def test_a_back_dated_card_never_ends_the_later_card(cli, cards):
    cli("allocate", "2", "A", "--start", "2026-04-01")
    line = refused(cli, cards, "allocate", "3", "A", "--start", "2026-03-01")
    assert "allocation 1" in line and "from 2026-04-01" in line
    # Once the later card is declined, the earlier start is free.
    cli("allocation", "decline", "1", "--on", "2026-03-15")
    cli("allocate", "3", "A", "--start", "2026-03-01")


def test_a_card_used_after_the_replacement_starts_blocks_it(cli, cards):
    cli("allocate", "2", "A", "--start", "2026-04-01")
    cli("use", "A", "MEMBERCARD", "--on", "2026-08-01")
    assert refused(cli, cards, "allocate", "3", "A", "--start", "2026-07-01") == (
        "Error: Allocation 1, the card a new one from 2026-07-01 would replace, has a use on"
        " 2026-08-01 (entry 1); start the new card on or after 2026-08-02, or void entry 1 first.")


def test_a_replacement_card_may_come_from_the_same_level(cli, cards):
    """A level of one gold card: the new card takes what the old one gives back."""
    cli("allocate", "3", "A", "--start", "2026-01-01")
    cli("allocate", "3", "A", "--start", "2026-07-01")
    assert [(a["starts_on"], a["stops_on"]) for a in rows(cli, "allocation", "list", "--level", "3")] == [
        ("2026-01-01", "2026-06-30"), ("2026-07-01", "2026-12-31")]
    assert "allocation 2 of level 3" in cli("use", "A", "GOLDCARD", "--on", "2026-07-02").stderr


# -- 8. the Millennium fields ------------------------------------------------------------------------

ALLOCATION_COLUMNS = ["id", "level_id", "contact_ref", "type", "number", "used", "remaining",
                      "starts_on", "stops_on", "status", "response", "response_on", "delivered_on",
                      "comment"]


def test_allocation_list_shows_the_answer_the_delivery_and_the_comment(cli, owner):
    cli("allocate", "1", "A", "--number", "2", "--comment", "for Grandma")
    cli("allocation", "accept", "1", "--on", "2026-02-01")
    cli("allocation", "deliver", "1", "--on", "2026-02-03")
    cli("use", "A", "GUEST", "--on", "2026-03-01")
    header = cli("allocation", "list", "-f", "csv").stdout.splitlines()[0]
    assert header.split(",") == ALLOCATION_COLUMNS
    assert rows(cli, "allocation", "list") == [{
        "id": 1, "level_id": 1, "contact_ref": "A", "type": "GUEST", "number": 2, "used": 1,
        "remaining": 1, "starts_on": "2026-01-01", "stops_on": "2027-12-31", "status": "accepted",
        "response": "accepted", "response_on": "2026-02-01", "delivered_on": "2026-02-03",
        "comment": "for Grandma"}]


def test_contact_show_lists_the_allocations_an_owner_made(cli, owner):
    cli("allocate", "1", "A", "--number", "2")
    cli("allocate", "1", "BB")
    cli("allocate", "1", "OWN")  # kept for oneself: not made to anyone
    cli("allocation", "decline", "2", "--on", "2026-05-01")
    cli("use", "A", "GUEST", "--on", "2026-03-01")
    shown = cli("contact", "show", "OWN", "-f", "json").json()
    made = [(a["to_ref"], a["to"], a["number"], a["used"], a["status"])
            for a in shown["allocations_made"]]
    assert made == [("A", "Ann", 2, 1, "offered"), ("BB", "Bob", 1, 0, "declined")]
    received = cli("contact", "show", "A", "-f", "json").json()
    assert [a["id"] for a in received["allocations_received"]] == [1]
    assert received["allocations_made"] == []


# -- messages in the unit's words ----------------------------------------------------------------------


def test_messages_say_one_minute_not_one_minutes(cli, owner):
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "rooms")
    cli("level", "add", "OWN", "ROOM", "--quantity", "1", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    assert refused(cli, owner, "allocate", "2", "A", "--number", "2") == (
        "Error: Cannot allocate 2 minutes of ROOM from level 2: 1 minute remain unallocated and"
        " unused from 2026-01-01 (of 1 minute granted).")
    result = cli("use", "OWN", "ROOM", "--quantity", "1", "--on", "2026-02-01")
    assert "Used 1 minute from level 2" in result.stderr
    assert "1 minutes" not in result.stderr
