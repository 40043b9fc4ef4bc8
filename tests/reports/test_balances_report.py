"""``report balances`` equals the sums of the history and agrees with ``benefit balance``; a
balance is current if any part is, and shows its soonest live expiry."""

from __future__ import annotations

from collections import defaultdict

import pytest
from conftest import REPORT_TODAY, report, rows


def close(a: float, b: float) -> bool:
    return abs(a - b) < 0.005


def test_balances_report_equals_the_sums_of_the_history(cli, report_world):
    history = report(cli, "history")
    sums: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    last: dict[tuple[str, str], float] = {}
    for h in history:
        key = (h["contact_ref"], h["type"])
        s, q = sums[key], h["quantity"]
        if h["kind"] == "grant":
            s["granted"] += q
        elif h["kind"] in ("allocate", "allocation end"):
            if h["used_by"] == h["contact_ref"]:
                s["granted"] += q          # received
            else:
                s["allocated_out"] -= q    # given away
        elif h["kind"] in ("use", "void"):
            s["used"] -= q
        elif h["kind"] == "adjust":
            s["adjusted"] += q
        elif h["kind"] in ("expire", "rollover"):
            s["expired"] -= q
        else:
            raise AssertionError(f"unexpected history kind {h['kind']}")
        last[key] = h["balance_after"]

    balances = report(cli, "balances")
    assert {(b["contact_ref"], b["type"]) for b in balances} == set(sums)
    for b in balances:
        key = (b["contact_ref"], b["type"])
        assert close(b["remaining"], last[key]), (key, b, last[key])
        for column in ("granted", "allocated_out", "used", "adjusted", "expired"):
            assert close(b[column], sums[key][column]), (key, column, b, dict(sums[key]))
        assert close(b["remaining"], b["granted"] - b["allocated_out"] - b["used"]
                     + b["adjusted"] - b["expired"]), b

    by_key = {(b["contact_ref"], b["type"]): b for b in balances}
    assert by_key[("ANN", "GUEST")]["remaining"] == 0
    assert (by_key[("ANN", "CREDIT")]["used"], by_key[("ANN", "CREDIT")]["remaining"]) == (12.5, 37.5)
    assert by_key[("ANN", "ROOM")]["adjusted"] == -3
    assert (by_key[("BOB", "GUEST")]["granted"], by_key[("BOB", "GUEST")]["used"]) == (1, 1)
    assert by_key[("CAT", "ROOM")]["status"] == "expired"
    assert by_key[("CAT", "GUEST")]["expires_on"] == "2026-06-04"


@pytest.mark.parametrize(
    ("parts", "status", "expires_on", "figures"),
    [
        # (start, expires) of each level; the first has one use, so one of its two expired.
        # An upcoming level counts in no total until it starts.
        ([("2026-01-01", "2026-03-31"), ("2026-07-01", "2026-09-30")], "upcoming", None, (2, 1, 1, 0)),
        ([("2026-01-01", "2026-03-31"), ("2026-05-01", "2026-05-31")], "current", "2026-05-31", (4, 1, 1, 2)),
        ([("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-04-30")], "expired", None, (4, 1, 3, 0)),
    ],
    ids=["expired-and-future", "expired-and-current", "all-expired"],
)
def test_a_balance_is_current_if_any_part_is_and_shows_the_soonest_live_expiry(
        cli, db, monkeypatch, parts, status, expires_on, figures):
    monkeypatch.setenv("BENEFIT_TODAY", REPORT_TODAY)
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "perks")
    cli("contact", "add", "Dee", "--ref", "DEE")
    for start, expires in parts:
        cli("level", "add", "DEE", "GUEST", "--quantity", "2", "--start", start, "--expires", expires)
    cli("use", "DEE", "GUEST", "--on", "2026-02-01")
    [balance] = report(cli, "balances")
    assert (balance["status"], balance["expires_on"]) == (status, expires_on)
    assert (balance["granted"], balance["used"], balance["expired"], balance["remaining"]) == figures


def test_balances_report_agrees_with_the_balance_command(cli, report_world):
    for b in report(cli, "balances"):
        if b["status"] == "expired":
            continue  # balance --on today shows what can still be drawn
        [one] = rows(cli, "balance", b["contact_ref"], "--type", b["type"], "--on", REPORT_TODAY)
        assert close(one["remaining"], b["remaining"]), (b, one)


def test_an_ended_allocation_keeps_history_and_balances_in_step(cli, db):
    cli("type", "add", "G", "--name", "G", "--unit", "count", "--category", "c")
    for ref in ("O", "A"):
        cli("contact", "add", ref, "--ref", ref)
    cli("level", "add", "O", "G", "--quantity", "6", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    cli("allocate", "1", "A", "--number", "3")
    cli("allocate", "1", "O", "--number", "2")  # to oneself: a reservation, not a gift
    cli("use", "A", "G", "--on", "2026-02-01", "--description", "A went")
    cli("use", "O", "G", "--on", "2026-02-02")
    [ended] = [a for a in rows(cli, "allocation", "list") if a["contact_ref"] == "A"]
    cli("allocation", "end", ended["id"], "--on", "2026-03-01")
    cli("use", "O", "G", "--quantity", "2", "--on", "2026-03-05")

    history = report(cli, "history")
    last = {}
    for h in history:
        last[h["contact_ref"]] = h["balance_after"]
    balances = {b["contact_ref"]: b for b in report(cli, "balances")}
    assert {ref: b["remaining"] for ref, b in balances.items()} == last == {"O": 2, "A": 0}
    # the two unused passes went back to the owner
    assert [(h["contact_ref"], h["quantity"]) for h in history if h["kind"] == "allocation end"] \
        == [("O", 2), ("A", -2)]
    assert (balances["O"]["allocated_out"], balances["O"]["used"]) == (1, 3)
    assert (balances["A"]["granted"], balances["A"]["used"]) == (1, 1)
    lines = report(cli, "statement", "O")
    assert ("2026-02-01", "A", 1, "A went") in [
        (line["date"], line["used_by"], line["quantity"], line["description"]) for line in lines]
