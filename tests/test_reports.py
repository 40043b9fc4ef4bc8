"""Reports end to end through the command line (issue 5, SPEC §2 "report", §3).

One small world is built once with the CLI and copied for every test: three benefit
types (one of them money), a plan, an owner with an allocation and a delegate, uses with
member-facing descriptions and internal notes, a void, an adjust, and manual levels that
expire around the pinned today. Data is read back with ``-f json`` and ``-f csv``; every
refusal must be exactly one ``Error:`` line with exit code 1 or 2 and no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ALLOCATIONS_COLUMNS,
    BALANCES_COLUMNS,
    ENV_OPERATOR,
    FORMATS,
    HISTORY_COLUMNS,
    HYPERLINK,
    KID_NOTE,
    NOTE,
    OPERATOR,
    REPORT_TODAY,
    REPORTS,
    STATEMENT_COLUMNS,
    USAGE_TAIL,
    Cli,
    csv_rows,
    one_error,
    report,
    rows,
)

# The columns whose JSON values must be numbers (never strings).
NUMERIC = {
    "history": ["quantity", "balance_after"],
    "usage": USAGE_TAIL,
    "balances": ["granted", "allocated_out", "used", "adjusted", "expired", "remaining"],
    "allocations": ["allocations", "number_allocated", "contacts"],
    "allocations --list": ["id", "number", "used"],
    "statement": ["quantity", "remaining"],
    "expiring": ["remaining", "days_left"],
}


# -- helpers -----------------------------------------------------------------------------------


def neutralized(text: str) -> str:
    """SPEC §3: what a text cell must look like in a CSV export."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def close(a: float, b: float) -> bool:
    return abs(a - b) < 0.005


# -- "why is my balance 0?" -------------------------------------------------------------------


def test_history_answers_why_the_balance_is_zero(cli, report_world):
    history = report(cli, "history", "--contact", "ANN", "--type", "GUEST")
    assert [(h["kind"], h["date"], h["quantity"], h["balance_after"], h["used_by"],
             h["description"]) for h in history] == [
        ("grant", "2026-01-01", 4, 4, None, None),
        ("allocate", "2026-01-01", -1, 3, "BOB", "for Bob"),
        ("use", "2026-02-01", -1, 2, "ANN", "Brought a friend"),
        ("use", "2026-02-10", -1, 1, "ANN", HYPERLINK),
        ("use", "2026-03-01", -1, 0, "DEE", "Team visit"),
    ]
    assert {(h["contact_ref"], h["type"], h["status"]) for h in history} == {
        ("ANN", "GUEST", "current")}
    assert all(isinstance(h["entry_id"], int) for h in history if h["kind"] == "use")
    [balance] = rows(cli, "balance", "ANN", "--type", "GUEST", "--on", REPORT_TODAY)
    assert balance["remaining"] == 0


def test_history_date_filters_keep_the_running_balance_of_earlier_events(cli, report_world):
    full = report(cli, "history", "--contact", "ANN", "--type", "GUEST")
    window = report(cli, "history", "--contact", "ANN", "--type", "GUEST",
                    "--from", "2026-02-05", "--to", "2026-02-28")
    assert window == [h for h in full if "2026-02-05" <= h["date"] <= "2026-02-28"]
    assert [h["balance_after"] for h in window] == [1]


# -- balances and usage agree with the ledger -------------------------------------------------


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
    ("parts", "status", "expires_on"),
    [
        # (start, expires) of each level; the first has one use, so something is left
        ([("2026-01-01", "2026-03-31"), ("2026-07-01", "2026-09-30")], "not started", "2026-09-30"),
        ([("2026-01-01", "2026-03-31"), ("2026-05-01", "2026-05-31")], "current", "2026-05-31"),
        ([("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-04-30")], "expired", None),
    ],
    ids=["expired-and-future", "expired-and-current", "all-expired"],
)
def test_a_balance_is_current_if_any_part_is_and_shows_the_soonest_live_expiry(
        cli, db, monkeypatch, parts, status, expires_on):
    monkeypatch.setenv("BENEFIT_TODAY", REPORT_TODAY)
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "perks")
    cli("contact", "add", "Dee", "--ref", "DEE")
    for start, expires in parts:
        cli("level", "add", "DEE", "GUEST", "--quantity", "2", "--start", start, "--expires", expires)
    cli("use", "DEE", "GUEST", "--on", "2026-02-01")
    [balance] = report(cli, "balances")
    assert (balance["status"], balance["expires_on"]) == (status, expires_on)
    assert (balance["granted"], balance["used"], balance["remaining"]) == (4, 1, 3)


