"""``benefit usage import`` end to end (issue 4, "What must hold").

A small world is built once with the CLI and copied for every test: GUEST (count) and
CREDIT (money) from the GOLD plan, valid 2026-01-01..2026-12-31, for the members C1 and
C2; OLD is granted too but retired; C3 is a contact with nothing. Input files are written
as bytes, so encodings, BOMs and line ends are exactly what a spreadsheet would export.

Every refused file must name its rows and columns (``row N, column X: reason``) and leave
every table as it was; every accepted one is read back through ``usage list -f json``.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    USAGE_HEADER,
    USAGE_TODAY,
    assert_db_ok,
    balance,
    copy_db,
    entry_count,
    problems,
    run_on,
    snapshot,
    summary,
    usage,
    used,
    used_by_type,
    write_bytes,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

# -- the corpus of bad files ----------------------------------------------------------------

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
    cli("usage", "import", path, "--on-error", "skip", "--rejects", rejects)
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


# -- accepted variants ----------------------------------------------------------------------

D = Decimal

GOOD_FILES = [
    pytest.param(
        b"contact,type,used_on,description\nC1,GUEST,2026-03-01,ok\n"
        b"C1,GUEST,2026-03-02,caf\xe9\n", ("--encoding", "cp1252"),
        [("C1", "GUEST", 1, "2026-03-01", "ok"), ("C1", "GUEST", 1, "2026-03-02", "café")],
        id="cp1252 with --encoding"),
    pytest.param(
        b"contact,type,colour\nC1,GUEST,red\n", ("--ignore-extra",),
        [("C1", "GUEST", 1, USAGE_TODAY, None)],
        id="unknown column with --ignore-extra"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,03/04/2026,,\n", ("--dayfirst",),
        [("C1", "GUEST", 1, "2026-04-03", None)],
        id="ambiguous date with --dayfirst"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,03/04/2026,,\n", ("--monthfirst",),
        [("C1", "GUEST", 1, "2026-03-04", None)],
        id="ambiguous date with --monthfirst"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,25/03/2026,,\n", (),
        [("C1", "GUEST", 1, "2026-03-25", None)],
        id="slash date that reads one way"),
    pytest.param(
        b"\xef\xbb\xbf" + USAGE_HEADER + "C1,GUEST,2,2026-03-01,Zoë,\n".encode(), (),
        [("C1", "GUEST", 2, "2026-03-01", "Zoë")],
        id="UTF-8 BOM"),
    pytest.param(
        b"contact;type;quantity;used_on;description\nC1;CREDIT;1.50;2026-03-01;a, b\n"
        b"C2;GUEST;1;2026-03-02;c\n", (),
        [("C1", "CREDIT", D("1.50"), "2026-03-01", "a, b"), ("C2", "GUEST", 1, "2026-03-02", "c")],
        id="semicolons"),
    pytest.param(
        b"contact\ttype\tquantity\tused_on\tdescription\nC1\tGUEST\t1\t2026-03-01\ta; b, c\n", (),
        [("C1", "GUEST", 1, "2026-03-01", "a; b, c")],
        id="tabs"),
    pytest.param(
        b"contact|type|used_on\nC1|GUEST|2026-03-01\n", ("--delimiter", "|"),
        [("C1", "GUEST", 1, "2026-03-01", None)],
        id="--delimiter"),
    pytest.param(
        USAGE_HEADER.replace(b"\n", b"\r\n")
        + b"C1,GUEST,1,2026-03-01,x,\r\nC2,GUEST,1,2026-03-02,y,\r\n", (),
        [("C1", "GUEST", 1, "2026-03-01", "x"), ("C2", "GUEST", 1, "2026-03-02", "y")],
        id="CRLF"),
    pytest.param(
        b"\xef\xbb\xbfcontact;type;quantity;used_on\r\nC1;CREDIT;2.25;2026-03-01\r\n\r\n", (),
        [("C1", "CREDIT", D("2.25"), "2026-03-01", None)],
        id="Excel: BOM, semicolons and CRLF"),
    pytest.param(
        USAGE_HEADER + b'C1,GUEST,1,2026-03-01,"Board meeting\nroom 2, ""east""",\n'
        b"C2,GUEST,1,2026-03-02,after,\n", (),
        [("C1", "GUEST", 1, "2026-03-01", 'Board meeting\nroom 2, "east"'),
         ("C2", "GUEST", 1, "2026-03-02", "after")],
        id="quoted newline in a description"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n\n\n\n", (),
        [("C1", "GUEST", 1, "2026-03-01", None)],
        id="blank trailing lines"),
    pytest.param(
        b"Contact,TYPE,Quantity,Used On,Description\nC1,guest,1,2026-03-01,x\n", (),
        [("C1", "GUEST", 1, "2026-03-01", "x")],
        id="header in other case and spacing"),
    pytest.param(
        b" CONTACT , Type ,used_on\nC2,GUEST,2026-03-01\n", (),
        [("C2", "GUEST", 1, "2026-03-01", None)],
        id="header with spaces around"),
    pytest.param(
        USAGE_HEADER + b"C1,GUEST,1,2026-03-01,=SUM(A1),\nC1,GUEST,1,2026-03-02,@cmd,\n", (),
        [("C1", "GUEST", 1, "2026-03-01", "=SUM(A1)"), ("C1", "GUEST", 1, "2026-03-02", "@cmd")],
        id="formula-like text stored as written"),
    pytest.param(
        b"contact,type\nC1,GUEST\n", (),
        [("C1", "GUEST", 1, USAGE_TODAY, None)],
        id="defaults: quantity 1, today"),
    pytest.param(
        b"contact,type,quantity,used_on,description\n 2 , guest , 2 , 2026-03-01 , x \n", (),
        [("C2", "GUEST", 2, "2026-03-01", "x")],
        id="contact by id, spaces around values"),
    pytest.param(
        b"contact,type,used_on\n", (),
        [],
        id="header only"),
]


