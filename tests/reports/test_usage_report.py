"""``report usage``: totals equal the ledger's sums for every grouping and filter, values use
the unit value recorded at grant time, a void cancels its use in the use's month, and
``--chart`` draws on stderr while stdout stays clean data."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import USAGE_TAIL, Cli, csv_rows, report, rows


def ledger_totals(
    cli: Cli, key: Callable[[dict[str, Any]], str]
) -> dict[tuple[str, str], tuple[int, float]]:
    """Uses less voids and quantity used less voided, per group and unit, from ``usage list``."""
    units = {t["code"]: t["unit"] for t in rows(cli, "type", "list", "--all")}
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for e in rows(cli, "usage", "list"):
        sign = {"use": 1, "void": -1}.get(e["kind"])
        if sign is None:
            continue
        group = (key(e), units[e["type"]])
        totals[group][0] += sign
        totals[group][1] += sign * e["quantity"]
    return {k: (int(v[0]), v[1]) for k, v in totals.items() if v[0] or v[1]}


@pytest.mark.parametrize("by", ["type", "contact", "month"])
def test_usage_totals_equal_the_ledgers_sums(cli, report_world, by):
    key = {"type": lambda e: e["type"], "contact": lambda e: e["contact_ref"],
           "month": lambda e: e["date"][:7]}[by]
    expected = ledger_totals(cli, key)
    assert expected  # the world has a ledger
    got = report(cli, "usage", "--by", by)
    assert {(g[by], g["unit"]): (g["uses"], round(g["quantity"], 2)) for g in got} == {
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
    units = [g["unit"] for g in got]
    assert units == sorted(units)  # minutes, admissions and money are never added together
    for unit in set(units):
        quantities = [g["quantity"] for g in got if g["unit"] == unit]
        assert quantities == sorted(quantities, reverse=True)
    assert len({(*(g[k] for k in by), g["unit"]) for g in got}) == len(got)  # one row per group and unit
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
    assert [(g["month"], g["unit"], g["uses"]) for g in february] == [
        ("2026-02", "count", 3), ("2026-02", "money", 1)]


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
        {"month": "2026-02", "unit": "count", "uses": 1, "quantity": 1, "members": 1, "value": 10.0}]


def test_a_member_whose_only_use_was_voided_is_not_counted(cli, voided_in_april):
    assert report(cli, "usage", "--by", "type") == [
        {"type": "GUEST", "unit": "count", "uses": 1, "quantity": 1, "members": 1, "value": 10.0}]


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
        # February: passes and money; March: passes and minutes; April: minutes
        assert [(row[0], row[1]) for row in table[1:]] == [
            ("2026-02", "count"), ("2026-03", "count"), ("2026-03", "minutes"), ("2026-04", "minutes"),
            ("2026-02", "money")]
    else:
        assert sorted({g["month"] for g in result.json()}) == ["2026-02", "2026-03", "2026-04"]


def test_usage_chart_by_type_labels_bars_with_the_types(cli, report_world):
    result = cli("report", "usage", "--by", "type", "--chart", "-f", "csv")
    bars = [line for line in result.stderr.splitlines() if "█" in line]
    assert sorted(line.split()[0] for line in bars) == ["CREDIT", "GUEST", "ROOM"]


def test_empty_usage_with_several_keys_still_names_them(cli, empty_ledger):
    out = cli("report", "usage", "--by", "month", "--by", "category", "-f", "csv").stdout
    assert csv_rows(out) == [["month", "category", *USAGE_TAIL]]