def test_balances_report_agrees_with_the_balance_command(cli, report_world):
    for b in report(cli, "balances"):
        if b["status"] == "expired":
            continue  # balance --on today shows what can still be drawn
        [one] = rows(cli, "balance", b["contact_ref"], "--type", b["type"], "--on", REPORT_TODAY)
        assert close(one["remaining"], b["remaining"]), (b, one)


def ledger_totals(cli: Cli, key: Callable[[dict[str, Any]], str]) -> dict[str, tuple[int, float]]:
    """Uses less voids and quantity used less voided, per group, from ``usage list``."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for e in rows(cli, "usage", "list"):
        sign = {"use": 1, "void": -1}.get(e["kind"])
        if sign is None:
            continue
        totals[key(e)][0] += sign
        totals[key(e)][1] += sign * e["quantity"]
    return {k: (int(v[0]), v[1]) for k, v in totals.items() if v[0] or v[1]}


@pytest.mark.parametrize("by", ["type", "contact", "month"])
def test_usage_totals_equal_the_ledgers_sums(cli, report_world, by):
    key = {"type": lambda e: e["type"], "contact": lambda e: e["contact_ref"],
           "month": lambda e: e["date"][:7]}[by]
    expected = ledger_totals(cli, key)
    assert expected  # the world has a ledger
    got = report(cli, "usage", "--by", by)
    assert {g[by]: (g["uses"], round(g["quantity"], 2)) for g in got} == {
        k: (uses, round(quantity, 2)) for k, (uses, quantity) in expected.items()}


def test_usage_value_uses_the_unit_value_recorded_at_grant_time(cli, report_world):
    got = {g["type"]: g for g in report(cli, "usage", "--by", "type")}
    # GUEST: ANN's level was granted at 18.00 and used 4 times (ANN twice, BOB through his
    # allocation, DEE as a delegate); CAT's and GUS's levels came after the change to 25.00.
    assert (got["GUEST"]["uses"], got["GUEST"]["quantity"]) == (6, 6)
    assert got["GUEST"]["value"] == pytest.approx(4 * 18.00 + 2 * 25.00)
    # CREDIT: 12.50 + 7.25 used, 7.25 voided; one currency unit is worth 1.00.
    assert (got["CREDIT"]["uses"], got["CREDIT"]["quantity"]) == (1, 12.5)
    assert got["CREDIT"]["value"] == pytest.approx(12.50)
    # ROOM: 30 + 10 minutes at 0.50; the adjust of -3 is not a use.
    assert (got["ROOM"]["uses"], got["ROOM"]["quantity"], got["ROOM"]["value"]) == (2, 40, 20.0)
    assert got["GUEST"]["members"] == 5  # ANN, BOB, DEE, CAT, GUS

    cli("type", "update", "GUEST", "--value", "99.00")
    again = {g["type"]: g for g in report(cli, "usage", "--by", "type")}
    assert again["GUEST"]["value"] == pytest.approx(122.00)

    [csv_guest] = [r for r in csv.DictReader(io.StringIO(
        cli("report", "usage", "--type", "GUEST", "-f", "csv").stdout, newline=""))]
    assert (csv_guest["type"], csv_guest["quantity"], csv_guest["value"]) == ("GUEST", "6", "122.00")


@pytest.mark.parametrize(
    "by",
    [["month", "type"], ["contact"], ["category"], ["type"], ["month"], ["type", "contact"]],
    ids=lambda by: "+".join(by),
)
def test_usage_groups_by_the_keys_given_most_used_first(cli, report_world, by):
    args = [a for k in by for a in ("--by", k)]
    got = report(cli, "usage", *args)
    assert got
    assert all(list(g) == [*by, *USAGE_TAIL] for g in got)
    quantities = [g["quantity"] for g in got]
    assert quantities == sorted(quantities, reverse=True)
    assert len({tuple(g[k] for k in by) for g in got}) == len(got)  # one row per group
    # every split adds up to the same totals
    by_type = report(cli, "usage", "--by", "type")
    assert sum(g["uses"] for g in got) == sum(g["uses"] for g in by_type)
    assert sum(g["value"] for g in got) == pytest.approx(sum(g["value"] for g in by_type))
    if by == ["category"]:
        assert {g["category"]: g["uses"] for g in got} == {
            "admissions": 6, "shop": 1, "facilities": 2}
    if by == ["month", "type"]:
        assert {(g["month"], g["type"]): g["uses"] for g in got} == {
            ("2026-02", "GUEST"): 3, ("2026-02", "CREDIT"): 1, ("2026-03", "GUEST"): 3,
            ("2026-03", "ROOM"): 1, ("2026-04", "ROOM"): 1}


def test_usage_filters_narrow_the_totals(cli, report_world):
    assert [g["type"] for g in report(cli, "usage", "--category", "shop")] == ["CREDIT"]
    assert [(g["contact"], g["uses"]) for g in report(cli, "usage", "--by", "contact",
                                                       "--type", "GUEST", "--contact", "DEE")] == [
        ("DEE", 1)]
    gold = report(cli, "usage", "--plan", "GOLD")
    assert {g["type"]: g["uses"] for g in gold} == {"GUEST": 4, "CREDIT": 1}  # ANN's levels
    february = report(cli, "usage", "--by", "month", "--from", "2026-02-01", "--to", "2026-02-28")
    assert [(g["month"], g["uses"]) for g in february] == [("2026-02", 4)]


@pytest.fixture
def voided_in_april(cli: Cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """X and Y each use a guest pass in February; X's is voided as a mistake in April."""
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count",
        "--category", "admissions", "--value", "10.00")
    for ref in ("X", "Y"):
        cli("contact", "add", ref, "--ref", ref)
        cli("level", "add", ref, "GUEST", "--quantity", "5", "--start", "2026-01-01",
            "--expires", "2026-12-31")
    cli("use", "X", "GUEST", "--on", "2026-02-10")
    cli("use", "Y", "GUEST", "--on", "2026-02-11")
    [mistake] = rows(cli, "usage", "list", "--contact", "X")
    monkeypatch.setenv("BENEFIT_TODAY", "2026-04-02")
    cli("usage", "void", mistake["entry_id"], "--reason", "Not a visit")
    return db


