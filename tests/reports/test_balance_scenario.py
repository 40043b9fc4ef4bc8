"""Issue 11's scenario, number by number: a business with 300 meeting-room minutes a month
from 2026-01-01 uses all of March's 300 on 2026-03-10. Every command that shows its balance
shows the same number, as of the date asked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

TODAY = "2026-11-28"


@pytest.fixture
def business(cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "rooms",
        "--value", "0.50")
    cli("type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money", "--category", "shop",
        "--value", "1.00")
    cli("type", "add", "ADMIT", "--name", "Admission", "--unit", "count", "--category", "admissions",
        "--value", "9.00")
    cli("plan", "add", "BIZ", "--name", "Business", "--term", "12")
    cli("plan", "benefit", "add", "BIZ", "ROOM", "--quantity", "300", "--per", "month",
        "--begin", "2026-01-01")
    cli("plan", "benefit", "add", "BIZ", "CREDIT", "--quantity", "100.00", "--begin", "2026-01-01")
    cli("plan", "benefit", "add", "BIZ", "ADMIT", "--quantity", "10", "--begin", "2026-01-01")
    cli("contact", "add", "Brandt & Okafor", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("use", "B1", "ROOM", "--quantity", "300", "--on", "2026-03-10", "--description", "Board day")
    return db


def room_balance(cli, on: str) -> dict:
    [row] = cli("balance", "B1", "--type", "ROOM", "--on", on, "-f", "json").json()
    return row


def test_every_command_shows_zero_minutes_left_after_march_is_used_up(cli, business):
    assert room_balance(cli, "2026-03-10")["remaining"] == 0
    assert room_balance(cli, "2026-03-31")["remaining"] == 0
    assert room_balance(cli, "2026-04-01")["remaining"] == 300  # April's month

    [balances] = [r for r in cli("report", "balances", "--to", "2026-03-31", "-f", "json").json()
                  if r["type"] == "ROOM"]
    # January's and February's 300 expired; March's was used
    assert (balances["granted"], balances["used"], balances["expired"], balances["remaining"]) == (
        900, 300, 600, 0)
    assert balances["status"] == "current"

    history = cli("report", "history", "--contact", "B1", "--type", "ROOM", "--to", "2026-03-31",
                  "-f", "json").json()
    use = [h for h in history if h["kind"] == "use"]
    assert [(h["date"], h["quantity"], h["balance_after"]) for h in use] == [("2026-03-10", -300, 0)]
    expiries = [(h["date"], h["quantity"], h["balance_after"]) for h in history if h["kind"] == "expire"]
    # each month's minutes expire the day after its last day, as the next month's arrive
    assert expiries == [("2026-02-01", -300, 0), ("2026-03-01", -300, 0)]
    assert all(h["balance_after"] >= 0 for h in history)

    statement = cli("report", "statement", "B1", "--on", "2026-03-10", "-f", "json").json()
    used = [s for s in statement if s["type"] == "ROOM" and s["description"] == "Board day"]
    assert [(s["quantity"], s["remaining"]) for s in used] == [(300, 0)]
    left = [s for s in statement if s["type"] == "ROOM" and s["description"] == "Left on 2026-03-10"]
    assert [s["remaining"] for s in left] == [0]


def test_at_the_end_of_the_year_history_shows_what_december_holds_not_the_years_sum(cli, business):
    history = cli("report", "history", "--contact", "B1", "--type", "ROOM", "--to", "2026-12-31",
                  "-f", "json").json()
    last = history[-1]
    assert (last["date"], last["kind"], last["balance_after"]) == ("2026-12-01", "grant", 300)
    assert max(h["balance_after"] for h in history) == 300


def test_a_void_today_and_the_use_recorded_again_back_dated_never_shows_minus_one(cli, business):
    cli("type", "add", "PASS", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("level", "add", "B1", "PASS", "--quantity", "1", "--start", "2026-01-01", "--expires", "2026-12-31")
    [entry] = cli("use", "B1", "PASS", "--on", "2026-03-01").stdout.split()
    cli("usage", "void", entry, "--reason", "Recorded on the wrong day")
    cli("use", "B1", "PASS", "--on", "2026-03-01", "--description", "The right one")
    history = cli("report", "history", "--contact", "B1", "--type", "PASS", "-f", "json").json()
    assert [(h["kind"], h["balance_after"]) for h in history] == [
        ("grant", 1), ("use", 0), ("use", 0), ("void", 0)
    ]
    statement = cli("report", "statement", "B1", "--type", "PASS", "-f", "json").json()
    assert all(line["remaining"] >= 0 for line in statement)
    assert cli("balance", "B1", "--type", "PASS", "-f", "json").json()[0]["remaining"] == 0


def test_usage_by_month_never_adds_minutes_money_and_admissions(cli, business):
    cli("use", "B1", "CREDIT", "--quantity", "45.00", "--on", "2026-03-12")
    cli("use", "B1", "ADMIT", "--quantity", "6", "--on", "2026-03-15")
    rows = cli("report", "usage", "--by", "month", "--from", "2026-03-01", "--to", "2026-03-31",
               "-f", "json").json()
    assert sorted((r["month"], r["unit"], r["quantity"], r["value"]) for r in rows) == [
        ("2026-03", "count", 6, 54.0),
        ("2026-03", "minutes", 300, 150.0),
        ("2026-03", "money", 45.0, 45.0),
    ]
    text = cli("report", "usage", "--by", "month", "-f", "csv").stdout
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["month", "unit", "uses", "quantity", "members", "value"]


def test_the_usage_chart_draws_one_block_per_unit_and_can_chart_value(cli, business):
    cli("use", "B1", "ADMIT", "--quantity", "6", "--on", "2026-03-15")
    result = cli("report", "usage", "--by", "month", "--by", "type", "--chart", "-f", "csv")
    blocks = [line for line in result.stderr.splitlines() if line.startswith("quantity in ")]
    assert blocks == ["quantity in count", "quantity in minutes"]
    assert "2026-03 / ROOM" in result.stderr and "2026-03 / ADMIT" in result.stderr
    value = cli("report", "usage", "--by", "month", "--chart-value", "-f", "csv").stderr
    assert "quantity in" not in value
    assert "204" in value  # 150.00 of minutes and 54.00 of admissions: money may be added
