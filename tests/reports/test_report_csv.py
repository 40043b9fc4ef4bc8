"""CSV safety of every report (SPEC §3): CSV round-trips through the csv module, text that a
spreadsheet would run is neutralized, money shows two decimals."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import HISTORY_COLUMNS, HYPERLINK, REPORTS, csv_rows, report


def neutralized(text: str) -> str:
    """SPEC §3: what a text cell must look like in a CSV export."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


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
                assert cell == ("1" if value else "0")  # SPEC §2: 1/0 in CSV
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