def test_a_use_voided_in_a_later_month_leaves_no_negative_month(cli, voided_in_april):
    # The void reverses a use that never happened: February had one use, April none.
    assert report(cli, "usage", "--by", "month") == [
        {"month": "2026-02", "uses": 1, "quantity": 1, "members": 1, "value": 10.0}]


def test_a_member_whose_only_use_was_voided_is_not_counted(cli, voided_in_april):
    assert report(cli, "usage", "--by", "type") == [
        {"type": "GUEST", "uses": 1, "quantity": 1, "members": 1, "value": 10.0}]


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


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_usage_chart_draws_bars_on_stderr_and_keeps_stdout_clean_data(cli, report_world, fmt):
    result = cli("report", "usage", "--by", "month", "--chart", "-f", fmt)
    assert "█" in result.stderr
    for month in ("2026-02", "2026-03", "2026-04"):
        assert month in result.stderr
    assert "█" not in result.stdout
    plain = cli("report", "usage", "--by", "month", "-f", fmt).stdout
    assert result.stdout == plain
    if fmt == "csv":
        table = csv_rows(result.stdout)
        assert table[0] == ["month", *USAGE_TAIL]
        assert len(table) == 4
    else:
        assert sorted(g["month"] for g in result.json()) == ["2026-02", "2026-03", "2026-04"]


def test_usage_chart_by_type_labels_bars_with_the_types(cli, report_world):
    result = cli("report", "usage", "--by", "type", "--chart", "-f", "csv")
    bars = [line for line in result.stderr.splitlines() if "█" in line]
    assert sorted(line.split()[0] for line in bars) == ["CREDIT", "GUEST", "ROOM"]


