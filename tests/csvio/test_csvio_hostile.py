"""Hostile CSV input through the real import commands (issue 17 items 1-5, issue 16 item 3).

A NUL byte, a row cut short, an ambiguous "1.000", a header with an invisible character,
decomposed Unicode and a renamed Excel workbook: each is either refused with one
``Error:`` line naming the row and column, leaving every table as it was, or read as the
sheet shows it. The reader's own guarantees (NFC out, for any text in) are property tests.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, Result, copy_db, run_on, snapshot, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefit_cli.csvio.reader import normalize_header, open_csv
from benefit_cli.domain.errors import CsvError

TODAY = "2026-06-15"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GUEST (count, 5) and CREDIT (money, 2000.00) for C1 through 2026; plan GOLD."""
    path = tmp_path_factory.mktemp("hostile") / "world.db"
    run_on(path, "db", "init", today=TODAY)
    run_on(path, "type", "add", "GUEST", "--name", "Guest pass", "--unit", "count",
           "--category", "admissions", today=TODAY)
    run_on(path, "type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money",
           "--category", "shop", "--value", "1.00", today=TODAY)
    run_on(path, "plan", "add", "GOLD", "--name", "Gold", "--term", "12", today=TODAY)
    run_on(path, "plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "5", "--begin", "2026-01-01",
           today=TODAY)
    run_on(path, "plan", "benefit", "add", "GOLD", "CREDIT", "--quantity", "2000.00",
           "--begin", "2026-01-01", today=TODAY)
    run_on(path, "contact", "add", "Ann", "--ref", "C1", today=TODAY)
    run_on(path, "membership", "add", "C1", "GOLD", "--start", "2026-01-01", today=TODAY)
    return path


