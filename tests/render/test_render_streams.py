"""The renderer takes rows as a list or as a one-shot iterator (a large report streams)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from benefit_cli.render import Rows, render

COLUMNS = ["id", "text", "amount", "flag"]
ROWS: list[dict[str, Any]] = [
    {"id": 1, "text": 'two\nlines, "quoted"', "amount": Decimal("12.50"), "flag": True},
    {"id": 2, "text": "=SUM(A1) café ☕", "amount": Decimal("-3.00"), "flag": None},
    {"id": 3, "text": None, "amount": -3, "flag": False},
]


def once(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """An iterator that can be read only once, as a streaming report's rows are."""
    yield from rows


@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "empty"])
def test_json_streams_exactly_what_json_dump_of_the_list_writes(tmp_path: Path, rows, capsys) -> None:
    out = tmp_path / "out.json"
    render(Rows(COLUMNS, once(rows)), "json", out)
    expected = [
        {**row, "amount": float(row["amount"]) if isinstance(row["amount"], Decimal) else row["amount"]}
        for row in rows
    ]
    text = out.read_text(encoding="utf-8")
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(text) == expected
    assert f"Wrote {len(rows)} row(s)" in capsys.readouterr().err


def test_csv_streams_an_iterator_and_counts_what_it_wrote(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out.csv"
    render(Rows(COLUMNS, once(ROWS)), "csv", out)
    with open(out, newline="", encoding="utf-8") as handle:
        read = list(csv.reader(handle))
    assert read == [
        COLUMNS,
        ["1", 'two\nlines, "quoted"', "12.50", "1"],
        ["2", "'=SUM(A1) café ☕", "-3.00", ""],
        ["3", "", "-3", "0"],
    ]
    assert "Wrote 3 row(s)" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_a_table_takes_an_iterator_whole(fmt: str, capsys) -> None:
    render(Rows(COLUMNS, once(ROWS)), fmt)
    shown = capsys.readouterr().out
    assert "café" in shown and "12.50" in shown and "-3" in shown
    assert shown.count("\n") >= 4


def test_json_of_a_generator_to_stdout(capsys) -> None:
    render(Rows(COLUMNS, once(ROWS[2:])), "json")
    assert json.loads(capsys.readouterr().out) == [{"id": 3, "text": None, "amount": -3, "flag": False}]


def test_a_report_that_fails_midway_leaves_no_file_and_no_partial(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    out.write_text("the previous report\n", encoding="utf-8")

    def breaks() -> Iterator[dict[str, Any]]:
        yield ROWS[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        render(Rows(COLUMNS, breaks()), "csv", out)
    assert out.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]