# -- statements --------------------------------------------------------------------------------


def test_statement_shows_what_the_people_the_owner_gave_to_used(cli, report_world):
    lines = report(cli, "statement", "ANN")
    used = [(line["date"], line["type"], line["used_by"], line["quantity"], line["description"])
            for line in lines if line["description"] and not line["description"].startswith("Expires")]
    assert ("2026-02-15", "GUEST", "BOB", 1, "Bob's visit") in used
    assert ("2026-03-01", "GUEST", "DEE", 1, "Team visit") in used
    assert ("2026-02-01", "GUEST", "ANN", 1, "Brought a friend") in used
    assert ("2026-02-03", "CREDIT", "ANN", 12.5, "+cafe") in used
    descriptions = [line["description"] for line in lines]
    assert "Bob private room" not in descriptions  # Bob's own benefit, not Ann's
    assert all(line["used_by"] != "CAT" for line in lines)
    [expiry] = [line for line in lines if "Expires on" in (line["description"] or "")]
    assert (expiry["type"], expiry["date"], expiry["remaining"]) == ("ROOM", "2026-07-01", 117)
    assert "2026-07-01" in expiry["description"]
    dates = [line["date"] for line in lines if line is not expiry]
    assert dates == sorted(dates)


def test_statement_lists_only_balances_expiring_within_sixty_days(cli, report_world, monkeypatch):
    monkeypatch.setenv("BENEFIT_TODAY", "2026-04-01")  # ROOM expires in 91 days
    assert not [line for line in report(cli, "statement", "ANN")
                if "Expires on" in (line["description"] or "")]
    monkeypatch.setenv("BENEFIT_TODAY", "2026-05-02")  # 60 days
    assert [line["type"] for line in report(cli, "statement", "ANN")
            if "Expires on" in (line["description"] or "")] == ["ROOM"]


def test_a_void_on_a_statement_has_the_opposite_sign_of_the_use_it_reverses(cli, report_world):
    lines = report(cli, "statement", "ANN", "--type", "CREDIT")
    [shop] = [line for line in lines if line["description"] == "@shop"]
    [void] = [line for line in lines if line["date"] == "2026-03-20"]
    # a member must tell a charge from its refund by the number, not only by the wording
    assert void["quantity"] == -shop["quantity"], (shop, void)
    assert void["remaining"] == 37.5


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_statement_never_shows_a_note_or_an_operator(cli, report_world, fmt, tmp_path):
    # Both are really recorded: the history (a staff report) shows the operators, and the
    # notes are in the ledger file.
    operators = {h["operator"] for h in report(cli, "history")}
    assert {OPERATOR, ENV_OPERATOR} <= operators
    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    assert {NOTE, KID_NOTE} <= {r[0] for r in conn.execute("SELECT note FROM entries")}
    conn.close()

    for contact in ("ANN", "BOB", "DEE"):
        out = cli("report", "statement", contact, "-f", fmt).stdout
        target = tmp_path / f"{contact}.{fmt}"
        cli("report", "statement", contact, "-f", fmt, "-o", target)
        for text in (out, target.read_text(encoding="utf-8")):
            assert text.strip()
            for secret in (NOTE, "INTERNAL", KID_NOTE, OPERATOR, "Olga", ENV_OPERATOR):
                assert secret not in text, (contact, fmt, secret)
    assert "Bob's visit" in cli("report", "statement", "ANN", "-f", fmt).stdout


# -- CSV safety --------------------------------------------------------------------------------