@pytest.mark.parametrize(("data", "args", "expected"), GOOD_FILES)
def test_an_accepted_file_is_imported_exactly_as_written(cli, usage_world, tmp_path, data, args,
                                                         expected):
    path = write_bytes(tmp_path, data)
    result = cli("usage", "import", path, *args)
    assert summary(result).startswith(
        f"rows read {len(expected)}, imported {len(expected)}, skipped as already present 0,"
        " rejected 0")
    assert used(cli) == expected
    assert_db_ok(cli)


# -- on-error skip, rejects, fix and re-import ----------------------------------------------


def test_skip_writes_good_rows_and_the_fixed_rejects_add_exactly_the_rest(
    both_ways, cli, usage_world, tmp_path
):
    path = write_bytes(tmp_path, USAGE_HEADER
                       + b"C1,GUEST,2,2026-03-01,good a,\n"
                       + b"C9,GUEST,1,2026-03-01,bad contact,\n"
                       + b"C2,GUEST,0,2026-03-02,zero,\n"
                       + b"C2,CREDIT,1.50,2026-03-03,good b,\n"
                       + b"C1,GUEST,1,30/02/2026,bad date,\n"
                       + b"C1,CREDIT,2.25,2026-03-04,good c,\n")
    rejects = tmp_path / "rejects.csv"
    result = cli("usage", "import", path, "--on-error", "skip", "--rejects", rejects)
    assert summary(result).startswith(
        "rows read 6, imported 3, skipped as already present 0, rejected 3")
    assert used_by_type(cli, "C1") == {"GUEST": 2, "CREDIT": D("2.25"), "OLD": 0}
    assert used_by_type(cli, "C2") == {"GUEST": 0, "CREDIT": D("1.50"), "OLD": 0}

    with open(rejects, encoding="utf-8-sig", newline="") as handle:
        header, *bad = list(csv.reader(handle))
    assert header == ["contact", "type", "quantity", "used_on", "description", "ref", "error"]
    assert [row[:-1] for row in bad] == [
        ["C9", "GUEST", "1", "2026-03-01", "bad contact", ""],
        ["C2", "GUEST", "0", "2026-03-02", "zero", ""],
        ["C1", "GUEST", "1", "30/02/2026", "bad date", ""],
    ]
    assert 'column contact: no contact "C9"' in bad[0][-1]
    assert "column quantity:" in bad[1][-1]
    assert "column used_on:" in bad[2][-1]

    # The user fixes the cells in the rejects file and imports it as it is.
    bad[0][0] = "C2"
    bad[1][2] = "2"
    bad[2][3] = "2026-03-05"
    with open(rejects, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *bad])
    result = cli("usage", "import", rejects)
    assert summary(result).startswith(
        "rows read 3, imported 3, skipped as already present 0, rejected 0")
    assert used_by_type(cli, "C1") == {"GUEST": 2 + 1, "CREDIT": D("2.25"), "OLD": 0}
    assert used_by_type(cli, "C2") == {"GUEST": 1 + 2, "CREDIT": D("1.50"), "OLD": 0}

    # And the first file again adds nothing: its good rows are there, its bad rows still bad.
    before = snapshot(usage_world)
    again = cli("usage", "import", path, "--on-error", "skip")
    assert summary(again).startswith("rows read 6, imported 0, skipped as already present 3,"
                                     " rejected 3")
    assert snapshot(usage_world) == before
    assert_db_ok(cli)


