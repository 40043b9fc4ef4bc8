"""The rest of the bad-input corpus (issue 17): what Click itself says about a command line
reaches the terminal escaped, as do the ref ``contact add`` prints and the path ``db stats``
prints; ``usage import --on-error skip`` exits 3 when it set rows aside (SPEC §3, done in
part) and 0 only when it set none; and the summary says which rows repeat an earlier row
with no ref. Each refusal is exact, with its exit code, and changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import USAGE_HEADER, Cli, entry_count, refused, snapshot, summary, used, write_bytes

ESC = "\x1b[2J"  # clears the screen
OSC = "\x1b]0;owned\x07"  # sets the terminal's title
RLO = "\u202e"  # shows what follows right to left (Click escapes control characters, not this)
RAW = (ESC[0], OSC[-1], RLO)


def no_raw(*outputs: str) -> None:
    for out in outputs:
        assert not set(out) & set(RAW), out


# -- Click's own usage errors --------------------------------------------------------------------

USAGE = [
    pytest.param(["contact", "list", f"--x{ESC}{RLO}"],
                 "Error: No such option: --x\\x1b[2J\\u202e", id="unknown option"),
    pytest.param([f"--bogus{RLO}", "contact", "list"],
                 "Error: No such option: --bogus\\u202e", id="unknown global option"),
    pytest.param([f"nosuch{OSC}{RLO}"],
                 "Error: No such command 'nosuch\\x1b]0;owned\\x07\\u202e'.", id="unknown command"),
    pytest.param(["contact", f"lisT{RLO}"],
                 "Error: No such command 'lisT\\u202e'. Did you mean 'list'?", id="unknown subcommand"),
    pytest.param(["contact", "show", "O", f"extra{RLO}{ESC}"],
                 "Error: Got unexpected extra argument(s) (extra\\u202e\\x1b[2J)", id="extra argument"),
]


@pytest.mark.parametrize(("args", "line"), USAGE)
def test_clicks_usage_errors_quote_the_command_line_escaped(cli: Cli, family_world: Path, args, line):
    before = snapshot(family_world)
    result = cli(*args, code=2)
    assert result.error_lines == [line]
    assert result.stderr.startswith("Usage: benefit")  # Click's usage text stays: it helps
    no_raw(result.stdout, result.stderr)
    assert snapshot(family_world) == before


def test_an_error_line_of_ours_quotes_the_command_line_escaped(cli: Cli, family_world: Path) -> None:
    line = refused(cli, family_world, "report", "expiring", f"--within={RLO}7{ESC}", code=2)
    assert line == 'Error: --within must be a whole number of days from 0 to 36500, got "\\u202e7\\x1b[2J".'


# -- what commands print of what was typed -------------------------------------------------------


def test_contact_add_prints_the_new_ref_escaped(cli: Cli, db: Path) -> None:
    result = cli("contact", "add", "Eve", "--ref", f"E{ESC}{RLO}1")
    assert result.stdout == "E\\x1b[2J\\u202e1\n"
    assert result.stderr == 'Added person "E\\x1b[2J\\u202e1" (Eve).\n'
    # The ref is stored as typed: it is found as typed.
    assert cli("contact", "show", f"E{ESC}{RLO}1", "-f", "json").json()["contact"][0]["name"] == "Eve"


def test_db_stats_prints_the_path_escaped(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / f"ledger{ESC}{RLO}.db"
    cli("--db", path, "db", "init")
    result = cli("--db", path, "db", "stats")
    assert result.stdout.splitlines()[0] == f"database: {tmp_path.resolve()}/ledger\\x1b[2J\\u202e.db"
    no_raw(result.stdout, result.stderr)


# -- done in part: exit 3 ------------------------------------------------------------------------

MIXED = (USAGE_HEADER
         + b"C1,GUEST,2,2026-03-01,good a,\n"
         + b"C9,GUEST,1,2026-03-01,no such contact,\n"
         + b"C2,GUEST,1,2026-03-02,good b,\n"
         + b"C1,GUEST,1,30/02/2026,no such date,\n")
C9 = 'row 3, column contact: no contact "C9"; check the ref or import the contact first.'
FEB_30 = "row 5, column used_on: "


def test_skip_exits_3_when_it_set_rows_aside(cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, MIXED)
    result = cli("usage", "import", path, "--on-error", "skip", code=3)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("rows read 4, imported 2, skipped as already present 0, rejected 2, ")
    assert lines[1] == f"  {C9}"
    assert lines[2].startswith(f"  {FEB_30}")
    assert lines[3:] == ["Done in part: 2 rows were set aside; the rest are recorded; fix them and import"
                         " them again (--rejects FILE collects such rows in a file)."]
    assert result.error_lines == []  # not a refusal: what was written stays
    assert [(c, d) for c, _, _, _, d in used(cli)] == [("C1", "good a"), ("C2", "good b")]


def test_skip_with_a_rejects_file_exits_3_and_says_where_they_are(
        cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    result = cli("usage", "import", write_bytes(tmp_path, MIXED), "--on-error", "skip",
                 "--rejects", rejects, code=3)
    assert result.stderr.splitlines()[1:] == [
        f"The rejected rows are in {rejects}, with an error column; fix them there and import that file.",
        f"  {C9}",
        result.stderr.splitlines()[3],
        "Done in part: 2 rows were set aside; the rest are recorded.",
    ]
    with open(rejects, encoding="utf-8-sig", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)] == ["contact", "C9", "C1"]


def test_skip_exits_3_with_one_row_set_aside_even_when_nothing_else_was_new(
        cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, MIXED)
    cli("usage", "import", path, "--on-error", "skip", code=3)
    before = snapshot(usage_world)
    again = cli("usage", "import", path, "--on-error", "skip", code=3)
    assert summary(again).startswith("rows read 4, imported 0, skipped as already present 2, rejected 2")
    assert snapshot(usage_world) == before


def test_skip_exits_0_when_nothing_was_set_aside(cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\nC2,GUEST,1,2026-03-01,,\n")
    result = cli("usage", "import", path, "--on-error", "skip")
    assert summary(result).startswith("rows read 2, imported 2, skipped as already present 0, rejected 0")
    assert entry_count(usage_world) == 2


@pytest.mark.parametrize("options", [["--dry-run", "--on-error", "skip"], [], ["--on-error", "abort"]],
                         ids=["dry run", "abort by default", "abort"])
def test_a_run_that_wrote_nothing_is_a_refusal_not_done_in_part(
        cli: Cli, usage_world: Path, tmp_path: Path, options: list[str]) -> None:
    path = write_bytes(tmp_path, MIXED)
    line = refused(cli, usage_world, "usage", "import", path, *options, code=1)
    done = "nothing was written (dry run)" if "--dry-run" in options else "nothing was imported"
    assert line == f"Error: 2 rows have problems, so {done}; fix them and try again."


def test_rows_set_aside_are_listed_up_to_a_hundred(cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    path = write_bytes(tmp_path, USAGE_HEADER + b"C9,GUEST,1,2026-03-01,,\n" * 120)
    result = cli("usage", "import", path, "--on-error", "skip", code=3)
    listed = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == 101 and listed[-1] == "  ... and 20 more."
    assert result.stderr.splitlines()[-1].startswith("Done in part: 120 rows were set aside;")


# -- rows that repeat an earlier row with no ref -------------------------------------------------


def test_the_summary_says_which_rows_repeat_an_earlier_row(cli: Cli, usage_world: Path,
                                                           tmp_path: Path) -> None:
    rows = [b"C1,GUEST,1,2026-03-01,visit,\n", b"C2,GUEST,1,2026-03-01,visit,\n",
            b"C1,GUEST,1,2026-03-01,visit,\n", b"C1,GUEST,1,2026-03-01,visit,R7\n",
            b"C1,GUEST,1,2026-03-01,visit,\n"]
    path = write_bytes(tmp_path, USAGE_HEADER + b"".join(rows))
    assert cli("usage", "import", path, "--dry-run").stderr.endswith(
        " s; 2 rows repeat an earlier row with no ref (rows 4 and 6), each to be recorded as another use.\n")
    assert summary(cli("usage", "import", path)).endswith(
        " s; 2 rows repeat an earlier row with no ref (rows 4 and 6), each recorded as another use.")
    assert [c for c, *_ in used(cli)] == ["C1", "C2", "C1", "C1", "C1"]
    # Imported again, they are all there already: nothing repeats into the ledger.
    assert summary(cli("usage", "import", path)).endswith(" s.")


def test_one_repeat_and_many_are_each_said_plainly(cli: Cli, usage_world: Path, tmp_path: Path) -> None:
    once = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,,\n" * 2, "once.csv")
    assert summary(cli("usage", "import", once)).endswith(
        " s; 1 row repeats an earlier row with no ref (row 3), recorded as another use.")
    many = write_bytes(tmp_path, USAGE_HEADER + b"C2,GUEST,1,2026-03-02,,\n" * 5
                       + b"C2,CREDIT,0.10,2026-03-02,,\n" * 4, "many.csv")
    assert summary(cli("usage", "import", many)).endswith(
        " s; 7 rows repeat an earlier row with no ref (rows 3, 4, 5, 6, 8 and 2 more), each recorded as"
        " another use.")