def test_csv_history_round_trips_and_neutralizes_formulas(cli, report_world):
    text = cli("report", "history", "-f", "csv").stdout
    table = csv_rows(text)
    assert table[0] == HISTORY_COLUMNS
    parsed = [dict(zip(table[0], r, strict=True)) for r in table[1:]]
    by_description = {r["description"]: r for r in parsed}

    assert by_description["'" + HYPERLINK]["quantity"] == "-1"
    assert "'+cafe" in by_description and "'@shop" in by_description
    assert "'-2+3" in by_description
    assert "'\tTabbed booking" in by_description
    assert HYPERLINK not in by_description and "+cafe" not in by_description
    assert {r["contact"] for r in parsed if r["contact_ref"] == "EVE"} == {"'=Eve Formula"}

    adjust = by_description["Overran the booking"]
    assert (adjust["kind"], adjust["quantity"], adjust["type"]) == ("adjust", "-3", "ROOM")
    cafe = by_description["'+cafe"]
    assert (cafe["quantity"], cafe["balance_after"]) == ("-12.50", "37.50")
    [credit_grant] = [r for r in parsed if r["type"] == "CREDIT" and r["kind"] == "grant"]
    assert (credit_grant["quantity"], credit_grant["balance_after"]) == ("50.00", "50.00")

    # every cell is what the JSON says, made safe
    for json_row, csv_row in zip(report(cli, "history"), parsed, strict=True):
        for column, value in json_row.items():
            cell = csv_row[column]
            if value is None:
                assert cell == ""
            elif isinstance(value, int | float):
                assert float(cell) == pytest.approx(value), (column, cell)
            else:
                assert cell == neutralized(value), (column, cell, value)


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_csv_report_round_trips_through_the_csv_module(cli, report_world, name):
    data = report(cli, *REPORTS[name])
    assert data, name
    table = csv_rows(cli("report", *REPORTS[name], "-f", "csv").stdout)
    assert table[0] == list(data[0])
    assert len(table) == len(data) + 1
    for json_row, cells in zip(data, table[1:], strict=True):
        for value, cell in zip(json_row.values(), cells, strict=True):
            if value is None:
                assert cell == ""
            elif isinstance(value, bool):
                assert cell in ("yes", "no")
            elif isinstance(value, int | float):
                assert float(cell) == pytest.approx(value)
                assert not cell.startswith("'")
            else:
                assert cell == neutralized(value), (name, cell, value)


def test_money_shows_two_decimals_in_text_formats(cli, report_world):
    balances = {(r["contact_ref"], r["type"]): r for r in csv.DictReader(io.StringIO(
        cli("report", "balances", "-f", "csv").stdout, newline=""))}
    credit = balances[("ANN", "CREDIT")]
    assert (credit["granted"], credit["used"], credit["remaining"], credit["adjusted"]) == (
        "50.00", "12.50", "37.50", "0.00")
    assert balances[("ANN", "GUEST")]["granted"] == "4"
    for fmt in ("table", "markdown"):
        out = cli("report", "balances", "--type", "CREDIT", "-f", fmt).stdout
        assert "37.50" in out and "50.00" in out and "12.50" in out
    statement = csv_rows(cli("report", "statement", "ANN", "--type", "CREDIT", "-f", "csv").stdout)
    assert ["2026-02-03", "CREDIT", "ANN", "12.50", "'+cafe", "37.50"] in statement


# -- every format of every report --------------------------------------------------------------


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_in_every_format(cli, report_world, name, tmp_path):
    args = REPORTS[name]
    data = report(cli, *args)
    assert data
    columns = list(data[0])
    if name == "history":
        assert columns == HISTORY_COLUMNS
    elif name == "balances":
        assert columns == BALANCES_COLUMNS
    elif name == "allocations":
        assert columns == ALLOCATIONS_COLUMNS
    elif name == "statement":
        assert columns == STATEMENT_COLUMNS
    elif name == "usage":
        assert columns == ["type", *USAGE_TAIL]
    elif name == "expiring":
        assert {"contact_ref", "type", "remaining", "expires_on", "days_left"} <= set(columns)
    for row in data:
        assert list(row) == columns
        for column in NUMERIC[name]:
            value = row[column]
            assert isinstance(value, int | float) and not isinstance(value, bool), (column, value)

    for fmt in FORMATS:
        out = cli("report", *args, "-f", fmt).stdout
        assert "\x1b" not in out  # piped: no colour
        if fmt == "json":
            assert json.loads(out) == data
        elif fmt == "csv":
            assert csv_rows(out)[0] == columns
        elif fmt == "markdown":
            header = next(line for line in out.splitlines() if line.startswith("|"))
            assert [c.strip() for c in header.strip("|").split("|")] == columns
        else:
            assert out.splitlines()[0].split() == columns
            assert len(out.splitlines()) == len(data) + 2

        target = tmp_path / f"{name.replace(' ', '')}.{fmt}"
        written = cli("report", *args, "-f", fmt, "--output", target)
        assert written.stdout == ""
        assert target.read_text(encoding="utf-8") == out


