"""Nothing from the data reaches a terminal raw (issue 17 item 8): ``printable`` shows
control and bidi characters as visible escapes, rich reads no markup in data, and every
way text reaches a person — tables, notes, ``Error:`` lines, the usage chart — goes
through it. CSV and JSON keep the data exact."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefit_cli.render import Rows, note, printable, render

Cli = Callable[..., Result]
SGR = re.compile(r"\x1b\[([0-9;]*)m")

# What a terminal would act on: C0 and C1 controls, DEL, bidi controls, line separators.
DANGEROUS = frozenset(
    [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
    + ["\u2028", "\u2029"]
)
MARKUP = ["[bold red]", "[/]", "[link=http://x]", "[/link]", "[on blue]", "[u]", "[blink]", ":smile:",
          "\x1b[2J", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x9b31m", "\\x1b"]
HOSTILE = st.lists(
    st.one_of(st.text(max_size=3), st.sampled_from(sorted(DANGEROUS)), st.sampled_from(MARKUP)),
    min_size=1,
    max_size=6,
).map("".join)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x9b31m", "\\x9b31m"),  # the 8-bit CSI
        ("a\x00b\x7f", "a\\x00b\\x7f"),
        ("tab\tnew\nreturn\r", "tab\\tnew\\nreturn\\r"),
        ("gpj.\u202eexe", "gpj.\\u202eexe"),
        ("\u2066x\u2069\u200e\u200f\u061c", "\\u2066x\\u2069\\u200e\\u200f\\u061c"),
        ("line\u2028break", "line\\u2028break"),
        ("[bold red]x[/]", "[bold red]x[/]"),  # markup is literal text already: rich is told so
        ("Müller 東京 😀 C:\\x1b", "Müller 東京 😀 C:\\x1b"),  # printable text, backslashes too, as it is
        ("e\u0301\u00a0\u200d", "e\u0301\u00a0\u200d"),  # combining accent, NBSP, ZWJ: harmless
    ],
)
def test_printable_shows_what_a_terminal_would_act_on_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown


@given(st.text())
def test_printable_leaves_nothing_a_terminal_acts_on_and_is_stable(text: str) -> None:
    shown = printable(text)
    assert not DANGEROUS & set(shown)
    assert printable(shown) == shown
    if not DANGEROUS & set(text):
        assert shown == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE, width=st.integers(12, 60))
def test_a_rich_cell_shows_the_text_literally(text: str, width: int, monkeypatch: pytest.MonkeyPatch,
                                             capsys) -> None:
    """On a colour terminal of any width, a cell holding any text prints no raw control
    character and no style but the table's own (bold header): markup stays text, and the
    cell, read line after line, is ``printable(text)``."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", str(width))
    render(Rows(["name"], [[text]]))
    out = capsys.readouterr().out
    assert {code for codes in SGR.findall(out) for code in codes.split(";")} <= {"", "0", "1"}
    visible = SGR.sub("", out)
    assert not (DANGEROUS - {"\n"}) & set(visible)
    body = [line[1:-1] for line in visible.splitlines()[3:-1]]  # inside the borders, below the header
    assert "".join("".join(body).split()) == "".join(printable(text).split())


def test_note_shows_a_message_as_one_printable_line(capsys) -> None:
    note('Added person "Eve\x1b]0;pwned\x07" (C1)\nError: forged')
    assert capsys.readouterr().err == 'Added person "Eve\\x1b]0;pwned\\x07" (C1)\\nError: forged\n'


def test_csv_and_json_keep_the_data_exact(tmp_path: Path, capsys) -> None:
    text = "Eve\x1b[2J \u202e[bold]"
    render(Rows(["name"], [[text]]), "json")
    assert json.loads(capsys.readouterr().out) == [{"name": text}]
    render(Rows(["name"], [[text]]), "csv", tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == f"name\r\n{text}\r\n".encode()


# -- through the commands ------------------------------------------------------------------------


def test_an_error_line_quoting_input_is_printable(cli: Cli, db: Path) -> None:
    result = cli("contact", "show", "--", "\x1b[2Jzz\u202e", code=1)
    assert result.error_lines[0].startswith('Error: No contact "\\x1b[2Jzz\\u202e".')
    assert not (DANGEROUS - {"\n"}) & set(result.stderr)


def test_an_error_line_of_a_malformed_option_is_printable(cli: Cli, db: Path) -> None:
    result = cli("contact", "list", "-f", "csv", "--delimiter", "\x1b[31m", code=2)
    assert result.error_lines == ["Error: --delimiter must be ',', ';' or 'tab', got \"\\x1b[31m\"."]


def test_row_errors_of_an_import_are_printable(cli: Cli, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text("contact,type\n\x1b]0;pwned\x07,GP\n", encoding="utf-8")
    result = cli("usage", "import", path, code=1)
    assert "\\x1b]0;pwned\\x07" in result.stderr
    assert not (DANGEROUS - {"\n"}) & set(result.stderr)


def test_a_note_quoting_a_name_is_printable(cli: Cli, db: Path) -> None:
    result = cli("contact", "add", "Eve\x1b[2J", "--ref", "C1")
    assert result.stderr == 'Added person "C1" (Eve\\x1b[2J).\n'


def test_the_usage_chart_shows_labels_literally(cli: Cli, db: Path) -> None:
    cli("type", "add", "GP", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("contact", "add", "Ann", "--ref", "C1")
    cli("level", "add", "C1", "GP", "--quantity", "5", "--start", "2026-01-01", "--expires", "2026-12-31")
    cli("use", "C1", "GP", "--on", "2026-02-01")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE benefit_types SET category = ?", ("[red]fun[/red]\x1b[2J",))
    conn.close()
    result = cli("report", "usage", "--by", "category", "--chart", "--to", "2026-12-31")
    assert "[red]fun[/red]\\x1b[2J  ████████████████████████████████████████ 1" in result.stderr
    assert not (DANGEROUS - {"\n"}) & set(result.stderr)


def test_printable_is_cheap_on_ordinary_text() -> None:
    """Most text is printable, and comes back as the very same object (no copy)."""
    text = "José Álvarez, 東京"
    assert printable(text) is text
