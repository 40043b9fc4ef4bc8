"""CSV input and output: spreadsheet row numbers, encodings, dialects, dates, quantities, safety."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from conftest import write
from hypothesis import given, settings
from hypothesis import strategies as st

from benefit_cli.csvio import writer
from benefit_cli.csvio.dates import parse_date
from benefit_cli.csvio.quantities import (
    format_quantity,
    parse_quantity,
    parse_signed_quantity,
)
from benefit_cli.csvio.reader import CsvSource, column_letter, normalize_header, open_csv
from benefit_cli.csvio.writer import safe_cell, write_csv
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


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2026-03-04", None, dt.date(2026, 3, 4)),
        ("2026-03-04", True, dt.date(2026, 3, 4)),
        (" 2026-03-04 ", None, dt.date(2026, 3, 4)),
        ("04/03/2026", True, dt.date(2026, 3, 4)),
        ("4/3/2026", True, dt.date(2026, 3, 4)),
        ("03/04/2026", False, dt.date(2026, 3, 4)),
        ("3/4/2026", False, dt.date(2026, 3, 4)),
        ("25/12/2026", None, dt.date(2026, 12, 25)),
        ("12/25/2026", None, dt.date(2026, 12, 25)),
        ("05/05/2026", None, dt.date(2026, 5, 5)),
        ("04.03.2026", None, dt.date(2026, 3, 4)),
        ("04.03.2026", False, dt.date(2026, 3, 4)),
        ("04/03/26", True, dt.date(2026, 3, 4)),
        ("29/02/2028", None, dt.date(2028, 2, 29)),
    ],
)
def test_dates_in_accepted_forms_are_read(
    text: str, dayfirst: bool | None, expected: dt.date
) -> None:
    assert parse_date(text, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "dayfirst", "words"),
    [
        ("2026-02-30", None, ["'2026-02-30' is not a valid date", "YYYY-MM-DD"]),
        ("20230523", None, ["2023-05-23"]),
        ("13/13/2026", None, ["not a valid date"]),
        ("03/04/2026", None, ["--dayfirst", "--monthfirst", "3 April", "March 4"]),
        ("12/25/2026", True, ["day first"]),
        ("25/12/2026", False, ["month first"]),
        ("29/02/2026", None, ["not a valid date"]),
        ("tomorrow", None, ["not a valid date"]),
        ("", None, ["empty"]),
        ("   ", None, ["empty"]),
        ("2026-3-4", None, ["not a valid date"]),
        ("04/03/026", True, ["not a valid date"]),
        ("2026/03/04", None, ["not a valid date"]),
        ("2026-W10-3", None, ["not a valid date"]),
        ("０４/03/2026", True, ["not a valid date"]),
    ],
)
def test_bad_or_ambiguous_dates_are_refused_with_a_hint(
    text: str, dayfirst: bool | None, words: list[str]
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text, dayfirst=dayfirst)
    for word in words:
        assert word in str(caught.value)


def test_a_refused_date_is_refused_again_from_the_cache() -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="not a valid date"):
            parse_date("2026-02-31")
    assert parse_date("2026-01-31") is parse_date("2026-01-31")


# --- quantities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("3", "count", 3),
        (" 3 ", "minutes", 3),
        ("+3", "pages", 3),
        ("3.0", "minutes", 3),
        ("45", "minutes", 45),
        ("12", "money", 1200),
        ("12.5", "money", 1250),
        ("12.50", "money", 1250),
        ("0.10", "money", 10),
        ("0.01", "money", 1),
        (".5", "money", 50),
        ("12,50", "money", 1250),
        ("1234567.89", "money", 123456789),
    ],
)
def test_quantities_are_read_into_integer_storage_units(
    text: str, unit: str, expected: int
) -> None:
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize("parse", [parse_quantity, parse_signed_quantity])
def test_an_unknown_unit_is_a_programming_error(parse: object) -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        parse("3", "litres")  # type: ignore[operator]


def test_money_sums_are_exact() -> None:
    assert parse_quantity("0.10", "money") + parse_quantity("0.20", "money") == 30
    assert format_quantity(parse_quantity("0.10", "money") + 20, "money") == "0.30"


@pytest.mark.parametrize(
    ("text", "unit", "words"),
    [
        ("0", "count", ["positive"]),
        ("-2", "count", ["positive", "'-2'"]),
        ("-2", "money", ["positive"]),
        ("", "minutes", ["empty"]),
        ("abc", "pages", ["'abc'"]),
        ("3.5", "minutes", ["whole number of minutes"]),
        ("2.5", "pages", ["whole number of pages"]),
        ("1,000", "count", ["thousands"]),
        ("1_000", "count", ["thousands"]),
        ("1,000.00", "money", ["thousands"]),
        ("12.505", "money", ["two decimals"]),
        ("0.00", "money", ["positive"]),
        ("$12", "money", ["'$12'"]),
        ("1e3", "count", ["'1e3'"]),
        ("٣", "count", ["'٣'"]),
        (".", "money", ["'.'"]),
        ("99999999999999999", "count", ["too large"]),
    ],
)
def test_bad_quantities_are_refused_with_a_sentence(text: str, unit: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quantity(text, unit)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("+2", "count", 2),
        ("-2", "count", -2),
        ("5", "minutes", 5),
        ("-3.5", "money", -350),
        ("+0.05", "money", 5),
    ],
)
def test_signed_quantities_keep_their_sign(text: str, unit: str, expected: int) -> None:
    assert parse_signed_quantity(text, unit) == expected


@pytest.mark.parametrize("text", ["0", "-0", "+0.00", "", "+", "--2", "-2.5"])
def test_signed_quantities_refuse_zero_and_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_signed_quantity(text, "count")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1250, "money", "12.50"),
        (5, "money", "0.05"),
        (-300, "money", "-3.00"),
        (-5, "money", "-0.05"),
        (0, "money", "0.00"),
        (7, "minutes", "7"),
        (-2, "count", "-2"),
    ],
)
def test_quantities_are_formatted_as_users_type_them(value: int, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text
    if value > 0:
        assert parse_quantity(text, unit) == value


# --- safe output ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd", "'+cmd"),
        ("-foo", "'-foo"),
        ("-", "'-"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("-3.50", "-3.50"),
        ("+2", "+2"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_neutralized(
    value: object, expected: object
) -> None:
    assert safe_cell(value) == expected


def test_write_csv_round_trips_through_csv_reader() -> None:
    out = io.StringIO(newline="")
    count = write_csv(
        out,
        ["contact", "note", "quantity"],
        [
            ["C1", "=1+1", -3],
            {"contact": "C2", "note": 'say "hi",\nbye', "quantity": "12.50"},
            {"contact": "C3"},
        ],
    )
    assert count == 3
    text = out.getvalue()
    assert text.startswith("contact,note,quantity\r\n")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["contact", "note", "quantity"],
        ["C1", "'=1+1", "-3"],
        ["C2", 'say "hi",\nbye', "12.50"],
        ["C3", "", ""],
    ]


# Cells of every kind a report hands the writer, text heavy on the characters that matter:
# risky first characters, the writer's own separator, digits that make genuine numbers,
# and what CSV must quote.
CELLS = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.dates(),
    st.text(st.sampled_from(list("=+-@\t\r\x00 aZ09.,\"\n'")), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width),
                                                          max_size=12)))
def test_write_csv_writes_every_cell_as_safe_cell_would(rows: list[list[object]]) -> None:
    """The writer checks whole columns of a chunk at once, and joins a chunk with nothing
    to quote into lines itself: csv.writer, given each cell as safe_cell has it, must
    agree byte for byte."""
    from unittest import mock

    def shown(value: object) -> str:
        return f"<{value}>"

    def one_by_one(value: object) -> object:
        if value is None or type(value) in (str, int):
            return safe_cell(value)
        return safe_cell(shown(value))

    width = len(rows[0]) if rows else 1
    columns = [f"c{i}" for i in range(width)]
    expected = io.StringIO(newline="")
    csv.writer(expected).writerows([columns, *([one_by_one(c) for c in row] for row in rows)])
    # Every third row as a mapping, as a renderer may hand them.
    given_rows = [dict(zip(columns, row, strict=True)) if i % 3 == 2 else row
                  for i, row in enumerate(rows)]
    got = io.StringIO(newline="")
    with mock.patch.object(writer, "_CHUNK", 5):  # several chunks: risky or not, to quote or not
        count = write_csv(got, columns, given_rows, text=shown)
    assert count == len(rows)
    assert got.getvalue() == expected.getvalue()
