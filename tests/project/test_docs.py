"""The README's walk-through and the sample data run as written, so the docs cannot rot."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(.*?)```", text, re.S)
    assert block, "the README has no console walk-through"
    return [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]


def test_readme_walk_through_runs_as_written(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BENEFIT_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)  # the walk-through writes balances.csv
    commands = readme_commands()
    assert len(commands) > 15
    for argv in commands:
        assert argv[0] == "benefit"
        cli(*argv[1:])
    # What the walk-through says happened, happened.
    family = cli("balance", "C000116", "-f", "json").json()
    assert family == [{"contact_ref": "C000116", "type": "REDUCED", "granted": 5,
                       "allocated_out": 1, "used": 0, "remaining": 4,
                       "expires_on": "2027-02-28", "status": "current"}]
    room = cli("balance", "C000105", "--type", "ROOM", "--on", "2026-03-20", "-f", "json").json()
    assert room[0]["remaining"] == 300 - 90 + 30
    carmen = cli("balance", "C000117", "-f", "json").json()
    assert carmen[0]["remaining"] == 1  # her use was voided
    exported = (tmp_path / "balances.csv").read_text(encoding="utf-8").splitlines()
    assert exported[0] == (
        "contact_ref,contact,type,granted,allocated_out,used,adjusted,expired,remaining,expires_on,status"
    )


def test_demo_builds_from_the_sample_data_and_passes_db_check(cli, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = cli("--db", db, "demo")
    assert "tour" in result.stderr
    cli("--db", db, "db", "check")
    uses = cli("--db", db, "usage", "list", "-f", "json").json()
    assert len(uses) == sum(1 for _ in open(ROOT / "sample_data" / "usage.csv")) - 1
