"""``benefit db datasette-metadata``: every table and view of the schema has a title and a
description, every column it describes exists, money columns say they are cents, and
rows that refer to contacts, types and plans show their names in Datasette itself
(``datasette ... --get``, when the dev extras installed it)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli

from benefit_cli.db.datasette import datasette_metadata

DATASETTE = Path(sys.executable).parent / "datasette"
MONEY = [("plans", "price"), ("plan_benefits", "price_portion"), ("benefit_types", "unit_value"),
         ("levels", "unit_value")]


def schema(path: Path) -> dict[str, list[str]]:
    """Every table and view of the database, with its columns."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
        return {name: [r[1] for r in conn.execute(f"PRAGMA table_info('{name}')")] for name in names}
    finally:
        conn.close()


def test_every_table_and_view_is_described_and_every_described_column_exists(db: Path) -> None:
    tables = datasette_metadata("benefits")["databases"]["benefits"]["tables"]
    found = schema(db)
    assert set(tables) == set(found)
    for name, about in tables.items():
        assert about["title"] and about["description"], name
        assert set(about.get("columns", {})) <= set(found[name]), name
        if name != "migrations":  # bookkeeping, hidden
            undescribed = set(found[name]) - set(about["columns"]) - {"id"}
            assert not undescribed, (name, undescribed)
    for table, column in MONEY:
        assert "cents" in tables[table]["columns"][column], (table, column)
    for table in ("contacts", "benefit_types", "plans"):
        assert tables[table]["label_column"] == "name"
    assert tables["migrations"]["hidden"] is True


def test_the_command_names_the_database_as_datasette_will(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "museum.db"
    data = json.loads(cli("--db", path, "db", "datasette-metadata").stdout)
    assert list(data["databases"]) == ["museum"]
    assert data == datasette_metadata("museum")


@pytest.fixture
def museum(cli: Cli, tmp_path: Path) -> Path:
    path = tmp_path / "museum.db"
    for args in (
        ["db", "init"],
        ["type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "fac"],
        ["plan", "add", "FAMILY", "--name", "Family membership", "--term", "12", "--price", "65.00"],
        ["plan", "benefit", "add", "FAMILY", "ROOM", "--quantity", "90", "--begin", "2026-01-01"],
        ["contact", "add", "José Álvarez", "--ref", "C000116"],
        ["membership", "add", "C000116", "FAMILY", "--start", "2026-03-01"],
    ):
        cli("--db", path, *args)
    (tmp_path / "metadata.json").write_text(cli("--db", path, "db", "datasette-metadata").stdout)
    return path


def datasette(museum: Path, url: str) -> str:
    done = subprocess.run([str(DATASETTE), str(museum), "-m", str(museum.parent / "metadata.json"),
                           "--get", url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(museum: Path, table: str) -> list[dict[str, Any]]:
    url = f"/museum/{table}.json?_labels=on&_shape=array"
    data: list[dict[str, Any]] = json.loads(datasette(museum, url))
    return data


@pytest.mark.skipif(not DATASETTE.exists(), reason="Datasette is a dev extra; it is not installed here")
def test_in_datasette_levels_and_memberships_show_names(museum: Path) -> None:
    [level] = rows(museum, "levels")
    assert level["contact_id"] == {"value": 1, "label": "José Álvarez"}
    assert level["type_id"] == {"value": 1, "label": "Meeting room"}
    [membership] = rows(museum, "memberships")
    assert membership["plan_id"] == {"value": 1, "label": "Family membership"}
    assert json.loads(datasette(museum, "/-/metadata.json")) == datasette_metadata("museum")


@pytest.mark.skipif(not DATASETTE.exists(), reason="Datasette is a dev extra; it is not installed here")
def test_in_datasette_a_price_says_it_is_in_cents(museum: Path) -> None:
    page = datasette(museum, "/museum/plans")
    assert "Membership types: their term, grace period and price." in page
    assert 'data-column-description="Price, in cents: 6500 is 65.00"' in page
    [plan] = rows(museum, "plans")
    assert plan["price"] == 6500
    assert "migrations" not in datasette(museum, "/museum")  # bookkeeping stays out of the way
