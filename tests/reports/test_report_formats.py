"""Every report in every format (table, csv, json, markdown; stdout or ``--output``) with the
SPEC's columns and numbers as numbers; an empty report is headers only or an empty list."""

from __future__ import annotations

import json

import pytest
from conftest import (
    ALLOCATIONS_COLUMNS,
    BALANCES_COLUMNS,
    FORMATS,
    HISTORY_COLUMNS,
    REPORTS,
    STATEMENT_COLUMNS,
    USAGE_TAIL,
    csv_rows,
    report,
)

# The columns whose JSON values must be numbers (never strings).
NUMERIC = {
    "history": ["quantity", "balance_after"],
    "usage": USAGE_TAIL[1:],
    "balances": ["granted", "allocated_out", "used", "adjusted", "expired", "remaining"],
    "allocations": ["allocations", "number_allocated", "contacts"],
    "allocations --list": ["id", "number", "used"],
    "statement": ["quantity", "remaining"],
    "expiring": ["remaining", "days_left"],
}


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


def test_filters_that_match_nothing_give_empty_reports(cli, report_world):
    assert report(cli, "history", "--from", "2027-01-01") == []
    assert report(cli, "usage", "--plan", "SILVER") == []
    assert report(cli, "balances", "--plan", "SILVER") == []
    assert report(cli, "balances", "--category", "nothing-here") == []
    assert report(cli, "statement", "GUS", "--from", "2027-01-01") == []
