"""Every --help says what to type: a date option shows YYYY-MM-DD, an argument reads CONTACT
(not Typer's {contact}), -h works like --help. The whole command tree is walked, so a
command added later is held to it too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import COMMAND, Cli


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if hasattr(group, "commands"):  # a group (Typer bundles its own Click)
        return [found for name, sub in group.commands.items() for found in commands(sub, (*path, name))]
    return [(path, group)]


ALL = commands(COMMAND)
IDS = [" ".join(path) for path, _ in ALL]


@pytest.mark.parametrize(("path", "command"), ALL, ids=IDS)
def test_help_shows_what_to_type(cli: Cli, path: tuple[str, ...], command: Any) -> None:
    text = cli(*path, "--help").stdout
    usage = text.splitlines()[0]
    assert usage.startswith(f"Usage: benefit {' '.join(path)} [OPTIONS]")
    assert "{" not in usage and "<str>" not in text and "<int>" not in text
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.metavar == param.metavar.upper()
            assert f" {param.metavar}" in usage or f" [{param.metavar}]" in usage
        elif param.type.name == "str" and re.search(r"\b(date|day)\b", param.help or "", re.I):
            if param.opts[0] not in ("--contact", "--plan", "--type"):  # "this plan on the date"
                assert f"{param.opts[0]} YYYY-MM-DD" in text, param.opts


def test_the_walk_found_the_commands() -> None:
    assert len(ALL) >= 40  # 43 when this was written


@pytest.mark.parametrize("args", [[], ["contact"], ["contact", "show"], ["report", "statement"],
                                  ["db", "path"]])
def test_dash_h_is_help(cli: Cli, args: list[str]) -> None:
    short, long = cli(*args, "-h"), cli(*args, "--help")
    assert short.stdout == long.stdout
    assert short.stdout.startswith("Usage: benefit")
    assert "-h, --help" in short.stdout


@pytest.mark.parametrize(("args", "shown"), [
    (["use"], ["Usage: benefit use [OPTIONS] CONTACT TYPE", "--on YYYY-MM-DD", "--quantity TEXT"]),
    (["report", "history"], ["--from YYYY-MM-DD", "--to YYYY-MM-DD", "--contact CONTACT", "--type TYPE",
                             "--plan PLAN", "-o, --output FILE", "--limit N"]),
    (["membership", "add"], ["Usage: benefit membership add [OPTIONS] CONTACT PLAN", "--start YYYY-MM-DD"]),
    (["contact", "update"], ["--joined YYYY-MM-DD", "--of BUSINESS"]),
    (["usage", "bulk"], ["--contacts CONTACT,...", "--joined-from YYYY-MM-DD"]),
    (["db", "backup"], ["Usage: benefit db backup [OPTIONS] PATH"]),
])
def test_help_of_some_commands_reads_as_the_spec_writes_them(cli: Cli, args: list[str],
                                                            shown: list[str]) -> None:
    text = cli(*args, "--help").stdout
    for words in shown:
        assert words in text


def test_a_missing_argument_is_named_as_the_help_names_it(cli: Cli) -> None:
    result = cli("use", code=2)
    assert result.error_lines == ["Error: Missing argument 'CONTACT'."]
