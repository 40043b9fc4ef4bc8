"""``benefit usage import`` refuses a bad file (issue 4): every refused file names its rows
and columns (``row N, column X: reason``), in file order, and leaves every table as it was.

Input files are written as bytes, so encodings, BOMs and line ends are exactly what a
spreadsheet would export; the usage world is described in ``conftest.usage_template``."""

from __future__ import annotations

import csv

import pytest
from conftest import USAGE_HEADER, entry_count, problems, snapshot, summary, write_bytes

BAD_FILES = [
    pytest.param(
        b"contact,type,used_on,description\nC1,GUEST,2026-03-01,ok\n"
        b"C1,GUEST,2026-03-02,caf\xe9\n", (),
        [("row 3, column description:", "is not UTF-8 (byte 0xe9", "--encoding")],
        id="cp1252 without --encoding"),
    pytest.param(
        b"contact,type,Type\nC1,GUEST,GUEST\n", (),
        [("row 1, column Type:", "appears twice", "column B")],
        id="duplicate headers"),
    pytest.param(
        b"contact,type,colour\nC1,GUEST,red\n", (),
        [("row 1, column colour:", "unknown column 'colour'", "--ignore-extra")],
        id="unknown column"),
    pytest.param(
        b"contact,quantity\nC1,1\n", (),
        [("row 1, column type:", "the required column 'type' is missing")],
        id="missing required column"),
    pytest.param(
        b"contact,type,used_on\nC1,GUEST,2026-03-01\n,GUEST,2026-03-01\n", (),
        [("row 3, column contact:", "the contact is missing")],
        id="missing value"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-02-30,,\n", (),
        [("row 2, column used_on:", "'2026-02-30' is not a valid date")],
        id="bad date"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,03/04/2026,,\n", (),
        [("row 2, column used_on:", "could be 3 April or March 4", "--dayfirst")],
        id="ambiguous date"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,0,2026-03-01,,\n", (),
        [("row 2, column quantity:", "positive whole number", "'0'")],
        id="zero quantity"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,-1,2026-03-01,,\n", (),
        [("row 2, column quantity:", "positive whole number", "'-1'")],
        id="negative quantity"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1.5,2026-03-01,,\n", (),
        [("row 2, column quantity:", "whole number", "'1.5'")],
        id="fractional count"),
    pytest.param(
        USAGE_HEADER + b"C1,CREDIT,0.005,2026-03-01,,\n", (),
        [("row 2, column quantity:", "more than two decimals", "'0.005'")],
        id="money with three decimals"),
    pytest.param(
        USAGE_HEADER + b"C9,GUEST,1,2026-03-01,,\n", (),
        [("row 2, column contact:", 'no contact "C9"')],
        id="unknown contact"),
    pytest.param(
        USAGE_HEADER + b"C1,NOPE,1,2026-03-01,,\n", (),
        [("row 2, column type:", 'no benefit type "NOPE"')],
        id="unknown type"),
    pytest.param(
        USAGE_HEADER + b"C1,old,1,2026-03-01,,\n", (),
        [("row 2, column type:", '"OLD" is retired')],
        id="retired type"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2027-02-01,,\n", (),
        [("row 2, column used_on:", "no GUEST balance is valid on that date")],
        id="date outside every level"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,3,2026-03-01,first,\nC1,GUEST,3,2026-03-02,second,\n", (),
        [("row 3, column quantity:", "cannot use 3 of GUEST", "only 2 remain")],
        id="overdraw within the file"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,K1\nC2,GUEST,2,2026-03-01,,K1\n", (),
        [("row 3, column ref:", '"K1"', "different use")],
        id="ref repeated with different content"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,fine,\nC1,GUEST,1,2026-03-02,\"never closed,\n"
        b"C1,GUEST,1,2026-03-03,,\n", (),
        [("row 3:", "never closed")],
        id="unclosed quote"),
    pytest.param(
        USAGE_HEADER + b'C1,GUEST,1,2026-03-01,"line one\nline two\nline three",\n'
        b"C1,GUEST,1,2026-03-02,,\nC9,GUEST,1,2026-03-03,,\n", (),
        [("row 4, column contact:", 'no contact "C9"')],
        id="quoted newlines keep later row numbers"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n\n,,,,,\nC9,GUEST,1,2026-03-03,,\n", (),
        [("row 5, column contact:", 'no contact "C9"')],
        id="blank rows are counted"),
    pytest.param(
        b"", (),
        [("row 1:", "the file is empty")],
        id="empty file"),
    pytest.param(
        b"contact,type\nC1,GUEST\nC1,GUEST,GUEST\n", (),
        [("row 3, column C:", "3 cells but the header has 2 columns")],
        id="more cells than the header"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,03/04/2026,,\n", ("--dayfirst", "--monthfirst"),
        [],
        id="dayfirst and monthfirst together"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n", ("--encoding", "klingon"),
        [],
        id="unknown encoding"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n", ("--on-error", "ignore"),
        [],
        id="unknown --on-error"),
]


