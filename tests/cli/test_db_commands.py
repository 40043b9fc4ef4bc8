"""The ``db`` commands: init (a new file and its folder, or an existing one kept), check,
backup (a copy that opens; never over an existing file) and stats."""

from __future__ import annotations

import sqlite3

from conftest import one_error, rows


def test_db_init_creates_the_named_file_and_its_folder(cli, tmp_path):
    path = tmp_path / "new" / "folder" / "museum.db"
    cli("--db", path, "db", "init")
    assert path.exists()
    cli("--db", path, "db", "check")


def test_db_check_on_a_fresh_database_finds_nothing(cli, db):
    cli("db", "check")


def test_db_backup_makes_a_copy_that_opens_with_the_same_contacts(cli, db, tmp_path):
    for ref in ("A", "B", "C"):
        cli("contact", "add", f"Person {ref}", "--ref", ref)
    contacts = rows(cli, "contact", "list")
    copy = tmp_path / "backups" / "copy.db"
    cli("db", "backup", copy)
    assert rows(cli, "--db", copy, "contact", "list") == contacts
    cli("--db", copy, "db", "check")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_db_backup_onto_an_existing_file_is_refused(cli, db, tmp_path):
    existing = tmp_path / "precious.db"
    existing.write_bytes(b"not to be overwritten")
    line = one_error(cli("db", "backup", existing, code=1))
    assert str(existing) in line
    assert existing.read_bytes() == b"not to be overwritten"


def test_db_stats_names_the_file_in_use(cli, db):
    cli("contact", "add", "Ann", "--ref", "A")
    result = cli("db", "stats")
    assert str(db.resolve()) in result.stdout
    assert "contacts: 1" in result.stdout


def test_db_init_on_an_existing_database_keeps_its_data(cli, db):
    cli("contact", "add", "Ann", "--ref", "A")
    before = rows(cli, "contact", "list")
    cli("db", "init")
    cli("db", "migrate")
    assert rows(cli, "contact", "list") == before