def test_allocations_report_counts_and_lists_the_rows_behind_the_numbers(cli, report_world):
    assert report(cli, "allocations") == [
        {"type": "GUEST", "allocations": 1, "number_allocated": 1, "contacts": 1}]
    [row] = report(cli, "allocations", "--list")
    assert (row["type"], row["owner_ref"], row["contact_ref"], row["number"], row["used"],
            row["comment"]) == ("GUEST", "ANN", "BOB", 1, 1, "for Bob")
    assert report(cli, "allocations", "--type", "ROOM") == []


def test_allocation_list_shows_each_status_and_money_in_currency_units(cli, db):
    cli("type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money", "--category", "shop")
    cli("contact", "add", "Ann Owner", "--ref", "ANN")
    for ref in ("B1", "B2", "B3", "B4"):
        cli("contact", "add", f"Kid {ref}", "--ref", ref)
    cli("level", "add", "ANN", "CREDIT", "--quantity", "100.00", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [level] = rows(cli, "level", "list", "--contact", "ANN")
    for ref in ("B1", "B2", "B3", "B4"):
        cli("allocate", level["id"], ref, "--number", "12.50")
    ids = {a["contact_ref"]: a["id"] for a in rows(cli, "allocation", "list")}
    cli("allocation", "accept", ids["B2"], "--on", "2026-02-01")
    cli("allocation", "decline", ids["B3"], "--on", "2026-02-01")
    cli("allocation", "accept", ids["B4"], "--on", "2026-02-01")
    cli("use", "B4", "CREDIT", "--quantity", "2.25", "--on", "2026-02-02")
    cli("allocation", "end", ids["B4"], "--on", "2026-03-01")

    listed = {r["contact_ref"]: r for r in report(cli, "allocations", "--list")}
    assert {ref: r["status"] for ref, r in listed.items()} == {
        "B1": "offered", "B2": "accepted", "B3": "declined", "B4": "ended"}
    assert (listed["B4"]["number"], listed["B4"]["used"]) == (12.5, 2.25)
    assert listed["B1"]["owner_ref"] == "ANN" and listed["B1"]["type"] == "CREDIT"
    text = cli("report", "allocations", "--list", "-f", "csv").stdout
    b4 = next(line for line in csv_rows(text) if "B4" in line)
    assert b4[5:7] == ["12.50", "2.25"]


EMPTY_COLUMNS = {
    "history": HISTORY_COLUMNS,
    "usage": ["type", *USAGE_TAIL],
    "balances": BALANCES_COLUMNS,
    "allocations": ALLOCATIONS_COLUMNS,
    "statement": STATEMENT_COLUMNS,
}


@pytest.mark.parametrize("name", list(REPORTS))
def test_an_empty_report_is_headers_only_or_an_empty_list(cli, empty_ledger, name, tmp_path):
    args = [("N1" if a == "ANN" else a) for a in REPORTS[name]]
    for fmt in FORMATS:
        for extra in ([], ["--type", "GUEST"], ["--plan", "GOLD"]):
            out = cli("report", *args, *extra, "-f", fmt).stdout
            if fmt == "json":
                assert json.loads(out) == []
            elif fmt == "csv":
                table = csv_rows(out)
                assert len(table) == 1
                if name in EMPTY_COLUMNS:
                    assert table[0] == EMPTY_COLUMNS[name]
                else:
                    assert table[0]
            elif fmt == "markdown":
                header = [line for line in out.splitlines() if line.startswith("|")]
                assert len(header) == 2  # the header and its rule, no rows
                if name in EMPTY_COLUMNS:
                    assert [c.strip() for c in header[0].strip("|").split("|")] == EMPTY_COLUMNS[name]
            else:
                assert len(out.splitlines()) == 2
                if name in EMPTY_COLUMNS:
                    assert out.splitlines()[0].split() == EMPTY_COLUMNS[name]
        target = tmp_path / f"empty.{name.replace(' ', '')}.csv"
        assert cli("report", *args, "-f", "csv", "-o", target).stdout == ""
        assert len(csv_rows(target.read_text(encoding="utf-8"))) == 1


def test_empty_usage_with_several_keys_still_names_them(cli, empty_ledger):
    out = cli("report", "usage", "--by", "month", "--by", "category", "-f", "csv").stdout
    assert csv_rows(out) == [["month", "category", *USAGE_TAIL]]


def test_filters_that_match_nothing_give_empty_reports(cli, report_world):
    assert report(cli, "history", "--from", "2027-01-01") == []
    assert report(cli, "usage", "--plan", "SILVER") == []
    assert report(cli, "balances", "--plan", "SILVER") == []
    assert report(cli, "balances", "--category", "nothing-here") == []
    assert report(cli, "statement", "GUS", "--from", "2027-01-01") == []


# -- expiring ----------------------------------------------------------------------------------


def test_expiring_lists_who_loses_what_and_when_within_the_window(cli, report_world):
    got = report(cli, "expiring", "--within", "30")
    assert [(r["contact_ref"], r["type"], r["remaining"], r["expires_on"], r["days_left"])
            for r in got] == [
        ("CAT", "GUEST", 1, "2026-06-04", 20),
        ("EVE", "ROOM", 90, "2026-06-14", 30),
    ]
    assert got[0]["email"] == "cat@example.org"
    wider = report(cli, "expiring", "--within", "60")
    assert [(r["contact_ref"], r["days_left"]) for r in wider] == [
        ("CAT", 20), ("EVE", 30), ("DEE", 31), ("ANN", 47)]
    assert all(r["days_left"] <= 60 for r in wider)
    assert report(cli, "expiring", "--within", "0") == []
    assert [r["contact_ref"] for r in report(cli, "expiring", "--within", "60",
                                              "--type", "ROOM")] == ["EVE", "DEE", "ANN"]


# -- unhappy paths -----------------------------------------------------------------------------

BAD_FILTERS = [
    pytest.param(["--contact", "NOPE"], "NOPE", id="unknown-contact"),
    pytest.param(["--type", "NOPE"], "NOPE", id="unknown-type"),
    pytest.param(["--plan", "NOPE"], "NOPE", id="unknown-plan"),
    pytest.param(["--from", "2026-02-30"], "--from", id="no-such-day"),
    pytest.param(["--to", "31/01/2026"], "--to", id="slash-date"),
    pytest.param(["--from", "yesterday"], "--from", id="not-a-date"),
    pytest.param(["--from", "2026-05-01", "--to", "2026-04-01"], "--to", id="to-before-from"),
]


@pytest.mark.parametrize("name", list(REPORTS))
@pytest.mark.parametrize(("bad", "named"), BAD_FILTERS)
def test_a_bad_filter_is_refused_in_one_line(cli, empty_ledger, name, bad, named):
    args = [("N1" if a == "ANN" else a) for a in REPORTS[name]]
    if name == "statement" and bad[0] == "--contact":
        args, bad = ["statement", "NOPE"], []
    result = cli("report", *args, *bad, code=None)
    assert result.exit_code in (1, 2), (result.exit_code, result.stdout, result.stderr)
    assert named in one_error(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["usage", "--by", "week"], "week"),
        (["usage", "--by", "type", "--by", "plan"], "plan"),
        (["expiring", "--within", "-1"], "--within"),
        (["expiring", "--within", "soon"], "--within"),
        (["history", "-f", "xml"], "xml"),
    ],
    ids=["by-week", "by-plan", "within-negative", "within-text", "format"],
)
def test_wrong_usage_of_a_report_is_refused_in_one_line(cli, empty_ledger, args, named, tmp_path):
    target = tmp_path / "never.csv"
    result = cli("report", *args, "-o", target, code=None)
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
    assert named in one_error(result)
    assert result.stdout == ""
    assert not target.exists()