@pytest.mark.parametrize(("data", "args", "expected"), BAD_FILES)
def test_a_bad_file_is_refused_naming_row_and_column_and_writes_nothing(
    cli, usage_world, tmp_path, data, args, expected
):
    path = write_bytes(tmp_path, data)
    before = snapshot(usage_world)
    result = cli("usage", "import", path, *args, code=None)
    assert result.exit_code in (1, 2)
    assert len(result.error_lines) == 1, result.stderr
    found = problems(result)
    assert len(found) == len(expected), result.stderr
    for line, (prefix, *phrases) in zip(found, expected, strict=True):
        assert line.startswith(prefix), line
        for phrase in phrases:
            assert phrase in line, line
    if expected:
        assert result.exit_code == 1
    else:
        assert result.exit_code == 2  # a wrong use of the command, not a bad file
    assert snapshot(usage_world) == before
    assert entry_count(usage_world) == 0


def test_every_bad_row_is_reported_and_nothing_is_imported(both_ways, cli, usage_world, tmp_path):
    path = write_bytes(tmp_path, USAGE_HEADER
                       + b"C1,GUEST,1,2026-03-01,good,\n"
                       + b"C9,GUEST,1,2026-03-01,unknown contact,\n"
                       + b"C2,GUEST,1,2026-03-02,good,\n"
                       + b"C2,GUEST,2,2026-02-30,bad date,\n"
                       + b"C1,CREDIT,0.10,2026-03-03,good,\n"
                       + b"C1,NOPE,1,2026-03-04,unknown type,\n")
    before = snapshot(usage_world)
    result = cli("usage", "import", path, code=1)
    found = problems(result)
    assert [line.split(":")[0] for line in found] == [
        "row 3, column contact", "row 5, column used_on", "row 7, column type"]
    assert result.error_lines == [
        "Error: 3 rows have problems, so nothing was imported; fix them and try again."]
    assert summary(result).startswith("rows read 6, valid 3 (not written)")
    assert snapshot(usage_world) == before


def test_problems_are_listed_in_file_order_whatever_found_them(both_ways, cli, usage_world, tmp_path):
    # Chunks of three: rows 2-4, 5-7. An overdraw (found when drawing) comes before an
    # unknown contact (found when reading) in the first; the second chunk is read before
    # the first is drawn.
    path = write_bytes(tmp_path, USAGE_HEADER
                       + b"C1,GUEST,6,2026-03-01,more than the 5 held,\n"
                       + b"C9,GUEST,1,2026-03-01,unknown contact,\n"
                       + b"C1,GUEST,5,2026-03-01,good,\n"
                       + b"C2,GUEST,1,2026-02-30,bad date,\n"
                       + b"C1,GUEST,1,2026-03-02,none left,\n"
                       + b"C2,GUEST,1,2026-03-02,good,\n")
    rejects = tmp_path / "rejects.csv"
    result = cli("usage", "import", path, "--rejects", rejects, code=1)
    assert [line.split(":")[0] for line in problems(result)] == [
        "row 2, column quantity", "row 3, column contact", "row 5, column used_on",
        "row 6, column quantity"]
    with open(rejects, encoding="utf-8-sig", newline="") as handle:
        assert [r[4] for r in csv.reader(handle)][1:] == [
            "more than the 5 held", "unknown contact", "bad date", "none left"]
    assert entry_count(usage_world) == 0


@pytest.mark.parametrize("dry_run", [pytest.param((), id="import"),
                                     pytest.param(("--dry-run",), id="dry run")])
def test_the_first_hundred_problems_are_shown_and_the_rest_counted(cli, usage_world, tmp_path, dry_run):
    path = write_bytes(tmp_path, USAGE_HEADER + b"C9,GUEST,1,2026-03-01,,\n" * 150)
    before = snapshot(usage_world)
    result = cli("usage", "import", path, *dry_run, code=1)
    found = problems(result)
    assert [line.split(",")[0] for line in found] == [f"row {n}" for n in range(2, 102)]
    assert "rejected 150" in result.stderr
    told = [line for line in result.stderr.splitlines() if line.strip().startswith("...")]
    assert told == ["  ... and 50 more."], "the output does not say that rows 102-151 are not shown"
    if not dry_run:
        assert result.error_lines == [
            "Error: 150 rows have problems, so nothing was imported; fix them and try again."]
    assert snapshot(usage_world) == before


def test_rejects_file_holds_every_bad_row(cli, usage_world, tmp_path):
    path = write_bytes(tmp_path, USAGE_HEADER + b"C9,GUEST,1,2026-03-01,,\n" * 150)
    before = snapshot(usage_world)
    rejects = tmp_path / "rejects.csv"
    cli("usage", "import", path, "--on-error", "skip", "--rejects", rejects, code=3)
    with open(rejects, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1 + 150
    assert snapshot(usage_world) == before


def test_no_bad_row_goes_unmentioned_when_rows_have_several_problems(cli, usage_world, tmp_path):
    # 60 rows with two problems each: 120 problems, more than the 100 shown on screen.
    path = write_bytes(tmp_path, USAGE_HEADER + b"C9,NOPE,1,2026-03-01,,\n" * 60)
    result = cli("usage", "import", path, code=1)
    shown = {int(line.split(",")[0].removeprefix("row ")) for line in problems(result)}
    told_of_more = any(line.strip().startswith("... and") for line in result.stderr.splitlines())
    assert shown == set(range(2, 62)) or told_of_more, (
        f"rows {sorted(set(range(2, 62)) - shown)} have problems the output never mentions")
