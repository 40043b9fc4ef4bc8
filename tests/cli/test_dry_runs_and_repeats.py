"""Dry runs and safe repeats (issue 16 item 7): ``--dry-run`` on ``contact import``,
``membership import`` and ``usage bulk`` checks everything, says what it would do and
changes nothing; ``usage bulk --ref PREFIX`` run twice records once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import (
    CONTACT_ROWS,
    CONTACTS_HEADER,
    Cli,
    loads,
    refused,
    rows,
    snapshot,
    used,
    write_csv,
)

ON = "2026-03-02"


@pytest.fixture
def members(cli: Cli, db: Path) -> Path:
    """PASS (count) and CREDIT (money) from GOLD: 2 PASS and 5.00 CREDIT from 2026-01-01 for
    A and B; C holds nothing."""
    cli("type", "add", "PASS", "--name", "Lecture pass", "--unit", "count", "--category", "events")
    cli("type", "add", "CREDIT", "--name", "Cafe credit", "--unit", "money", "--category", "shop")
    cli("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    cli("plan", "benefit", "add", "GOLD", "PASS", "--quantity", "2", "--begin", "2026-01-01")
    cli("plan", "benefit", "add", "GOLD", "CREDIT", "--quantity", "5.00", "--begin", "2026-01-01")
    for ref in ("A", "B", "C"):
        cli("contact", "add", f"Member {ref}", "--ref", ref)
    cli("membership", "add", "A", "GOLD", "--start", "2026-01-01")
    cli("membership", "add", "B", "GOLD", "--start", "2026-01-01")
    return db


# -- contact import --------------------------------------------------------------------------


def test_contact_import_dry_run_says_what_it_would_do_and_writes_nothing(cli: Cli, db: Path,
                                                                         tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS)
    before = snapshot(db)
    result = cli("contact", "import", path, "--dry-run")
    assert result.stderr == (
        "Dry run, nothing written: 3 rows read: 3 would be added, 0 would be updated, 0 already present.\n"
    )
    assert snapshot(db) == before
    cli("contact", "import", path)
    assert [c["ref"] for c in rows(cli, "contact", "list")] == ["B1", "P1", "P2"]


def test_contact_import_dry_run_with_update_counts_the_changes(cli: Cli, db: Path, tmp_path: Path) -> None:
    cli("contact", "import", write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS))
    changed = write_csv(tmp_path / "changed.csv", CONTACTS_HEADER, CONTACT_ROWS[0],
                        "P1,Ann Lee,person,B1,ann.lee@new.example.org,2026-01-03", CONTACT_ROWS[2],
                        "P4,Dee Doe,person,,,")
    before = snapshot(db)
    result = cli("contact", "import", changed, "--update", "--dry-run")
    assert "4 rows read: 1 would be added, 1 would be updated, 2 already present" in result.stderr
    assert snapshot(db) == before


def test_contact_import_dry_run_of_a_bad_file_lists_the_problems_and_exits_1(cli: Cli, db: Path,
                                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "contacts.csv", CONTACTS_HEADER, *CONTACT_ROWS, "P3,,person,,,")
    line = refused(cli, db, "contact", "import", path, "--dry-run")
    assert line == "Error: 1 row has a problem, so nothing was written (dry run); fix it and try again."


# -- membership import -----------------------------------------------------------------------


def test_membership_import_dry_run_counts_memberships_and_levels_and_writes_nothing(
    cli: Cli, members: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "memberships.csv", "contact,plan,start_on", "C,GOLD,2026-02-01",
                     "A,GOLD,2026-01-01")
    before = snapshot(members)
    result = cli("membership", "import", path, "--dry-run")
    assert result.stderr.startswith(
        "Dry run, nothing written: 2 rows read: 1 memberships would be added (2 levels would be granted),"
        " 1 already present; "
    )
    assert snapshot(members) == before
    cli("membership", "import", path)
    assert [m["contact_ref"] for m in rows(cli, "membership", "list")] == ["A", "B", "C"]


def test_membership_import_dry_run_of_a_bad_file_exits_1_naming_the_row(cli: Cli, members: Path,
                                                                         tmp_path: Path) -> None:
    path = write_csv(tmp_path / "memberships.csv", "contact,plan,start_on", "C,GOLD,2026-02-01",
                     "Z,GOLD,2026-01-01")
    before = snapshot(members)
    result = cli("membership", "import", path, "--dry-run", code=1)
    assert result.error_lines == [
        "Error: 1 row has a problem, so nothing was written (dry run); fix it and try again."]
    assert 'row 3, column contact: no contact "Z"; import contacts first.' in result.stderr
    assert snapshot(members) == before


# -- usage bulk ------------------------------------------------------------------------------


def bulk_rows(cli: Cli, *args: str) -> tuple[list[dict[str, object]], str]:
    result = cli("usage", "bulk", *args, "-f", "json")
    return loads(result.stdout), result.stderr


def test_bulk_dry_run_shows_the_uses_and_records_nothing(cli: Cli, members: Path) -> None:
    before = snapshot(members)
    shown, said = bulk_rows(cli, "PASS", "--contacts", "A,B", "--on", ON, "--dry-run")
    assert [(r["contact_ref"], r["quantity"], r["remaining"], r["already"], r["entries"])
            for r in shown] == [("A", 1, 1, False, None), ("B", 1, 1, False, None)]
    assert said == "Dry run, nothing recorded: would record 2 uses, 2 in all.\n"
    assert snapshot(members) == before


def test_bulk_dry_run_that_would_be_refused_is_refused(cli: Cli, members: Path) -> None:
    line = refused(cli, members, "usage", "bulk", "PASS", "--contacts", "A,C", "--on", ON, "--dry-run")
    assert line == "Error: 1 contact has a problem, so nothing was recorded; fix it and try again."


def test_bulk_with_a_ref_run_twice_records_once(cli: Cli, members: Path) -> None:
    first, said = bulk_rows(cli, "CREDIT", "--contacts", "A,B", "--quantity", "1.50", "--on", ON,
                            "--ref", "CAFE-0302", "--description", "Lecture coffee")
    assert [(r["contact_ref"], r["ref"], r["already"]) for r in first] == [
        ("A", "CAFE-0302-A", False), ("B", "CAFE-0302-B", False)]
    assert said == "Recorded 2 uses, 3.00 in all.\n"
    recorded = used(cli)

    again, said = bulk_rows(cli, "CREDIT", "--contacts", "A,B", "--quantity", "1.50", "--on", ON,
                            "--ref", "CAFE-0302", "--description", "Lecture coffee")
    assert used(cli) == recorded
    assert [(r["contact_ref"], r["already"], r["entries"]) for r in again] == [
        (r["contact_ref"], True, r["entries"]) for r in first]
    assert said == (
        "Recorded 0 uses, 0.00 in all; 2 already recorded under their refs, nothing added for them.\n"
    )
    refs = {e["ref"] for e in loads(cli("usage", "list", "-f", "json").stdout)}
    assert refs == {"CAFE-0302-A", "CAFE-0302-B"}


def test_bulk_with_a_ref_adds_only_the_contacts_not_yet_recorded(cli: Cli, members: Path) -> None:
    bulk_rows(cli, "PASS", "--contacts", "A", "--on", ON, "--ref", "LECTURE")
    shown, said = bulk_rows(cli, "PASS", "--contacts", "A,B", "--on", ON, "--ref", "LECTURE")
    assert [(r["contact_ref"], r["already"]) for r in shown] == [("A", True), ("B", False)]
    assert said == "Recorded 1 use, 1 in all; 1 already recorded under their refs, nothing added for them.\n"
    assert [u[0] for u in used(cli)] == ["A", "B"]


def test_bulk_with_a_ref_used_for_other_details_is_refused(cli: Cli, members: Path) -> None:
    bulk_rows(cli, "PASS", "--contacts", "A,B", "--on", ON, "--ref", "LECTURE")
    result = cli("usage", "bulk", "PASS", "--contacts", "A,B", "--on", "2026-03-03", "--ref", "LECTURE",
                 code=1)
    assert result.error_lines == [
        "Error: 2 contacts have problems, so nothing was recorded; fix them and try again."]
    assert 'The ref "LECTURE-A" was already recorded' in result.stderr
    assert len(used(cli)) == 2


def test_bulk_with_an_empty_ref_is_wrong_usage(cli: Cli, members: Path) -> None:
    line = refused(cli, members, "usage", "bulk", "PASS", "--contacts", "A", "--ref", " ", code=2)
    assert line == "Error: --ref must not be empty: give the key of this bulk, e.g. LECTURE-0512."
