"""``contact list --name``: any part of the name, whatever its accents, case or Unicode form;
what is typed is matched as text (``%`` and ``_`` are characters, not wildcards)."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pytest
from conftest import Cli, rows

NAMES = {
    "C1": "José Álvarez",
    "C2": "Jürgen Müller",
    "C3": "Søren Kierkegaard",
    "C4": "Łukasz Straße",
    "C5": "100% Design_Studio",
    "C6": "Ann Lee",
    "C7": "Zoë O'Brien",
}


@pytest.fixture
def people(cli: Cli, db: Path) -> Path:
    for ref, name in NAMES.items():
        cli("contact", "add", name, "--ref", ref)
    return db


def found(cli: Cli, text: str) -> list[str]:
    return [c["ref"] for c in rows(cli, "contact", "list", "--name", text)]


@pytest.mark.parametrize(("text", "refs"), [
    ("alvarez", ["C1"]),
    ("ALVAREZ", ["C1"]),
    ("Álvarez", ["C1"]),
    (unicodedata.normalize("NFD", "Álvarez"), ["C1"]),
    ("jose", ["C1"]),
    ("muller", ["C2"]),
    ("MÜLLER", ["C2"]),
    ("soren", ["C3"]),
    ("lukasz", ["C4"]),
    ("strasse", ["C4"]),
    ("zoe o'b", ["C7"]),
    ("e", ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]),
    ("nobody", []),
])
def test_name_search_ignores_accents_case_and_unicode_form(cli: Cli, people: Path, text: str,
                                                           refs: list[str]) -> None:
    assert found(cli, text) == refs


@pytest.mark.parametrize(("text", "refs"), [
    ("%", ["C5"]),
    ("_", ["C5"]),
    ("100%", ["C5"]),
    ("n_s", ["C5"]),
    ("a%e", []),
    ("a_e", []),
])
def test_like_wildcards_typed_by_the_user_are_plain_characters(cli: Cli, people: Path, text: str,
                                                               refs: list[str]) -> None:
    assert found(cli, text) == refs


def test_a_name_stored_decomposed_by_another_program_is_found_typed_composed(cli: Cli, db: Path) -> None:
    cli("contact", "add", "Placeholder", "--ref", "C1")
    conn = sqlite3.connect(db)
    with conn:
        decomposed = unicodedata.normalize("NFD", "Müller")
        conn.execute("UPDATE contacts SET name = ? WHERE ref = 'C1'", (decomposed,))
    conn.close()
    assert found(cli, "Müller") == ["C1"]
    assert found(cli, "muller") == ["C1"]


def test_name_search_combines_with_the_joined_dates(cli: Cli, db: Path) -> None:
    cli("contact", "add", "Ana Álvarez", "--ref", "A1", "--joined", "2025-01-01")
    cli("contact", "add", "Luis Alvarez", "--ref", "A2", "--joined", "2026-01-01")
    assert [c["ref"] for c in rows(cli, "contact", "list", "--name", "alvarez",
                                   "--joined-from", "2025-06-01")] == ["A2"]