@pytest.fixture
def world(template: Path, isolated_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_db(template, isolated_db)
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    return isolated_db


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


# -- 1. NUL ---------------------------------------------------------------------------------

NUL_MESSAGE = (
    "the cell holds a NUL character (a zero byte), which is never part of text, so the file is"
    " damaged or not a CSV file; delete the character, or export the sheet again as CSV."
)


def test_a_nul_byte_in_a_usage_cell_is_refused_naming_row_and_column(cli, world, tmp_path):
    path = write(tmp_path, b"contact,type,description\nC1,GUEST,fine\nC1,GUEST,bad\x00text\n")
    result = refused(cli, world, "usage", "import", path)
    assert result.error_lines == [f"Error: row 3, column description: {NUL_MESSAGE}"]


def test_a_nul_byte_in_a_contact_name_is_refused(cli, world, tmp_path):
    path = write(tmp_path, b"ref,name\nC8,Ann\x00 Lee\n")
    result = refused(cli, world, "contact", "import", path)
    assert result.error_lines == [f"Error: row 2, column name: {NUL_MESSAGE}"]


def test_a_nul_byte_in_the_header_is_refused_at_row_1(cli, world, tmp_path):
    path = write(tmp_path, b"contact,plan\x00,start_on\nC1,GOLD,2027-01-01\n")
    result = refused(cli, world, "membership", "import", path)
    assert result.error_lines == [f"Error: row 1, column B: {NUL_MESSAGE}"]


def test_a_nul_byte_in_an_ignored_column_is_refused_too(cli, world, tmp_path):
    path = write(tmp_path, b"contact,type,extra\nC1,GUEST,\x00\n")
    result = refused(cli, world, "usage", "import", path, "--ignore-extra")
    assert result.error_lines == [f"Error: row 2, column C: {NUL_MESSAGE}"]


# -- 2. rows with fewer cells than the header -----------------------------------------------


def test_a_row_missing_its_used_on_cell_is_refused_not_dated_today(cli, world, tmp_path):
    path = write(tmp_path, b"contact,type,used_on\nC1,GUEST,2026-03-01\nC1,GUEST\n")
    result = refused(cli, world, "usage", "import", path)
    assert result.error_lines == [
        "Error: row 3, column C: the row has 2 cells but the header has 3 columns, so column"
        " 'used_on' has no cell; add the missing cell (an empty cell still needs its comma)."
    ]


def test_a_short_row_names_every_missing_column_and_the_delimiter_used(cli, world, tmp_path):
    path = write(tmp_path, b"Contact;Plan;Start On\nC1;GOLD;2027-01-01\nC1\n")
    result = refused(cli, world, "membership", "import", path)
    assert result.error_lines == [
        "Error: row 3, column B: the row has 1 cell but the header has 3 columns, so columns"
        " 'plan', 'start_on' have no cells; add the missing cells (an empty cell still needs"
        " its semicolon)."
    ]


def test_an_empty_trailing_cell_written_with_its_comma_is_still_read(cli, world, tmp_path):
    cli("usage", "import", write(tmp_path, b"contact,type,used_on\nC1,GUEST,\n"))
    assert uses(cli) == [("C1", "GUEST", 1, TODAY)]


def test_blank_rows_and_a_stray_header_delimiter_are_still_accepted(cli, world, tmp_path):
    # The header ends in a delimiter the rows do not repeat: only an unnamed cell is absent.
    path = write(tmp_path, b"contact,type,used_on,\r\nC1,GUEST,2026-03-01\r\n\r\n,,\r\n,\r\n"
                           b"C1,GUEST,2026-03-02,\r\n")
    cli("usage", "import", path)
    assert uses(cli) == [("C1", "GUEST", 1, "2026-03-01"), ("C1", "GUEST", 1, "2026-03-02")]


def test_a_row_with_too_many_cells_is_still_refused(cli, world, tmp_path):
    path = write(tmp_path, b"contact,type\nC1,GUEST,big, spender\n")
    result = refused(cli, world, "usage", "import", path)
    assert result.error_lines == [
        "Error: row 2, column C: the row has 4 cells but the header has 2 columns; delete the"
        " extra cells, or put quotes around a value that contains a comma."
    ]


# -- 3. ambiguous quantities ----------------------------------------------------------------


def test_thousands_looking_quantities_are_refused_for_every_row_and_nothing_is_written(
    cli, world, tmp_path
):
    path = write(tmp_path, b'contact,type,quantity\nC1,GUEST,1.000\nC1,GUEST,"1,000"\nC1,CREDIT,1.000\n'
                           b"C1,GUEST,1\n")
    result = refused(cli, world, "usage", "import", path)
    assert [line.strip() for line in result.stderr.splitlines() if line.startswith("  row")] == [
        "row 2, column quantity: quantity '1.000' is ambiguous (1 or 1000?); write it without a"
        " thousands separator, like 1000, or as 1.",
        "row 3, column quantity: quantity '1,000' is ambiguous (1 or 1000?); write it without a"
        " thousands separator, like 1000, or as 1.",
        "row 4, column quantity: quantity '1.000' is ambiguous (1 or 1000?); write it without a"
        " thousands separator, like 1000, or as 1.",
    ]
    assert result.error_lines == [
        "Error: 3 rows have problems, so nothing was imported; fix them and try again."
    ]


def test_plain_and_decimal_quantities_keep_working(cli, world, tmp_path):
    path = write(tmp_path, b'contact,type,quantity\nC1,GUEST,1\nC1,CREDIT,1000\nC1,CREDIT,12.50\n'
                           b'C1,CREDIT,"0,75"\nC1,GUEST,2.00\n')
    cli("usage", "import", path)
    quantities = [(code, quantity) for _, code, quantity, _ in uses(cli)]
    assert quantities == [("GUEST", 1), ("CREDIT", 1000), ("CREDIT", 12.5), ("CREDIT", 0.75), ("GUEST", 2)]


def test_use_on_the_command_line_refuses_an_ambiguous_quantity_as_a_malformed_value(cli, world):
    before = snapshot(world)
    result = cli("use", "C1", "CREDIT", "--quantity", "1.000", code=2)
    assert result.error_lines == [
        "Error: --quantity: quantity '1.000' is ambiguous (1 or 1000?); write it without a thousands"
        " separator, like 1000, or as 1."
    ]
    assert snapshot(world) == before


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


# -- 5. Unicode normalisation ---------------------------------------------------------------

NFD_MUELLER = unicodedata.normalize("NFD", "Müller")
NFC_MUELLER = unicodedata.normalize("NFC", "Müller")


def test_an_nfd_name_is_stored_composed_and_found_by_a_composed_search(cli, world, tmp_path):
    assert NFD_MUELLER != NFC_MUELLER
    cli("contact", "import", write(tmp_path, f"ref,name\nC7,Anna {NFD_MUELLER}\n".encode()))
    found = contacts(cli, "--name", NFC_MUELLER)
    assert [(c["ref"], c["name"]) for c in found] == [("C7", f"Anna {NFC_MUELLER}")]


def test_an_nfd_ref_in_a_usage_file_matches_the_contact_typed_composed(cli, world, tmp_path):
    cli("contact", "add", "Zoë", "--ref", "CÉ1")
    cli("membership", "add", "CÉ1", "GOLD", "--start", "2026-01-01")
    ref = unicodedata.normalize("NFD", "CÉ1")
    cli("usage", "import", write(tmp_path, f"contact,type\n{ref},GUEST\n".encode()))
    assert uses(cli) == [("CÉ1", "GUEST", 1, TODAY)]


cell_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n"), max_size=30
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(cell_text, min_size=3, max_size=3))
def test_any_text_read_from_a_csv_comes_out_nfc(tmp_path: Path, cells: list[str]) -> None:
    decomposed = [unicodedata.normalize("NFD", cell) for cell in cells]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["contact", "type", "description"], decomposed])
    path = write(tmp_path, buffer.getvalue().encode())
    columns = {"contact": True, "type": True, "description": False}
    with open_csv(path, columns=columns, delimiter=",") as source:
        read = list(source.rows())
    if not any(cell.strip() for cell in cells):
        assert read == []  # a blank row stays ignored
        return
    [(row, values, _raw)] = read
    assert row == 2
    for cell, name in zip(cells, columns, strict=True):
        assert unicodedata.is_normalized("NFC", values[name])
        assert values[name] == unicodedata.normalize("NFC", cell).strip()


def test_nfc_text_is_passed_through_unchanged(tmp_path):
    path = write(tmp_path, "contact,type\nÅsa Ørsted,Café\n".encode())
    with open_csv(path, columns={"contact": True, "type": True}) as source:
        assert [values for _, values, _ in source.rows()] == [{"contact": "Åsa Ørsted", "type": "Café"}]


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


def test_reader_errors_are_csv_errors_with_their_row(tmp_path):
    with pytest.raises(CsvError) as caught, open_csv(
        write(tmp_path, b"contact,type\nC1\n"), columns={"contact": True, "type": True}
    ) as source:
        list(source.rows())
    assert (caught.value.row, caught.value.column) == (2, "B")