def test_an_output_file_that_cannot_be_written_is_a_clear_refusal(cli, report_world, tmp_path):
    target = tmp_path / "no-such-folder" / "history.csv"
    result = cli("report", "history", "-f", "csv", "-o", target, code=None)
    assert result.exit_code in (1, 2)
    line = one_error(result)
    assert "unexpected" not in line and "internal" not in line, line
    assert "history.csv" in line, line
    assert result.stdout == ""


# -- the SQL views -----------------------------------------------------------------------------


def test_the_views_answer_from_plain_sqlite3(cli, report_world):
    report_balances = report(cli, "balances")
    report_history = report(cli, "history")

    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    conn.row_factory = sqlite3.Row
    try:
        view_balances = [dict(r) for r in conn.execute("SELECT * FROM balances")]
        view_history = [dict(r) for r in conn.execute("SELECT * FROM history")]
    finally:
        conn.close()

    def units(row: dict[str, Any], column: str) -> float:
        value = row[column]
        return value / 100 if row["unit"] == "money" else value

    remaining: dict[tuple[str, str], float] = defaultdict(float)
    for row in view_balances:
        remaining[(row["contact_ref"], row["type"])] += units(row, "remaining")
    assert remaining == pytest.approx(
        {(b["contact_ref"], b["type"]): b["remaining"] for b in report_balances})
    assert any(row["allocation_id"] is not None for row in view_balances)

    def key(kind: Any, date: Any, ref: Any, type_: Any, quantity: Any, after: Any) -> tuple[Any, ...]:
        return (kind, date, ref, type_, round(quantity, 2), round(after, 2))

    assert sorted(key(r["kind"], r["date"], r["contact_ref"], r["type"], units(r, "quantity"),
                      units(r, "balance_after")) for r in view_history) == sorted(
        key(h["kind"], h["date"], h["contact_ref"], h["type"], h["quantity"], h["balance_after"])
        for h in report_history)
    assert sorted(r["entry_id"] for r in view_history if r["entry_id"] is not None) == sorted(
        h["entry_id"] for h in report_history if h["entry_id"] is not None)


