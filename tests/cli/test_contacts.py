"""Contacts through the command line: ``contact import`` is idempotent by ref, refuses a changed
contact unless ``--update``, names the row and column of a problem, and is all or nothing."""

from __future__ import annotations

from conftest import CONTACT_ROWS, CONTACTS_HEADER, one_error, rows, snapshot, write_csv


def test_contact_import_is_idempotent_by_ref(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS)
    first = cli("contact", "import", path)
    assert "3 added" in first.stderr
    imported = rows(cli, "contact", "list")
    assert [(c["ref"], c["kind"], c["business_ref"], c["joined_on"]) for c in imported] == [
        ("B1", "business", None, "2026-01-02"), ("P1", "person", "B1", "2026-01-03"),
        ("P2", "person", None, None)]

    second = cli("contact", "import", path)
    assert "0 added" in second.stderr and "3 already present" in second.stderr
    assert rows(cli, "contact", "list") == imported


def test_a_changed_contact_is_an_error_naming_the_row_unless_update(cli, db, tmp_path):
    cli("contact", "import", write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS))
    before = rows(cli, "contact", "list")
    changed = write_csv(tmp_path / "changed.csv", CONTACTS_HEADER, CONTACT_ROWS[0],
                        "P1,Ann Lee,person,B1,ann.lee@new.example.org,2026-01-03", CONTACT_ROWS[2])

    result = cli("contact", "import", changed, code=1)
    one_error(result)
    assert any("row 3" in line and "P1" in line for line in result.stderr.splitlines())
    assert rows(cli, "contact", "list") == before

    cli("contact", "import", changed, "--update")
    after = {c["ref"]: c for c in rows(cli, "contact", "list")}
    assert after["P1"]["email"] == "ann.lee@new.example.org"
    assert {ref: c for ref, c in after.items() if ref != "P1"} == {
        c["ref"]: c for c in before if c["ref"] != "P1"}


def test_a_business_ref_to_an_unknown_business_names_row_and_column(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, CONTACT_ROWS[0],
                     "P1,Ann Lee,person,B404,ann@example.org,")
    result = cli("contact", "import", path, code=1)
    one_error(result)
    assert any("row 3" in line and "business_ref" in line and "B404" in line
               for line in result.stderr.splitlines())
    assert rows(cli, "contact", "list") == []


def test_contact_import_is_all_or_nothing(cli, db, tmp_path):
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS,
                     "P3,,person,,nameless@example.org,")
    before = snapshot(db)
    result = cli("contact", "import", path, code=1)
    one_error(result)
    assert any("row 5" in line and "name" in line for line in result.stderr.splitlines())
    assert snapshot(db) == before
