"""What a table looks like on a terminal, piped, and as Markdown (SPEC §3 "Terminal vs
pipe", issues 11 and 16.6): exact text for small tables, tables that fit the terminal
without cutting a date, a ref or a number, and the row limit of a table on a terminal.

"On a terminal" is forced with ``TTY_COMPATIBLE=1`` (the variable rich reads too) and a
fixed ``COLUMNS``, as fastapi-cli's tests fix the terminal width; colour codes are
removed before comparing, so the layout is what is compared.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from benefit_cli.render import TERMINAL_LIMIT, Rows, Sections, render

Cli = Callable[..., Result]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's colour and bold codes

COLUMNS = ["id", "date", "contact_ref", "description", "quantity"]
ROWS: list[dict[str, Any]] = [
    {"id": 1, "date": dt.date(2026, 3, 4), "contact_ref": "C000123",
     "description": "Board meeting in the large room", "quantity": 90},
    {"id": 12, "date": "2026-03-05", "contact_ref": "C7",
     "description": "[bold red]Gala[/] \x1b[2J", "quantity": None},
]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Make stdout a terminal ``width`` columns wide."""

    def at(width: int) -> None:
        monkeypatch.setenv("TTY_COMPATIBLE", "1")
        monkeypatch.setenv("COLUMNS", str(width))

    return at


