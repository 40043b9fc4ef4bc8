"""Every test gets its own database file; none touches a real one."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
from click.testing import CliRunner  # typer.testing rebuilds the command on every invoke

from benefit_cli.app import create_app

# Typer rebuilds the Click command on every invoke (about 50 ms); the suite runs
# thousands of commands, so build it once. It is the very same command object.
COMMAND = typer.main.get_command(create_app())


@pytest.fixture(autouse=True)
def isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "benefits.db"
    monkeypatch.setenv("BENEFIT_DB", str(path))
    monkeypatch.setenv("BENEFIT_OPERATOR", "tester")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("BENEFIT_DEBUG", raising=False)
    monkeypatch.delenv("BENEFIT_TODAY", raising=False)
    from benefit_cli import clock

    clock.set_operator(None)
    return path


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Error:")]


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``benefit ARGS``; assert the exit code (default 0) and that no traceback leaked."""

    def run(*args: str, code: int | None = 0) -> Result:
        result = CliRunner().invoke(COMMAND, [str(a) for a in args], prog_name="benefit",
                                    catch_exceptions=False)
        out = Result(result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in out.stdout + out.stderr, out.stderr
        if code is not None:
            assert result.exit_code == code, (
                f"benefit {' '.join(map(str, args))} exited {result.exit_code}, not {code}:\n"
                f"{out.stdout}\n{out.stderr}"
            )
        return out

    return run


@pytest.fixture
def db(cli: Callable[..., Result]) -> Path:
    """An initialized, empty database."""
    cli("db", "init")
    return Path(os.environ["BENEFIT_DB"])


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a template database, whatever is still in its WAL."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to prove a refused command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        tables = [r[0] for r in conn.execute(query)]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()