# -- idempotency ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(USAGE_HEADER + b"C1,GUEST,1,2026-03-01,a,R1\nC2,CREDIT,0.10,2026-03-01,b,R2\n"
                     b"C1,GUEST,2,2026-03-02,c,R3\n", id="with refs"),
        pytest.param(b"contact,type,quantity,used_on,description\n"
                     b"C1,GUEST,1,2026-03-01,a\nC2,CREDIT,0.10,2026-03-01,b\n"
                     b"C1,GUEST,2,2026-03-02,c\n", id="without a ref column"),
    ],
)
def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    both_ways, cli, usage_world, tmp_path, data
):
    path = write_bytes(tmp_path, data)
    first = cli("usage", "import", path)
    assert summary(first).startswith("rows read 3, imported 3, skipped as already present 0")
    before = snapshot(usage_world)
    second = cli("usage", "import", path)
    assert summary(second).startswith(
        "rows read 3, imported 0, skipped as already present 3, rejected 0")
    assert snapshot(usage_world) == before
    assert entry_count(usage_world) == 3


@pytest.mark.parametrize("remembered", [100_000, 4_000, 1_000],
                         ids=["counted in memory", "saved now and then", "saved every chunk"])
def test_a_large_file_through_the_writer_imports_once_and_then_adds_nothing(
    cli, usage_world, tmp_path, monkeypatch, remembered
):
    # Full chunks through the writer process: the second time every look-up finds its
    # refs, answers larger than a pipe holds. Half the rows have no ref, each of them
    # three times over, in different chunks: each counts as often as it appears, however
    # many of those counts are kept in memory.
    from benefit_cli.services import usage_import

    monkeypatch.setattr(usage_import, "SEPARATE_BYTES", 0)
    monkeypatch.setattr(usage_import, "_REMEMBERED", remembered)
    cli("level", "add", "C1", "GUEST", "--quantity", "100000", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    lines = [f"C1,GUEST,1,2026-03-01,visit {n % 4000},{f'R{n}' if n % 2 else ''}\n"
             for n in range(12_000)]
    path = write_bytes(tmp_path, USAGE_HEADER + "".join(lines).encode())
    first = cli("usage", "import", path)
    assert summary(first).startswith("rows read 12000, imported 12000, skipped as already present 0")
    second = cli("usage", "import", path)
    assert summary(second).startswith("rows read 12000, imported 0, skipped as already present 12000")
    assert entry_count(usage_world) == 12_000


def test_identical_rows_without_refs_both_count_and_reimport_adds_nothing(
    both_ways, cli, usage_world, tmp_path
):
    row = b"C1,GUEST,1,2026-03-01,Guest at the gala\n"
    path = write_bytes(tmp_path, b"contact,type,quantity,used_on,description\n" + row + row)
    cli("usage", "import", path)
    assert used(cli) == [("C1", "GUEST", 1, "2026-03-01", "Guest at the gala")] * 2
    assert used_by_type(cli, "C1")["GUEST"] == 2
    second = cli("usage", "import", path)
    assert summary(second).startswith("rows read 2, imported 0, skipped as already present 2")
    assert entry_count(usage_world) == 2
    # A third identical row in a longer file is the only new one.
    longer = write_bytes(tmp_path, b"contact,type,quantity,used_on,description\n" + row * 3,
                         "longer.csv")
    third = cli("usage", "import", longer)
    assert summary(third).startswith("rows read 3, imported 1, skipped as already present 2")
    assert used_by_type(cli, "C1")["GUEST"] == 3


def test_a_ref_repeated_in_the_next_chunk_is_a_repeat_or_a_conflict(both_ways, cli, usage_world,
                                                                    tmp_path):
    # Chunks of three: rows 4 and 5 are in neighbouring chunks, rows 4 and 8 are not.
    head = USAGE_HEADER + b"C2,GUEST,1,2026-03-01,,\n" * 2
    same = write_bytes(tmp_path, head + b"C1,GUEST,1,2026-03-01,x,K5\n"
                       + b"C1,GUEST,1,2026-03-01,x,K5\n", "same.csv")
    result = cli("usage", "import", same)
    assert summary(result).startswith("rows read 4, imported 3, skipped as already present 1")
    assert used_by_type(cli, "C1")["GUEST"] == 1

    other = write_bytes(tmp_path, head + b"C1,GUEST,1,2026-04-01,y,K6\n"
                        + b"C1,GUEST,2,2026-04-01,y,K6\n"
                        + b"C2,GUEST,1,2026-04-01,,\n" * 2
                        + b"C1,GUEST,3,2026-04-01,y,K6\n", "other.csv")
    before = snapshot(usage_world)
    result = cli("usage", "import", other, code=1)
    assert [line.split(":")[0] for line in problems(result)] == [
        "row 5, column ref", "row 8, column ref"]
    assert snapshot(usage_world) == before


def test_a_ref_already_in_the_ledger_with_other_content_is_refused(both_ways, cli, usage_world, tmp_path):
    cli("use", "C1", "GUEST", "--on", "2026-03-01", "--ref", "K7")
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,2,2026-03-01,,K7\n")
    before = snapshot(usage_world)
    result = cli("usage", "import", path, code=1)
    [line] = problems(result)
    assert line.startswith("row 2, column ref:") and '"K7"' in line
    assert snapshot(usage_world) == before


def test_a_row_already_recorded_by_use_with_the_same_ref_and_content_is_skipped(
    cli, usage_world, tmp_path
):
    cli("use", "C1", "GUEST", "--on", "2026-03-01", "--description", "Gala", "--ref", "K8")
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,Gala,K8\n"
                       + b"C2,GUEST,1,2026-03-01,Gala,K9\n")
    result = cli("usage", "import", path)
    assert summary(result).startswith("rows read 2, imported 1, skipped as already present 1")
    assert used(cli) == [("C1", "GUEST", 1, "2026-03-01", "Gala"),
                         ("C2", "GUEST", 1, "2026-03-01", "Gala")]


