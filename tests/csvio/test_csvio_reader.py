"""Reading CSV (csvio/reader.py): header names, dialects and encodings, spreadsheet row numbers,
header checks and streaming; every problem is a ``CsvError`` naming its row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from benefit_cli.csvio.reader import CsvSource, column_letter, normalize_header, open_csv
from benefit_cli.domain.errors import CsvError, UsageError

USAGE_COLUMNS = {
    "contact": True,
    "type": True,
    "quantity": False,
    "used_on": False,
    "description": False,
    "note": False,
    "ref": False,
}


def read_all(path: Path, **options: object) -> list[tuple[int, dict[str, str]]]:
    options.setdefault("columns", USAGE_COLUMNS)
    with open_csv(path, **options) as source:  # type: ignore[arg-type]
        return [(row, values) for row, values, _raw in source.rows()]


def csv_error(path: Path, **options: object) -> CsvError:
    with pytest.raises(CsvError) as caught:
        read_all(path, **options)
    return caught.value


# --- header names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Used On", "used_on"),
        (" used_on ", "used_on"),
        ("USED-ON", "used_on"),
        ("used  -_ on", "used_on"),
        ("\ufeffcontact", "contact"),
        ("Contact", "contact"),
    ],
)
def test_header_names_are_case_and_space_insensitive(cell: str, expected: str) -> None:
    assert normalize_header(cell) == expected


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (6, "G"), (25, "Z"), (26, "AA")])
def test_column_letters_match_the_spreadsheet(index: int, letter: str) -> None:
    assert column_letter(index) == letter


def test_header_spelling_variants_map_to_canonical_columns(tmp_path: Path) -> None:
    path = write(tmp_path, b"CONTACT, Type ,Used On,QUANTITY\nC1,GP,2026-01-02,3\n")
    with open_csv(path, columns=USAGE_COLUMNS) as source:
        assert source.header == ["CONTACT", " Type ", "Used On", "QUANTITY"]
        assert source.fieldnames == ["contact", "type", "used_on", "quantity"]
        assert list(source.rows()) == [
            (
                2,
                {"contact": "C1", "type": "GP", "used_on": "2026-01-02", "quantity": "3"},
                ["C1", "GP", "2026-01-02", "3"],
            )
        ]


def test_values_are_stripped_and_raw_cells_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, b"contact,type,note\n  C1 , GP ,\n")
    with open_csv(path, columns=USAGE_COLUMNS) as source:
        [(row, values, raw)] = list(source.rows())
    assert values == {"contact": "C1", "type": "GP", "note": ""}
    assert raw == ["  C1 ", " GP ", ""]


# --- encodings, delimiters, line ends ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "options"),
    [
        pytest.param(b"contact,type\nC1,GP\nC2,GP\n", {}, id="utf8-lf"),
        pytest.param(b"\xef\xbb\xbfcontact,type\r\nC1,GP\r\nC2,GP\r\n", {}, id="bom-crlf"),
        pytest.param(b"contact,type\rC1,GP\rC2,GP\r", {}, id="cr-only"),
        pytest.param(b"contact;type\r\nC1;GP\r\nC2;GP\r\n", {}, id="semicolon-sniffed"),
        pytest.param(b"contact\ttype\nC1\tGP\nC2\tGP\n", {}, id="tab-sniffed"),
        pytest.param(b"contact;type\nC1;GP\nC2;GP", {"delimiter": ";"}, id="semicolon-given"),
        pytest.param(b"contact\ttype\nC1\tGP\nC2\tGP\n", {"delimiter": "tab"}, id="tab-word"),
        pytest.param(b"contact\ttype\nC1\tGP\nC2\tGP\n", {"delimiter": "\\t"}, id="tab-escape"),
        pytest.param(b"contact\ttype\nC1\tGP\nC2\tGP\n", {"delimiter": "\t"}, id="tab-char"),
        pytest.param(b"contact,type\nC1,GP\nC2,GP\n", {"encoding": "utf-8"}, id="utf8-given"),
        pytest.param(
            b"\xef\xbb\xbfcontact,type\nC1,GP\nC2,GP\n", {"encoding": "UTF8"}, id="bom-given"
        ),
        pytest.param(
            "contact\ttype\r\nC1\tGP\r\nC2\tGP\r\n".encode("utf-16"), {}, id="excel-utf16"
        ),
    ],
)
def test_common_dialects_read_the_same_rows(tmp_path: Path, data: bytes, options: dict) -> None:
    assert read_all(write(tmp_path, data), **options) == [
        (2, {"contact": "C1", "type": "GP"}),
        (3, {"contact": "C2", "type": "GP"}),
    ]


def test_sniffing_counts_delimiters_outside_quotes_only(tmp_path: Path) -> None:
    path = write(tmp_path, b'"contact;a;b;c",type\nC1,GP\n')
    with open_csv(path, columns={"contact;a;b;c": True, "type": True}) as source:
        assert source.delimiter == ","


def test_utf8_without_encoding_reports_the_row_of_a_cp1252_byte(tmp_path: Path) -> None:
    data = b"contact,type,note\nC1,GP,a\nC2,GP,b\nC3,GP,c\nC4,GP,caf\xe9\nC5,GP,e\n"
    path = write(tmp_path, data)
    error = csv_error(path)
    assert error.row == 5
    assert error.column == "note"
    assert "0xe9" in str(error)
    assert "--encoding cp1252" in str(error)
    assert str(error).startswith("row 5, column note: the file is not UTF-8")


def test_undecodable_byte_in_a_semicolon_file_names_its_column(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact;type;note\r\nC1;GP;\x80uro\r\n"))
    assert (error.row, error.column) == (2, "note")


def test_explicit_encoding_that_does_not_fit_says_so(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact,type\nC1,\xc3(\n"), encoding="utf-8")
    assert (error.row, error.column) == (2, "type")
    assert "--encoding cp1252" in error.reason
    error = csv_error(write(tmp_path, b"contact,type\nC1,G\x81P\n"), encoding="cp1252")
    assert error.row == 2
    assert "cannot be read as cp1252" in error.reason


@pytest.mark.parametrize("make", [lambda p: p / "missing.csv", lambda p: p])
def test_a_file_that_cannot_be_opened_is_a_csv_error(tmp_path: Path, make: object) -> None:
    with pytest.raises(CsvError, match="file"):
        open_csv(make(tmp_path), columns=USAGE_COLUMNS)  # type: ignore[operator]


def test_undecodable_byte_far_into_the_file_is_located_exactly(tmp_path: Path) -> None:
    lines = [b"contact,type"] + [b"C%d,GP" % i for i in range(20_000)]
    lines[15_000] = b"C\xe9,GP"
    error = csv_error(write(tmp_path, b"\r\n".join(lines) + b"\r\n"))
    assert (error.row, error.column) == (15_001, "contact")


def test_undecodable_byte_in_the_header_names_row_1(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact,t\xffpe\nC1,GP\n"))
    assert error.row == 1


def test_cp1252_is_read_when_its_encoding_is_given(tmp_path: Path) -> None:
    data = b"contact;type;note\r\nC1;GP;caf\xe9 \x80 5\r\n"
    assert read_all(write(tmp_path, data), encoding="cp1252") == [
        (2, {"contact": "C1", "type": "GP", "note": "café € 5"}),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delimiter": "x"}, "delimiter"),
        ({"delimiter": ""}, "delimiter"),
        ({"encoding": "klingon"}, "--encoding"),
    ],
)
def test_malformed_options_are_usage_errors(tmp_path: Path, options: dict, message: str) -> None:
    path = write(tmp_path, b"contact,type\nC1,GP\n")
    with pytest.raises(UsageError, match=message):
        read_all(path, **options)


# --- row numbers ----------------------------------------------------------------------


def test_row_numbers_after_a_record_with_quoted_newlines_are_spreadsheet_rows(
    tmp_path: Path,
) -> None:
    data = b'contact,type,note\r\nC1,GP,"line one\r\nline two\nline three"\r\nC2,GP,x\r\n'
    assert read_all(write(tmp_path, data)) == [
        (2, {"contact": "C1", "type": "GP", "note": "line one\r\nline two\nline three"}),
        (3, {"contact": "C2", "type": "GP", "note": "x"}),
    ]


@pytest.mark.parametrize(
    ("data", "expected_rows"),
    [
        pytest.param(b"contact,type\nC1,GP\n\nC2,GP\n", [2, 4], id="blank-line-counted"),
        pytest.param(b"contact,type\nC1,GP\n,\n , \nC2,GP\n", [2, 5], id="empty-cells-row"),
        pytest.param(b"contact,type\nC1,GP\n\n\n\r\n", [2], id="blank-trailing-lines"),
        pytest.param(b"\n\ncontact,type\nC1,GP\n", [4], id="blank-lines-before-header"),
        pytest.param(b"contact,type\r\nC1,GP", [2], id="no-final-newline"),
    ],
)
def test_blank_rows_are_counted_but_not_yielded(
    tmp_path: Path, data: bytes, expected_rows: list[int]
) -> None:
    rows = [row for row, _values in read_all(write(tmp_path, data), delimiter=",")]
    assert rows == expected_rows


def test_semicolon_only_row_in_a_comma_file_is_a_value_not_blank(tmp_path: Path) -> None:
    rows = read_all(write(tmp_path, b"contact,type\n;;,\n"))
    assert rows == [(2, {"contact": ";;", "type": ""})]


def test_a_short_row_is_refused_naming_the_columns_it_lacks(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact,type,note\nC1,GP,\nC1\n"))
    assert (error.row, error.column) == (3, "B")
    assert error.reason == (
        "the row has 1 cell but the header has 3 columns, so columns 'type', 'note' have no cells;"
        " add the missing cells (an empty cell still needs its comma)."
    )


def test_a_row_with_more_cells_than_the_header_is_refused_at_its_row(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact,type,note\nC1,GP,x\nC2,GP,big, spender\n"))
    assert error.row == 3
    assert "4 cells" in error.reason and "3 columns" in error.reason
    assert "quotes" in error.reason


def test_empty_extra_cells_at_the_end_of_a_row_are_harmless(tmp_path: Path) -> None:
    assert read_all(write(tmp_path, b"contact,type\nC1,GP,,\n")) == [
        (2, {"contact": "C1", "type": "GP"})
    ]


@pytest.mark.parametrize(
    ("data", "row"),
    [
        pytest.param(b'contact,type,note\nC1,GP,x\nC2,GP,"open\nC3,GP,y\n', 3, id="mid-file"),
        pytest.param(b'contact,type,note\nC1,GP,"open', 2, id="last-line"),
        pytest.param(b'contact,type,"note\nC1,GP,x\n', 1, id="in-header"),
        pytest.param(b'contact,type,note\nC1,GP,"a"b\n', 2, id="text-after-quote"),
    ],
)
def test_a_broken_quote_is_refused_at_the_row_where_it_opened(
    tmp_path: Path, data: bytes, row: int
) -> None:
    error = csv_error(write(tmp_path, data))
    assert error.row == row
    assert '"' in error.reason


def test_rows_before_an_error_are_yielded_first(tmp_path: Path) -> None:
    path = write(tmp_path, b'contact,type\nC1,GP\nC2,"open\n')
    seen = []
    with pytest.raises(CsvError) as caught, open_csv(path, columns=USAGE_COLUMNS) as source:
        for row, _values, _raw in source.rows():
            seen.append(row)
    assert seen == [2]
    assert caught.value.row == 3


# --- header checks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "column", "words"),
    [
        pytest.param(b"", None, ["empty", "contact"], id="empty-file"),
        pytest.param(b"\r\n\r\n", None, ["empty"], id="only-blank-lines"),
        pytest.param(b"contact,type,Contact\n", "Contact", ["twice"], id="duplicate"),
        pytest.param(b"contact,type,used on,USED_ON\n", "USED_ON", ["twice"], id="dup-normalized"),
        pytest.param(b"contact,type,colour\n", "colour", ["--ignore-extra"], id="unknown"),
        pytest.param(b"contact,quantity\n", "type", ["missing", "used_on"], id="missing-required"),
    ],
)
def test_header_problems_name_row_1_and_the_column(
    tmp_path: Path, data: bytes, column: str | None, words: list[str]
) -> None:
    with pytest.raises(CsvError) as caught:
        open_csv(write(tmp_path, data), columns=USAGE_COLUMNS)
    assert caught.value.row == 1
    assert caught.value.column == column
    for word in words:
        assert word in caught.value.reason


def test_unknown_columns_are_skipped_with_ignore_extra(tmp_path: Path) -> None:
    path = write(tmp_path, b"colour,contact,size,type\nred,C1,XL,GP\n")
    with open_csv(path, columns=USAGE_COLUMNS, ignore_extra=True) as source:
        assert source.fieldnames == [None, "contact", None, "type"]
        assert list(source.rows()) == [
            (2, {"contact": "C1", "type": "GP"}, ["red", "C1", "XL", "GP"])
        ]


def test_a_trailing_empty_header_cell_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, b"contact,type,\nC1,GP,\nC2,GP\n")
    with open_csv(path, columns=USAGE_COLUMNS) as source:
        assert source.fieldnames == ["contact", "type", None]
        assert [row for row, _v, _r in source.rows()] == [2, 3]


def test_a_value_under_an_unnamed_column_is_refused(tmp_path: Path) -> None:
    error = csv_error(write(tmp_path, b"contact,type,\nC1,GP,\nC2,GP,oops\n"))
    assert (error.row, error.column) == (3, "C")
    assert "--ignore-extra" in error.reason


def test_open_csv_closes_the_file_when_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, b"contact,colour\n")
    with pytest.raises(CsvError):
        open_csv(path, columns=USAGE_COLUMNS)
    path.unlink()  # would fail on Windows if the file were left open; harmless elsewhere


def test_csv_error_text_is_row_column_then_message(tmp_path: Path) -> None:
    with pytest.raises(CsvError) as caught:
        open_csv(write(tmp_path, b"contact,colour\n"), columns=USAGE_COLUMNS)
    assert str(caught.value).startswith("row 1, column colour: unknown column 'colour'")


# --- streaming ------------------------------------------------------------------------


def test_rows_streams_without_reading_the_whole_file(tmp_path: Path) -> None:
    data = b"contact,type\r\n" + b"C12345,GUESTPASS\r\n" * 200_000
    path = write(tmp_path, data)
    with open_csv(path, columns=USAGE_COLUMNS) as source:
        rows = source.rows()
        assert next(rows)[0] == 2
        assert source.bytes_read < len(data) // 10
        assert sum(1 for _ in rows) == 199_999
        assert source.bytes_read == len(data)


def test_rows_can_be_iterated_only_once(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, b"contact,type\nC1,GP\n"), columns=USAGE_COLUMNS) as source:
        list(source.rows())
        with pytest.raises(RuntimeError):
            list(source.rows())


def test_context_manager_closes_the_file(tmp_path: Path) -> None:
    with open_csv(write(tmp_path, b"contact,type\n"), columns=USAGE_COLUMNS) as source:
        assert isinstance(source, CsvSource)
    assert source._file.closed