@pytest.fixture(autouse=True)
def piped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped unless a test says otherwise, whatever the environment running the suite."""
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)


def screen(text: str) -> list[str]:
    """The lines as a person sees them: no colour codes, no trailing blanks."""
    return [line.rstrip() for line in SGR.sub("", text).splitlines()]


# -- exact layouts -------------------------------------------------------------------------------


def test_a_rich_table_that_fits_is_drawn_whole(terminal, capsys) -> None:
    terminal(80)
    render(Rows(COLUMNS, ROWS, "Ledger entries"))
    assert screen(capsys.readouterr().out) == [
        "Ledger entries",
        "┏━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┓",
        "┃ id ┃ date       ┃ contact_ref ┃ description                     ┃ quantity ┃",
        "┡━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━┩",
        "│  1 │ 2026-03-04 │ C000123     │ Board meeting in the large room │       90 │",
        "│ 12 │ 2026-03-05 │ C7          │ [bold red]Gala[/] \\x1b[2J       │          │",
        "└────┴────────────┴─────────────┴─────────────────────────────────┴──────────┘",
    ]


def test_a_narrow_terminal_wraps_text_and_folds_headers_but_never_cuts_a_value(terminal, capsys) -> None:
    terminal(48)
    render(Rows(COLUMNS, ROWS, "Ledger entries"))
    assert screen(capsys.readouterr().out) == [
        "Ledger entries",
        "┏━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━┓",
        "┃    ┃            ┃ contact ┃          ┃       ┃",
        "┃    ┃            ┃ _       ┃ descript ┃ quant ┃",
        "┃ id ┃ date       ┃ ref     ┃ ion      ┃   ity ┃",
        "┡━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━┩",
        "│  1 │ 2026-03-04 │ C000123 │ Board    │    90 │",
        "│    │            │         │ meeting  │       │",
        "│    │            │         │ in the   │       │",
        "│    │            │         │ large    │       │",
        "│    │            │         │ room     │       │",
        "│ 12 │ 2026-03-05 │ C7      │ [bold    │       │",
        "│    │            │         │ red]Gala │       │",
        "│    │            │         │ [/]      │       │",
        "│    │            │         │ \\x1b[2J  │       │",
        "└────┴────────────┴─────────┴──────────┴───────┘",
    ]


def test_a_table_too_wide_for_the_terminal_runs_past_its_edge_and_says_so(terminal, capsys) -> None:
    terminal(30)
    dates = [f"d{i}_on" for i in range(4)]
    render(Rows(dates, [[dt.date(2026, 1, i + 1) for i in range(4)]]))
    out, err = capsys.readouterr()
    assert screen(out) == [  # without padding, the least it can overflow
        "┏━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━┓",
        "┃d0_on     ┃d1_on     ┃d2_on     ┃d3_on     ┃",
        "┡━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━┩",
        "│2026-01-01│2026-01-02│2026-01-03│2026-01-04│",
        "└──────────┴──────────┴──────────┴──────────┘",
    ]
    assert err == "This table needs 45 columns and the terminal has 30; widen the window, or use -f csv.\n"


def test_plain_tables_align_by_display_cells(capsys) -> None:
    """CJK characters take two cells and a decomposed accent none (issue 16.6)."""
    mueller = unicodedata.normalize("NFD", "Müller")
    assert len(mueller) == 7
    rows = [{"ref": "C1", "name": "東京", "joined_on": dt.date(2026, 1, 2), "n": 3},
            {"ref": "C22", "name": mueller, "joined_on": None, "n": 12}]
    render(Rows(["ref", "name", "joined_on", "n"], rows))
    assert capsys.readouterr().out.splitlines() == [
        "ref  name    joined_on    n",
        "---  ------  ----------  --",
        "C1   東京    2026-01-02   3",
        f"C22  {mueller}              12",
    ]


def test_plain_tables_escape_what_a_terminal_would_run(capsys) -> None:
    render(Rows(["name"], [["a\x1b]0;title\x07b"], ["\u202eevil"]]))
    assert capsys.readouterr().out.splitlines() == [
        "name",
        "------------------",
        "a\\x1b]0;title\\x07b",
        "\\u202eevil",
    ]


def test_markdown_is_escaped_and_keeps_its_cells(capsys) -> None:
    render(Rows(["ref", "description"], [["C1", "a | b \x1b[2J"], ["C2", "[link=http://x]y"]], "Notes"),
           "markdown")
    assert capsys.readouterr().out.splitlines() == [
        "### Notes",
        "",
        "| ref   | description      |",
        "|-------|------------------|",
        "| C1    | a \\| b \\x1b[2J   |",
        "| C2    | [link=http://x]y |",
    ]


def test_sections_on_a_terminal_are_each_a_table(terminal, capsys) -> None:
    terminal(40)
    render(Sections([Rows(["id"], [[1]], "First"), Rows(["ref"], [["C1"]], "Second")]))
    assert screen(capsys.readouterr().out) == [
        "First", "┏━━━━┓", "┃ id ┃", "┡━━━━┩", "│  1 │", "└────┘",
        "",
        "Second", "┏━━━━━┓", "┃ ref ┃", "┡━━━━━┩", "│ C1  │", "└─────┘",
    ]


# -- never a cut value ---------------------------------------------------------------------------

WORDS = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=40)
TOKENS = st.text(st.sampled_from("ABCXYZ0123456789-"), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    width=st.integers(20, 140),
    rows=st.lists(st.tuples(st.integers(0, 10**9), st.dates(), TOKENS, WORDS, WORDS), min_size=1, max_size=4),
)
def test_dates_refs_and_numbers_are_never_cut_and_a_table_that_can_fit_does(
    width: int, rows: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    render(Rows(["entry_id", "date", "contact_ref", "description", "comment"], rows))
    out, err = capsys.readouterr()
    lines = screen(out)
    cells = {cell.strip() for line in lines for cell in line.split("│")}
    for entry_id, day, ref, _, _ in rows:
        assert {str(entry_id), day.isoformat(), ref} <= cells  # each whole, in a cell of its own
    assert "…" not in out
    if err:
        assert err.startswith("This table needs ")
    else:
        assert max(map(cell_len, lines)) <= width


# -- how many rows a terminal shows --------------------------------------------------------------


class Counted:
    """A value that counts how often it is turned into text: a row shown is formatted."""

    shown = 0

    def __str__(self) -> str:
        Counted.shown += 1
        return "x"


def test_a_terminal_formats_only_the_rows_it_shows_and_counts_the_rest(terminal, capsys) -> None:
    terminal(80)
    Counted.shown = 0
    taken = 0

    def stream() -> Iterator[list[Any]]:
        nonlocal taken
        for i in range(1000):
            taken += 1
            yield [i, Counted()]

    render(Rows(["id", "value"], stream()), limit=None)
    out, err = capsys.readouterr()
    assert Counted.shown == TERMINAL_LIMIT
    assert taken == 1000
    assert len([line for line in screen(out) if line.startswith("│")]) == TERMINAL_LIMIT
    assert err == "800 of 1,000 rows left out (--limit 200); --limit 0 shows them all, -f csv exports them.\n"


@pytest.fixture
def contacts(cli: Cli, db: Path, tmp_path: Path) -> int:
    """205 contacts, more than a terminal shows by default."""
    path = tmp_path / "contacts.csv"
    path.write_text("ref,name\n" + "".join(f"C{i:04d},Member {i}\n" for i in range(1, 206)), encoding="utf-8")
    cli("contact", "import", path)
    return 205


def shown_refs(out: str) -> list[str]:
    return re.findall(r"C\d{4}", SGR.sub("", out))


def test_a_list_on_a_terminal_shows_200_rows_and_says_how_to_get_the_rest(cli: Cli, contacts: int,
                                                                            terminal) -> None:
    terminal(120)
    result = cli("contact", "list")
    assert shown_refs(result.stdout) == [f"C{i:04d}" for i in range(1, 201)]
    assert result.stderr == (
        "5 of 205 rows left out (--limit 200); --limit 0 shows them all, -f csv exports them.\n"
    )


def test_limit_0_shows_every_row_on_a_terminal(cli: Cli, contacts: int, terminal) -> None:
    terminal(120)
    result = cli("contact", "list", "--limit", "0")
    assert len(shown_refs(result.stdout)) == 205
    assert result.stderr == ""


def test_an_explicit_limit_applies_on_a_terminal(cli: Cli, contacts: int, terminal) -> None:
    terminal(120)
    result = cli("contact", "list", "--limit", "3")
    assert shown_refs(result.stdout) == ["C0001", "C0002", "C0003"]
    assert result.stderr == (
        "202 of 205 rows left out (--limit 3); --limit 0 shows them all, -f csv exports them.\n"
    )


def test_piped_output_and_data_formats_hold_every_row(cli: Cli, contacts: int, terminal) -> None:
    piped = cli("contact", "list")
    assert len(shown_refs(piped.stdout)) == 205
    assert piped.stderr == ""
    terminal(120)  # data on a terminal is still data: every row
    assert len(cli("contact", "list", "-f", "json").json()) == 205
    assert len(cli("contact", "list", "-f", "csv").stdout.splitlines()) == 206


def test_an_explicit_limit_cuts_data_formats_too_and_says_so(cli: Cli, contacts: int) -> None:
    result = cli("contact", "list", "-f", "json", "--limit", "2")
    assert [row["ref"] for row in result.json()] == ["C0001", "C0002"]
    assert result.stderr == "203 of 205 rows left out (--limit 2); without --limit, all are written.\n"


def test_a_section_of_contact_show_is_limited_on_its_own(cli: Cli, db: Path, terminal) -> None:
    cli("type", "add", "GP", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("contact", "add", "Ann", "--ref", "C1")
    for month in range(1, 4):
        cli("level", "add", "C1", "GP", "--quantity", "1", "--start", f"2026-0{month}-01",
            "--expires", "2026-12-31")
    terminal(150)
    result = cli("contact", "show", "C1", "--limit", "2")
    assert result.stderr == (
        "Levels: 1 of 3 rows left out (--limit 2); --limit 0 shows them all, -f csv exports them.\n"
    )


def test_limit_refuses_a_negative_number(cli: Cli, db: Path) -> None:
    result = cli("contact", "list", "--limit", "-1", code=2)
    assert result.error_lines == [
        'Error: --limit must be a whole number of rows from 0 to 1000000000 (0 shows every row), got "-1".']


def test_json_sections_are_unchanged_by_the_terminal(cli: Cli, db: Path, terminal) -> None:
    cli("contact", "add", "Ann", "--ref", "C1")
    terminal(80)
    data = json.loads(cli("contact", "show", "C1", "-f", "json").stdout)
    assert data["contact"][0]["ref"] == "C1"
