"""Hostile CSV input through the real import commands (issue 17 items 1-5, issue 16 item 3).

A NUL byte, a row cut short, an ambiguous "1.000", a header with an invisible character,
decomposed Unicode and a renamed Excel workbook: each is either refused with one
``Error:`` line naming the row and column, leaving every table as it was, or read as the
sheet shows it. The reader's own guarantees (NFC out, for any text in) are property tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import COMMAND, Result, copy_db, snapshot

from benefit_cli.csvio.reader import normalize_header, open_csv

Cli = Callable[..., Result]
TODAY = "2026-06-15"


def run_on(path: Path, *args: str) -> None:
    result = CliRunner().invoke(
        COMMAND, ["--db", str(path), *args], prog_name="benefit",
        env={"BENEFIT_OPERATOR": "tester", "BENEFIT_TODAY": TODAY}, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GUEST (count, 5) and CREDIT (money, 2000.00) for C1 through 2026; plan GOLD."""
    path = tmp_path_factory.mktemp("hostile") / "world.db"
    run_on(path, "db", "init")
    run_on(path, "type", "add", "GUEST", "--name", "Guest pass", "--unit", "count",
           "--category", "admissions")
    run_on(path, "type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money",
           "--category", "shop", "--value", "1.00")
    run_on(path, "plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    run_on(path, "plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "5", "--begin", "2026-01-01")
    run_on(path, "plan", "benefit", "add", "GOLD", "CREDIT", "--quantity", "2000.00",
           "--begin", "2026-01-01")
    run_on(path, "contact", "add", "Ann", "--ref", "C1")
    run_on(path, "membership", "add", "C1", "GOLD", "--start", "2026-01-01")
    return path


@pytest.fixture
def world(template: Path, isolated_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_db(template, isolated_db)
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    return isolated_db


def write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(cli: Cli, world: Path, *args: object) -> Result:
    """Run a command that must be refused (exit 1) and change nothing."""
    before = snapshot(world)
    result = cli(*args, code=1)
    assert snapshot(world) == before
    return result


def uses(cli: Cli) -> list[tuple[str, str, Any, str]]:
    data = json.loads(cli("usage", "list", "-f", "json").stdout)
    return [(e["contact_ref"], e["type"], e["quantity"], e["date"]) for e in data if e["kind"] == "use"]


def contacts(cli: Cli, *options: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(cli("contact", "list", *options, "-f", "json").stdout)
    return data


# -- 4. invisible characters in the header --------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["quan\u200btity", "\u200bquantity", "quantity\u200d", "quan\u2060tity", "qua\u200cntity",
     "\ufeffquantity", "quantity\ufeff", "\u200e quantity", "Quan\u00adtity"],
)
def test_invisible_characters_in_a_header_cell_are_dropped(cell):
    assert normalize_header(cell) == "quantity"


def test_a_header_with_zero_width_and_no_break_spaces_imports(cli, world, tmp_path):
    header = "contact,type,quan\u200btity,used\u00a0on\u2060\n".encode()
    cli("usage", "import", write(tmp_path, header + b"C1,GUEST,2,2026-03-01\n"))
    assert uses(cli) == [("C1", "GUEST", 2, "2026-03-01")]


# -- renamed workbooks ----------------------------------------------------------------------

XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + bytes(40)
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
ODS = b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" + bytes(20)


@pytest.mark.parametrize("data", [XLSX, XLS], ids=["xlsx", "xls"])
@pytest.mark.parametrize(
    "command", [("usage", "import"), ("contact", "import"), ("membership", "import")],
    ids=lambda c: " ".join(c),
)
@pytest.mark.parametrize("extra", [(), ("--encoding", "cp1252")], ids=["sniffed", "encoding given"])
def test_a_renamed_excel_workbook_is_named_as_such(cli, world, tmp_path, data, command, extra):
    path = write(tmp_path, data, "x.csv")
    result = refused(cli, world, *command, path, *extra)
    assert result.error_lines == [
        f'Error: "{path}" is an Excel workbook, not a CSV file; in Excel choose File > Save As >'
        ' "CSV UTF-8 (Comma delimited)" and import that file.'
    ]


def test_a_renamed_libreoffice_spreadsheet_is_named_as_such(cli, world, tmp_path):
    path = write(tmp_path, ODS, "members.csv")
    result = refused(cli, world, "contact", "import", path)
    assert result.error_lines == [
        f'Error: "{path}" is a LibreOffice spreadsheet, not a CSV file; in LibreOffice choose'
        ' File > Save As, file type "Text CSV (.csv)", character set "Unicode (UTF-8)", and'
        " import that file."
    ]


def test_a_csv_file_whose_first_cell_starts_with_pk_is_still_csv(tmp_path):
    path = write(tmp_path, b"contact,type\nPK1,GUEST\n")
    with open_csv(path, columns={"contact": True, "type": True}) as source:
        assert [values["contact"] for _, values, _ in source.rows()] == ["PK1"]