# -- dry run, money, summary ----------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports(both_ways, cli, usage_world, tmp_path):
    good = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\nC2,GUEST,1,2026-03-01,,\n")
    before = snapshot(usage_world)
    result = cli("usage", "import", good, "--dry-run")
    assert result.stderr.startswith("Dry run, nothing written: rows read 2, valid 2 (not"
                                    " written), skipped as already present 0, rejected 0")
    assert snapshot(usage_world) == before

    bad = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\nC9,GUEST,1,2026-03-01,,\n",
                      "bad.csv")
    result = cli("usage", "import", bad, "--dry-run", code=1)
    [line] = problems(result)
    assert line.startswith('row 3, column contact: no contact "C9"')
    assert snapshot(usage_world) == before

    # And the real import afterwards still writes the file.
    cli("usage", "import", good)
    assert entry_count(usage_world) == 2


def test_money_cents_stay_exact(cli, usage_world, tmp_path):
    rows = b"".join(b"C1,CREDIT,%s,2026-03-01,,\n" % q for q in (b"0.10", b"0.20") * 3)
    rows += b"C2,CREDIT,0.10,2026-03-01,,\nC2,CREDIT,0.20,2026-03-01,,\n"
    cli("usage", "import", write_bytes(tmp_path, USAGE_HEADER + rows))
    [c1] = [r for r in balance(cli, "C1", "--on", "2026-03-01") if r["type"] == "CREDIT"]
    [c2] = [r for r in balance(cli, "C2", "--on", "2026-03-01") if r["type"] == "CREDIT"]
    assert (c1["used"], c1["remaining"]) == (D("0.90"), D("9.10"))
    assert (c2["used"], c2["remaining"]) == (D("0.30"), D("9.70"))
    assert str(c2["remaining"]) in ("9.7", "9.70")
    assert_db_ok(cli)