# -- the per-contact balance lookup uses an index ----------------------------------------------


def plan_of(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> str:
    return " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def assert_indexed(plan: str, table: str) -> None:
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert f"SCAN {table}" not in plan, plan


def test_the_balance_lookup_of_one_contact_uses_indexes(cli, report_world):
    import benefit_cli.db.connection as connection

    issued: list[str] = []
    original = connection.connect

    def tracing_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = original(*args, **kwargs)
        conn.set_trace_callback(issued.append)
        return conn

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "connect", tracing_connect)
        cli("balance", "ANN", "--on", REPORT_TODAY)
        cli("balance", "ANN", "--type", "GUEST", "--on", REPORT_TODAY)

    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    try:
        selects = [s for s in issued if s.lstrip().upper().startswith(("SELECT", "WITH"))]
        sums = [s for s in selects if "FROM entries" in s and "level_id IN" in s]
        levels = [s for s in selects if "FROM levels WHERE" in s and "contact_id" in s]
        assert sums and levels, issued
        for sql in sums:
            assert_indexed(plan_of(conn, sql), "entries")
        for sql in levels:
            assert_indexed(plan_of(conn, sql), "levels")
        for sql in selects:  # nothing the lookup issues reads a whole ledger table
            plan = plan_of(conn, sql)
            assert "SCAN entries" not in plan and "SCAN levels" not in plan, (sql, plan)
            assert "SCAN allocations" not in plan and "SCAN delegates" not in plan, (sql, plan)

        # and the SQL as Store.entry_sums and the levels lookup write it, with parameters
        assert_indexed(plan_of(
            conn, "SELECT level_id, allocation_id, sum(quantity) FROM entries"
            " WHERE level_id IN (?) GROUP BY level_id, allocation_id", (1,)), "entries")
        assert_indexed(plan_of(
            conn, "SELECT level_id, allocation_id, sum(quantity) FROM entries"
            " WHERE level_id IN (?, ?, ?) GROUP BY level_id, allocation_id", (1, 2, 3)), "entries")
        assert_indexed(plan_of(
            conn, "SELECT * FROM levels WHERE contact_id = ? AND type_id = ?", (1, 1)), "levels")
    finally:
        conn.close()
