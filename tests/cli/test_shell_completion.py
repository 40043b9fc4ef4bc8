"""Shell completion, asked for as the shells ask: the real console script is run with the
variables the completion scripts set (bash: ``COMP_WORDS``/``COMP_CWORD``; zsh and fish:
``_TYPER_COMPLETE_ARGS``). Commands and options complete from the command tree; contact
refs, type codes and plan codes from the database in use, read-only and silently."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

BENEFIT = str(Path(sys.executable).parent / "benefit")


@pytest.fixture
def museum(cli: Cli, db: Path) -> Path:
    cli("contact", "add", "José Álvarez", "--ref", "C000116")
    cli("contact", "add", "Carmen Álvarez", "--ref", "C000117")
    cli("contact", "add", "Brandt & Okafor", "--ref", "B000105", "--business")
    cli("type", "add", "GUESTPASS", "--name", "Guest pass", "--unit", "count", "--category", "adm")
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "fac")
    cli("plan", "add", "FAMILY", "--name", "Family membership", "--term", "12")
    cli("plan", "add", "FRIEND", "--name", "Friend", "--term", "12")
    cli("plan", "add", "BUSINESS", "--name", "Business", "--term", "12")
    return db


def complete(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([BENEFIT], env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def bash(line: str) -> list[str]:
    """What bash's completion gets for ``line`` (the word being completed is its last)."""
    words = line.split(" ")
    done = complete({"_BENEFIT_COMPLETE": "complete_bash", "COMP_WORDS": line,
                     "COMP_CWORD": str(len(words) - 1)})
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.split()


@pytest.mark.parametrize(("line", "offered"), [
    ("benefit con", ["contact"]),
    ("benefit re", ["report"]),
    ("benefit report st", ["statement"]),
    ("benefit contact list --joined-", ["--joined-from", "--joined-to"]),
    ("benefit use C", ["C000116", "C000117"]),
    ("benefit use C0001", ["C000116", "C000117"]),
    ("benefit use c00011", ["C000116", "C000117"]),
    ("benefit use C000116 G", ["GUESTPASS"]),
    ("benefit use C000116 r", ["ROOM"]),
    ("benefit membership add C000116 F", ["FAMILY", "FRIEND"]),
    ("benefit membership add C000116 FA", ["FAMILY"]),
    ("benefit plan benefit add B", ["BUSINESS"]),
    ("benefit type retire G", ["GUESTPASS"]),
    ("benefit contact update B", ["B000105"]),
    ("benefit contact update C000116 --of B", ["B000105"]),
    ("benefit report balances --contact C00011", ["C000116", "C000117"]),
    ("benefit report balances --type ", ["GUESTPASS", "ROOM"]),
    ("benefit report usage --plan F", ["FAMILY", "FRIEND"]),
    ("benefit usage bulk ROOM --contacts C000116,C", ["C000116,C000116", "C000116,C000117"]),
    ("benefit use Z", []),
])
def test_bash_completes_commands_options_refs_and_codes(museum: Path, line: str, offered: list[str]) -> None:
    assert bash(line) == offered


def test_a_new_code_is_not_completed_from_the_existing_ones(museum: Path) -> None:
    assert bash("benefit type add G") == []
    assert bash("benefit plan add F") == []


def test_completion_reads_the_database_named_on_the_line(museum: Path, cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    cli("--db", other, "db", "init")
    cli("--db", other, "contact", "add", "Zed", "--ref", "Z1")
    assert bash(f"benefit --db {other} use ") == ["Z1"]
    assert bash("benefit use ") == ["B000105", "C000116", "C000117"]


@pytest.mark.parametrize("content", [None, b"", b"not a database at all, just text\n"])
def test_completion_without_a_usable_database_offers_nothing_and_says_nothing(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "benefits.db"
    if content is not None:
        path.write_bytes(content)
    assert bash(f"benefit --db {path} use C") == []
    assert (path.read_bytes() if path.exists() else None) == content  # nothing made, nothing changed
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if content is None else ["benefits.db"])


def test_completion_leaves_no_files_beside_the_database(museum: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(museum)  # closing the last connection removes -wal and -shm
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = sorted(p.name for p in museum.parent.iterdir())
    assert bash("benefit use C") == ["C000116", "C000117"]
    assert sorted(p.name for p in museum.parent.iterdir()) == before


def test_zsh_completion_gives_names_beside_refs(museum: Path) -> None:
    done = complete({"_BENEFIT_COMPLETE": "complete_zsh",
                     "_TYPER_COMPLETE_ARGS": "benefit membership add C000116 F"})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.strip() == """_arguments '*: :(("FAMILY":"Family membership"\n"FRIEND":"Friend"))'"""


def test_fish_completion_gives_names_beside_refs(museum: Path) -> None:
    done = complete({"_BENEFIT_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "benefit balance C",
                     "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["C000116\tJosé Álvarez", "C000117\tCarmen Álvarez"]


def test_a_name_shown_beside_a_ref_cannot_reach_the_terminal_raw(cli: Cli, db: Path) -> None:
    cli("contact", "add", "Eve \x1b]0;owned\x07 [bold]x[/bold]", "--ref", "E1")
    done = complete({"_BENEFIT_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "benefit balance E",
                     "_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    assert done.stdout.splitlines() == ["E1\tEve \\x1b)0;owned\\x07 (bold)x(/bold)"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed here")
def test_the_bash_script_benefit_shows_completes_in_bash(museum: Path, tmp_path: Path) -> None:
    """The script ``--show-completion`` prints, loaded in bash, completes a line as bash would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "benefit").symlink_to(BENEFIT)
    script = (
        'eval "$(benefit --show-completion)"\n'
        "COMP_WORDS=(benefit use C000116 GU); COMP_CWORD=3\n"
        "_benefit_completion benefit\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "--norc", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (0, "", "GUESTPASS\n")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed here")
def test_install_completion_writes_the_script_for_bash(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(BENEFIT).parent}{os.pathsep}{os.environ['PATH']}"}
    # A second command keeps bash from replacing itself with benefit: bash stays its parent,
    # the shell the completion is for, whatever runs the suite (make, sh -c, a terminal).
    done = subprocess.run(["bash", "--norc", "-c", "benefit --install-completion; exit $?"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "bash completion installed" in done.stdout
    installed = (home / ".bash_completions" / "benefit.sh").read_text()
    assert "_BENEFIT_COMPLETE=complete_bash" in installed
    assert ".bash_completions/benefit.sh" in (home / ".bashrc").read_text()


def test_every_parameter_naming_a_contact_type_or_plan_completes_from_the_database() -> None:
    """Walk the whole command tree: what names a contact, a benefit type or a plan (by its
    metavar) has a completion, so a command added later is held to it too."""
    from conftest import COMMAND

    def params(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
        if hasattr(group, "commands"):
            return [found for name, sub in group.commands.items() for found in params(sub, (*path, name))]
        return [(path, param) for param in group.params]

    named = [(path, param) for path, param in params(COMMAND)
             if param.metavar in ("CONTACT", "BUSINESS", "CONTACT,...", "TYPE", "PLAN")]
    assert len(named) >= 45  # 51 when this was written
    assert [(path, param.name) for path, param in named if param._custom_shell_complete is None] == []