def test_piped_import_prints_one_summary_line(cli, usage_world, tmp_path):
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n" * 3)
    result = cli("usage", "import", path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rows read 3, imported 3, skipped as already present 0,"
                               " rejected 0, ")
    assert lines[0].endswith(" s.")
    assert "\x1b" not in result.stderr and "\r" not in result.stderr  # no colour, no bar


# -- the bulk path and the single-use path agree --------------------------------------------


@pytest.fixture(scope="module")
def shared_template(usage_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world plus what makes the consumption order matter: a short, high-priority
    GUEST level for C2, an allocation of C1's GUEST to C3, C3 a delegate of C2's CREDIT."""
    path = tmp_path_factory.mktemp("shared") / "shared.db"
    copy_db(usage_template, path)
    run_on(path, "level", "add", "C2", "GUEST", "--quantity", "2", "--start", "2026-03-01",
           "--expires", "2026-04-30", "--priority", "10", today=USAGE_TODAY)
    run_on(path, "level", "add", "C3", "CREDIT", "--quantity", "1.00", "--start", "2026-02-01",
           "--expires", "2026-02-28", today=USAGE_TODAY)
    levels = json.loads(run_on(path, "level", "list", "-f", "json", today=USAGE_TODAY))
    [c1_guest] = [lv["id"] for lv in levels
                  if (lv["contact_ref"], lv["type"], lv["source"]) == ("C1", "GUEST", "plan")]
    [c2_credit] = [lv["id"] for lv in levels
                   if (lv["contact_ref"], lv["type"]) == ("C2", "CREDIT")]
    run_on(path, "allocate", str(c1_guest), "C3", "--number", "2", today=USAGE_TODAY)
    run_on(path, "delegate", "add", str(c2_credit), "C3", today=USAGE_TODAY)
    return path


DATES = ["2025-12-31", "2026-01-01", "2026-02-15", "2026-03-15", "2026-04-30", "2026-05-01",
         "2026-12-31", "2027-01-01"]
ROW = st.fixed_dictionaries({
    "contact": st.sampled_from(["C1", "C2", "C3"]),
    "type": st.sampled_from(["GUEST", "GUEST", "CREDIT", "OLD"]),
    "guests": st.integers(1, 3),
    "money": st.sampled_from(["0.10", "0.99", "2.50", "4.00", "6.35"]),
    "used_on": st.sampled_from(DATES),
    "description": st.sampled_from(["", "visit", "=SUM(A1)"]),
    "ref": st.sampled_from(["", "", "", "K1", "K2"]),
})


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ROW, min_size=1, max_size=14))
def test_import_with_skip_equals_one_use_per_row_in_file_order(both_ways, cli, shared_template, rows):
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        imported, single = folder / "imported.db", folder / "single.db"
        copy_db(shared_template, imported)
        copy_db(shared_template, single)
        lines = [["contact", "type", "quantity", "used_on", "description", "ref"]]
        for row in rows:
            quantity = row["money"] if row["type"] == "CREDIT" else str(row["guests"])
            lines.append([row["contact"], row["type"], quantity, row["used_on"],
                          row["description"], row["ref"]])
        path = folder / "usage.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(lines)

        cli("--db", imported, "usage", "import", path, "--on-error", "skip")
        refused = 0
        for contact, type_, quantity, used_on, description, ref in lines[1:]:
            args = ["--db", single, "use", contact, type_, "--quantity", quantity,
                    "--on", used_on]
            args += ["--description", description] if description else []
            args += ["--ref", ref] if ref else []
            code = cli(*args, code=None).exit_code
            assert code in (0, 1)
            refused += code
        share = "none" if not refused else "all" if refused == len(rows) else "some"
        event(f"refused rows: {share}")

        for contact in ("C1", "C2", "C3"):
            assert (balance(cli, contact, "--all", "--on", "2026-03-15", db=imported)
                    == balance(cli, contact, "--all", "--on", "2026-03-15", db=single))

        def ledger(db: Path) -> Counter[tuple[Any, ...]]:
            return Counter((e["date"], e["contact_ref"], e["type"], e["kind"], e["quantity"],
                            e["level_id"], e["description"]) for e in usage(cli, db=db))

        assert ledger(imported) == ledger(single)


# -- kill -9 in the middle of a large import ------------------------------------------------

KILL_ROWS = 300_000


def benefit_command() -> list[str]:
    script = Path(sys.executable).with_name("benefit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "benefit_cli"]


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except OSError:
        return 0


def read_position(pid: int, path: Path) -> int:
    """How far process ``pid`` has read into ``path`` (Linux /proc; 0 if unknown)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    for line in info:
                        if line.startswith("pos:"):
                            return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc; none if unknown)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@pytest.fixture
