"""``benefit db path``: the file every other command would use, for other tools to open."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_db_path_prints_the_file_in_use_from_the_environment(cli, db: Path) -> None:
    result = cli("db", "path")
    assert result.stdout == f"{db.resolve()}\n"
    assert result.stderr == ""


def test_db_path_follows_the_global_option_before_the_environment(cli, db: Path, tmp_path: Path) -> None:
    other = tmp_path / "museum.db"
    cli("--db", other, "db", "init")
    assert cli("--db", other, "db", "path").stdout == f"{other.resolve()}\n"


def test_db_path_without_any_setting_is_the_application_folder(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("BENEFIT_DB")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = cli("db", "path")
    printed = Path(result.stdout.strip())
    assert printed.name == "benefits.db"
    assert printed.parent.name == "benefit-cli"
    assert str(printed).startswith(str(tmp_path))


def test_db_path_of_a_missing_file_prints_it_and_says_how_to_create_it(cli, tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    result = cli("--db", missing, "db", "path")
    assert result.stdout == f"{missing.resolve()}\n"
    assert result.stderr == (
        f'There is no database at "{missing.resolve()}" yet; create it with: benefit db init.\n'
    )
    assert not missing.exists()  # answering the question created nothing
