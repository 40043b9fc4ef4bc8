"""Any text stored in the database — a contact's name and email, a type's name and
category, a plan's name, an allocation's comment, a use's description and ref, an event's
and a registration type's name — printed
by every list and report command on a colour terminal of a fixed width, reaches it
without a raw control or bidi character and without markup read as style (issue 17
item 8, and its property test). So does any text typed on the command line or found in a
CSV file that an ``Error:`` line, Click's usage text or an import's rejected rows quote.

The text is written straight into the database, as an older version, the sqlite3 shell
or Datasette could have: what is tested is what the renderer does with what it finds,
whatever the commands accept today.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import COMMAND, copy_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefit_cli.render import printable

SGR = re.compile(r"\x1b\[([0-9;]*)m")
DANGEROUS = frozenset(
    [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
    + ["\u2028", "\u2029"]
)
MARKUP = ["[bold red]", "[/]", "[link=http://x]", "[/link]", "[on blue]", "[u]", "[blink]", "[reverse]",
          ":smile:", "\x1b[2J", "\x1b[31m", "\x1b]0;title\x07", "\x1b]8;;http://x\x1b\\", "\x9b31m"]
HOSTILE = st.lists(
    st.one_of(st.text(max_size=3), st.sampled_from(sorted(DANGEROUS)), st.sampled_from(MARKUP)),
    min_size=1,
    max_size=6,
).map("".join).filter(str.strip)

TODAY = "2026-03-01"
COMMANDS = [
    ["contact", "list"],
    ["contact", "show", "1"],
    ["type", "list", "--all"],
    ["plan", "list"],
    ["plan", "benefit", "list", "FAM"],
    ["membership", "list"],
    ["membership", "show", "1"],
    ["level", "list"],
    ["allocation", "list"],
    ["usage", "list"],
    ["balance", "1"],
    ["balance", "1", "--all"],
    ["report", "history"],
    ["report", "usage", "--by", "contact", "--by", "category", "--chart"],
    ["report", "balances"],
    ["report", "allocations"],
    ["report", "allocations", "--list"],
    ["report", "statement", "1"],
    ["report", "expiring", "--within", "400"],
    ["usage", "bulk", "GP", "--contacts", "C1,C2", "--on", "2026-02-15"],
    *(["run", verb, "--dry-run", "--as-of", "2027-01-15"] for verb in ("renew", "expire", "scheduled")),
    ["membership", "renew", "1", "--dry-run"],
    ["subscription", "deliveries"],
    ["delegate", "list"],
    ["subscription", "fulfil", "MAG", "--through", "2026-12-31", "--dry-run", "-f", "table"],
    ["event", "list"],
    ["event", "registrations", "GALA"],
    ["report", "usage", "--by", "event"],
]


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(COMMAND, list(args), prog_name="benefit", env=env, catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A family plan giving 5 guest passes; Ann holds it, gave 2 to Bob, and used one."""
    path = tmp_path_factory.mktemp("hostile") / "world.db"
    env = {"BENEFIT_DB": str(path), "BENEFIT_OPERATOR": "tester", "BENEFIT_TODAY": TODAY}
    for args in (
        ["db", "init"],
        ["type", "add", "GP", "--name", "Guest pass", "--unit", "count", "--category", "admissions",
         "--description", "Bring a friend"],
        ["plan", "add", "FAM", "--name", "Family", "--term", "12"],
        ["plan", "benefit", "add", "FAM", "GP", "--quantity", "5", "--begin", "2026-01-01"],
        ["type", "add", "MAG", "--name", "Magazine", "--unit", "count", "--category", "pubs",
         "--kind", "subscription", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=1"],
        ["plan", "benefit", "add", "FAM", "MAG", "--quantity", "1", "--begin", "2026-01-01"],
        ["contact", "add", "Ann", "--ref", "C1", "--email", "ann@example.org"],
        ["contact", "add", "Bob", "--ref", "C2"],
        ["membership", "add", "C1", "FAM", "--start", "2026-01-01"],
        ["allocate", "1", "C2", "--number", "2", "--comment", "for Bob"],
        ["use", "C1", "GP", "--on", "2026-02-01", "--description", "Visit", "--ref", "R1"],
        ["subscription", "fulfil", "MAG", "--through", "2026-02-01"],
        ["event", "add", "GALA", "--name", "Gala", "--date", "2026-02-20"],
        ["event", "regtype", "add", "GALA", "Member", "--type", "GP", "--quantity", "1"],
        ["event", "register", "GALA", "C1", "--regtype", "Member", "--ref", "G1"],
    ):
        code, out = run(env, *args)
        assert code == 0, (args, out)
    return path


def store(path: Path, text: str) -> None:
    """Put ``text`` in every text a person reads, as any program writing the file could."""
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute("UPDATE contacts SET name = ?, email = ? WHERE id = 1", (text, text))
            conn.execute("UPDATE contacts SET name = ? WHERE id = 2", (text + "2",))
            conn.execute("UPDATE benefit_types SET name = ?, category = ?, description = ?", (text,) * 3)
            conn.execute("UPDATE plans SET name = ?", (text,))
            conn.execute("UPDATE allocations SET comment = ?", (text,))
            conn.execute("UPDATE events SET name = ?", (text,))
            conn.execute("UPDATE registration_types SET name = ?", (text,))
            # The ledger is append-only by trigger: lift it for this one change, as a tool could.
            (trigger,) = conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'entries_append_only_update'"
            ).fetchone()
            conn.execute("DROP TRIGGER entries_append_only_update")
            conn.execute("UPDATE entries SET description = ?, ref = ?", (text, text))
            conn.execute("UPDATE registrations SET ref = ?", (text,))  # still its use's ref
            conn.execute(trigger)
    finally:
        conn.close()


