"""CSV for spreadsheets (SPEC §3 "Spreadsheets", issue 16.3): ``--bom`` for Excel on
Windows, ``--delimiter ';'`` (or ``tab``) for European locales, on every command that
writes CSV, to stdout or ``--output``; both refused without ``-f csv``, before anything
is done."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import COMMAND, Result, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from benefit_cli.csvio import writer
from benefit_cli.csvio.writer import safe_cell, write_csv

Cli = Callable[..., Result]
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def people(cli: Cli, db: Path) -> Path:
    cli("contact", "add", "Smith; Jane", "--ref", "C1", "--email", "jane@example.org")
    cli("contact", "add", "Doe, John", "--ref", "C2")
    cli("contact", "add", "=HYPERLINK(1)", "--ref", "C3")
    return db


@pytest.fixture
def cli_bytes() -> Callable[..., bytes]:
    """stdout as bytes: a BOM and line ends are what is tested."""

    def run(*args: str) -> bytes:
        result = CliRunner().invoke(COMMAND, list(args), prog_name="benefit", catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout_bytes

    return run


def test_semicolon_and_bom_to_stdout(people: Path, cli_bytes: Callable[..., bytes]) -> None:
    assert cli_bytes("contact", "list", "-f", "csv", "--bom", "--delimiter", ";") == BOM + (
        b"id;ref;name;kind;business_ref;email;joined_on\r\n"
        b'1;C1;"Smith; Jane";person;;jane@example.org;\r\n'
        b"2;C2;Doe, John;person;;;\r\n"
        b"3;C3;'=HYPERLINK(1);person;;;\r\n"
    )


def test_tab_delimiter_without_bom(people: Path, cli_bytes: Callable[..., bytes]) -> None:
    assert cli_bytes("contact", "list", "-f", "csv", "--delimiter", "tab") == (
        b"id\tref\tname\tkind\tbusiness_ref\temail\tjoined_on\r\n"
        b"1\tC1\tSmith; Jane\tperson\t\tjane@example.org\t\r\n"
        b"2\tC2\tDoe, John\tperson\t\t\t\r\n"
        b"3\tC3\t'=HYPERLINK(1)\tperson\t\t\t\r\n"
    )


def test_the_default_is_comma_without_bom(people: Path, cli_bytes: Callable[..., bytes]) -> None:
    out = cli_bytes("contact", "list", "-f", "csv")
    assert out.startswith(b"id,ref,name,")
    assert b'"Doe, John"' in out


def test_a_report_file_gets_the_bom_and_the_delimiter(cli: Cli, people: Path, tmp_path: Path) -> None:
    cli("type", "add", "GP", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("level", "add", "C1", "GP", "--quantity", "2", "--start", "2026-01-01", "--expires", "2026-12-31")
    out = tmp_path / "balances.csv"
    result = cli("report", "balances", "--to", "2026-06-01", "-f", "csv", "-o", out, "--bom",
                 "--delimiter", ";")
    assert result.stderr == f"Wrote 1 row(s) to {out}.\n"
    assert out.read_bytes() == BOM + (
        b"contact_ref;contact;type;granted;allocated_out;used;adjusted;expired;remaining;expires_on;status\r\n"
        b'C1;"Smith; Jane";GP;2;0;0;0;0;2;2026-12-31;current\r\n'
    )


def test_sections_get_one_bom(people: Path, cli_bytes: Callable[..., bytes]) -> None:
    out = cli_bytes("contact", "show", "C1", "-f", "csv", "--bom", "--delimiter", ";")
    assert out.startswith(BOM + b"id;ref;name;")
    assert out.count(BOM) == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--bom"], "Error: --bom only shapes CSV output; add -f csv, or leave it out."),
        (["--bom", "-f", "json"], "Error: --bom only shapes CSV output; add -f csv, or leave it out."),
        (["-f", "markdown", "--delimiter", ";"],
         "Error: --delimiter only shapes CSV output; add -f csv, or leave it out."),
        (["--delimiter", "tab", "--bom", "-f", "table"],
         "Error: --bom and --delimiter only shape CSV output; add -f csv, or leave them out."),
        (["-f", "csv", "--delimiter", "|"], "Error: --delimiter must be ',', ';' or 'tab', got \"|\"."),
    ],
)
def test_spreadsheet_options_without_csv_are_wrong_usage(cli: Cli, people: Path, args: list[str],
                                                          line: str) -> None:
    result = cli("contact", "list", *args, code=2)
    assert result.error_lines == [line]
    assert result.stdout == ""


def test_a_refused_bulk_records_nothing(cli: Cli, people: Path) -> None:
    """``usage bulk`` records the uses before it prints them: the refusal comes first."""
    cli("type", "add", "GP", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("level", "add", "C1", "GP", "--quantity", "2", "--start", "2026-01-01", "--expires", "2026-12-31")
    before = snapshot(people)
    result = cli("usage", "bulk", "GP", "--contacts", "C1", "--on", "2026-02-01", "--bom", code=2)
    assert result.error_lines == ["Error: --bom only shapes CSV output; add -f csv, or leave it out."]
    assert snapshot(people) == before


@pytest.mark.parametrize(
    "command",
    [
        ["contact", "list"], ["contact", "show", "C1"], ["type", "list"], ["plan", "list"],
        ["membership", "list"], ["level", "list"], ["allocation", "list"], ["usage", "list"],
        ["balance", "C1"], ["report", "history"], ["report", "usage"], ["report", "balances"],
        ["report", "allocations"], ["report", "statement", "C1"], ["report", "expiring"],
    ],
)
def test_every_command_that_writes_csv_takes_bom_delimiter_and_limit(cli: Cli, people: Path,
                                                                     command: list[str]) -> None:
    out = cli(*command, "-f", "csv", "--bom", "--delimiter", ";", "--limit", "0").stdout
    assert out.startswith("\ufeff")
    assert ";" in out.splitlines()[0]


# -- the writer's fast path with each delimiter ---------------------------------------------------

CELLS = st.one_of(
    st.none(),
    st.integers(-10**6, 10**6),
    st.text(st.sampled_from(list("=+-@\t\r\x00 aZ09.,;\"\n'")), max_size=5),
)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 4).flatmap(
    lambda width: st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=12)))
def test_write_csv_equals_csv_writer_over_safe_cells_for_each_delimiter(
    delimiter: str, rows: list[list[object]]
) -> None:
    """The writer joins a chunk with nothing to quote into lines itself: it must quote a
    cell holding the chosen delimiter (and only need to for that one), byte for byte as
    csv.writer does."""
    width = len(rows[0]) if rows else 1
    columns = [f"c{i}" for i in range(width)]
    expected = io.StringIO(newline="")
    csv.writer(expected, delimiter=delimiter, lineterminator="\r\n").writerows(
        [columns, *([safe_cell(c) for c in row] for row in rows)]
    )
    got = io.StringIO(newline="")
    with mock.patch.object(writer, "_CHUNK", 5):  # several chunks: some to quote, some not
        count = write_csv(got, columns, rows, delimiter=delimiter)
    assert count == len(rows)
    assert got.getvalue() == expected.getvalue()


def test_every_command_with_a_format_takes_the_row_limit_and_the_spreadsheet_options() -> None:
    """Walk the whole command tree: a command that can print rows as -f csv also takes
    --limit, --bom and --delimiter (one definition each, in cli/common.py)."""

    def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
        if hasattr(group, "commands"):  # a group (Typer bundles its own Click)
            return [found for name, sub in group.commands.items() for found in commands(sub, (*path, name))]
        return [(path, group)]

    with_format = {
        " ".join(path): {opt for param in command.params for opt in getattr(param, "opts", [])}
        for path, command in commands(COMMAND)
        if any("--format" in getattr(param, "opts", []) for param in command.params)
    }
    assert len(with_format) >= 18  # the walk found the commands (18 when this was written)
    assert {name for name, options in with_format.items()
            if not {"--limit", "--bom", "--delimiter"} <= options} == set()
