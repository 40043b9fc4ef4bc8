"""The README's walk-through and the sample data run as written, so the docs cannot rot."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n(.*?)```", text, re.S)
    assert block, "the README has no console walk-through"
    return [shlex.split(line[2:]) for line in block.group(1).splitlines() if line.startswith("$ ")]


def readme_shell_lines() -> list[str]:
    """The lines of the README's ``shell`` blocks: commands for another tool, run by a shell."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [line for block in re.findall(r"```shell\n(.*?)```", text, re.S) for line in block.splitlines()
            if line.strip()]


def tools(tmp_path: Path) -> Path:
    """A folder for PATH holding the real console scripts, as an installed benefit has them."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for script in ("benefit", "datasette"):
        if (Path(sys.executable).parent / script).exists():
            (bin_dir / script).symlink_to(Path(sys.executable).parent / script)
    return bin_dir


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


def test_readme_sqlite3_examples_open_the_database_in_use(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Run from a folder holding no database, as a reader of the README would: the examples
    find the file through ``benefit db path`` (the real console script, in a real shell)."""
    monkeypatch.setenv("BENEFIT_TODAY", "2026-11-23")
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    for argv in readme_commands():
        cli(*argv[1:])
    lines = [line for line in readme_shell_lines() if line.startswith("sqlite3 ")]
    assert len(lines) == 2 and all(line.startswith('sqlite3 "$(benefit db path)" ') for line in lines)
    bin_dir = tools(tmp_path)
    if shutil.which("sqlite3") is None:  # no sqlite3 shell here: Python's sqlite3 stands in for it
        shim = bin_dir / "sqlite3"
        shim.write_text(f"#!{sys.executable}\nimport sqlite3, sys\n"
                        "for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):\n"
                        "    print('|'.join('' if v is None else str(v) for v in row))\n")
        shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    outputs = []
    for line in lines:
        done = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=60)
        assert (done.returncode, done.stderr) == (0, ""), line
        outputs.append(done.stdout.splitlines())
    assert not (work / "benefits.db").exists()  # no stray, empty database made where the reader stood
    balances, history = outputs
    assert balances and all(row.startswith("C000116|REDUCED|") for row in balances)
    assert any("Visit to the Turner exhibition" in row for row in history)


@pytest.mark.skipif(not (Path(sys.executable).parent / "datasette").exists(),
                    reason="Datasette is a dev extra; it is not installed here")
def test_readme_datasette_example_shows_the_database_with_its_metadata(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BENEFIT_TODAY", "2026-11-23")
    monkeypatch.chdir(tmp_path)
    for argv in readme_commands():
        cli(*argv[1:])
    write, serve = [line for line in readme_shell_lines() if "datasette" in line]
    assert write == "benefit db datasette-metadata > metadata.json"
    assert serve.startswith("datasette ") and serve.endswith(" -m metadata.json")
    # Datasette serves until stopped; --get answers one request instead, from the same setup.
    script = f"{write}\n{serve} --get '/benefits/plans.json?_shape=array'\n"
    env = {**os.environ, "PATH": f"{tools(tmp_path)}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [plan["code"] for plan in json.loads(done.stdout)] == ["BUSINESS", "FAMILY"]
    assert json.loads((tmp_path / "metadata.json").read_text())["databases"]["benefits"]["tables"]
