"""Writing CSV safely (csvio/writer.py, SPEC §3): a cell a spreadsheet would run is neutralized,
and what is written round-trips through the csv module."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefit_cli.csvio import writer
from benefit_cli.csvio.writer import safe_cell, write_csv


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
    st.text(st.sampled_from(list("=+-@\t\r\x00 aZ09.,\"\n'%")), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width),
                                                          max_size=12)), st.booleans())
def test_write_csv_writes_every_cell_as_safe_cell_would(rows: list[list[object]], as_query: bool) -> None:
    """The writer checks whole columns of a chunk at once, and formats a chunk with nothing
    to quote into lines itself (a query's tuples straight through a ``%s`` template):
    csv.writer, given each cell as safe_cell has it, must agree byte for byte."""
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
    # Tuples, as a query hands them; or every third row as a mapping, as a renderer may.
    given_rows = [tuple(row) if as_query else dict(zip(columns, row, strict=True)) if i % 3 == 2 else row
                  for i, row in enumerate(rows)]
    got = io.StringIO(newline="")
    with mock.patch.object(writer, "_CHUNK", 5):  # several chunks: risky or not, to quote or not
        count = write_csv(got, columns, given_rows, text=shown)
    assert count == len(rows)
    assert got.getvalue() == expected.getvalue()