def shows_nothing_raw(out: str) -> None:
    # Our own styling is the bold header, the italic title and the cyan bars of the chart;
    # markup read in the data would add red, blue, underline, blinking or reverse video
    # (other codes), and a link would be an OSC 8 sequence (an escape left once the
    # styles are removed).
    assert {code for codes in SGR.findall(out) for code in codes.split(";")} <= {"", "0", "1", "3", "36"}
    assert not (DANGEROUS - {"\n"}) & set(SGR.sub("", out))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_any_stored_text_reaches_the_terminal_escaped(template: Path, tmp_path: Path, text: str) -> None:
    path = tmp_path / "hostile.db"
    path.unlink(missing_ok=True)
    copy_db(template, path)
    store(path, text)
    terminal = {"BENEFIT_DB": str(path), "BENEFIT_OPERATOR": "tester", "BENEFIT_TODAY": TODAY,
                "TTY_COMPATIBLE": "1", "TERM": "xterm-256color", "COLUMNS": "80"}
    for command in COMMANDS:
        code, out = run(terminal, *command)
        assert code == 0, (command, out)
        shows_nothing_raw(out)
    # Piped, as Markdown, and in an error message quoting the text, the same holds.
    piped = {**terminal, "TTY_COMPATIBLE": "0"}
    for command in (["contact", "list"], ["report", "history", "-f", "markdown"]):
        code, out = run(piped, *command)
        assert code == 0, (command, out)
        shows_nothing_raw(out)
    _, out = run(terminal, "contact", "show", "--", text)
    shows_nothing_raw(out)
    # And the text is shown whole, markup as text: on a terminal wide enough not to wrap,
    # each name appears as printable makes it.
    code, out = run({**terminal, "COLUMNS": "1000"}, "contact", "list")
    assert printable(text).strip() in SGR.sub("", out)
    code, out = run({**terminal, "COLUMNS": "1000"}, "type", "list")
    assert printable(text).strip() in SGR.sub("", out)
    # Quoted by a refusal, whichever part of the command line or of a file it came from.
    (tmp_path / "usage.csv").write_text(
        "contact,type,used_on\n" + "".join(f"{cell},GP,2026-02-01\n" for cell in _csv_cells(text)),
        encoding="utf-8", newline="")
    for command in (
        [text],
        ["contact", "list", f"--x{text}"],
        ["contact", "show", "C1", text],
        ["report", "expiring", f"--within={text}"],
        ["usage", "list", "--kind", text],
        ["type", "update", "--name", "x", "--", text],
        ["allocate", "--", text, "C2"],
        ["usage", "import", str(tmp_path / "usage.csv"), "--on-error", "skip"],
        ["usage", "import", str(tmp_path / "usage.csv")],
    ):
        code, out = run(terminal, *command)
        assert code in (0, 1, 2, 3), (command, out)  # "0" is a number of days, "use" a kind
        shows_nothing_raw(out)


def _csv_cells(text: str) -> list[str]:
    """``text`` as a contact cell, quoted as a spreadsheet writes it (a NUL is refused anyway)."""
    return ['"' + text.replace('"', '""') + '"', '"x' + text.replace('"', '""') + '"']


def test_every_command_that_prints_rows_is_tried() -> None:
    """A list or report command added later is added to COMMANDS, or this fails."""

    def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
        if hasattr(group, "commands"):  # a group (Typer bundles its own Click)
            return [found for name, sub in group.commands.items() for found in commands(sub, (*path, name))]
        return [(" ".join(path), group)]

    printing = {name for name, command in commands(COMMAND)
                if any("--format" in getattr(param, "opts", []) for param in command.params)}
    tried = {name for name in printing for args in COMMANDS if args[: len(name.split())] == name.split()}
    assert printing - tried == set()