def big_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("contact,type,quantity,used_on,description,ref\n")
        pad = "x" * 80
        handle.writelines(
            f"C1,GUEST,1,2026-{1 + i % 12:02d}-{1 + i % 28:02d},visit {i} {pad},B{i}\n"
            for i in range(KILL_ROWS))
    yield path


def test_kill_9_during_a_large_import_leaves_nothing_and_the_rerun_completes(
    cli, usage_world, big_file
):
    started = time.monotonic()
    cli("level", "add", "C1", "GUEST", "--quantity", "1000000", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    conn = sqlite3.connect(usage_world)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = snapshot(usage_world)
    env = {**os.environ, "BENEFIT_DB": str(usage_world), "BENEFIT_OPERATOR": "tester"}

    process = subprocess.Popen([*benefit_command(), "usage", "import", str(big_file)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Well inside the transaction: pages of the import spilling into the WAL, or (should
        # a bigger page cache keep them in memory) three quarters of the rows read, which
        # happens only inside it.
        deadline = time.monotonic() + 30
        most = big_file.stat().st_size * 3 // 4
        while (wal_size(usage_world) < 4 * 1024 * 1024
               and read_position(process.pid, big_file) < most):
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never got far enough to kill it"
            time.sleep(0.02)
        writers = children(process.pid)
        assert writers or not os.path.exists("/proc"), "a file this large has a writer process"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        # Left alone, the writer reads the end of its input, rolls back and ends.
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not zombie(pid) for pid in writers):
            assert time.monotonic() < deadline, "the writer process outlived the import"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()

    check = cli("db", "check")
    assert "no problems found" in check.stdout + check.stderr
    assert entry_count(usage_world) == 0
    assert snapshot(usage_world) == before

    rerun = subprocess.run([*benefit_command(), "usage", "import", str(big_file)], env=env,
                           capture_output=True, text=True, timeout=45)
    assert rerun.returncode == 0, rerun.stderr
    assert f"rows read {KILL_ROWS}, imported {KILL_ROWS}, skipped as already present 0" in (
        rerun.stderr)
    assert entry_count(usage_world) == KILL_ROWS
    assert_db_ok(cli)
    assert time.monotonic() - started < 75
