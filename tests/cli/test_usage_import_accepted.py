"""``benefit usage import`` reads what spreadsheets write (issue 4): every accepted variant is
imported exactly as written and read back through ``usage list -f json``; ``--on-error
skip`` writes the good rows and a rejects file that imports once fixed; ``--dry-run``
writes nothing; money stays exact; a piped import prints one summary line."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from conftest import (
    USAGE_HEADER,
    USAGE_TODAY,
    assert_db_ok,
    balance,
    entry_count,
    problems,
    snapshot,
    summary,
    used,
    used_by_type,
    write_bytes,
)

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
    result = cli("usage", "import", path, "--on-error", "skip", "--rejects", rejects, code=3)
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
    again = cli("usage", "import", path, "--on-error", "skip", code=3)
    assert summary(again).startswith("rows read 6, imported 0, skipped as already present 3,"
                                     " rejected 3")
    assert snapshot(usage_world) == before
    assert_db_ok(cli)


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
    assert lines[0].endswith(" s; 2 rows repeat an earlier row with no ref (rows 3 and 4), each"
                             " recorded as another use.")
    assert "\x1b" not in result.stderr and "\r" not in result.stderr  # no colour, no bar
