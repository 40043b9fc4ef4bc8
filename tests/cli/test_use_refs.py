"""``use --ref`` is idempotent: the same ref with the same details records nothing and says
so, other details are refused, and a voided use frees its ref for a corrected one."""

from __future__ import annotations

import sqlite3

from conftest import assert_db_ok, one_balance, usage


def test_the_same_ref_again_records_nothing_and_says_so(cli, guest):
    first = cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-01", "--ref", "BK-7",
                "--description", "Two guests")
    [entry_id] = first.stdout.split()
    again = cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-01", "--ref", "BK-7",
                "--description", "Two guests")
    assert again.stdout.split() == [entry_id]
    assert f'Already recorded under ref "BK-7" (entries {entry_id}); nothing was added.' in (
        again.stderr)
    assert again.error_lines == []
    assert [e["entry_id"] for e in usage(cli)] == [int(entry_id)]

    other = cli("use", "C1", "GUEST", "--quantity", "3", "--on", "2026-04-01", "--ref", "BK-7",
                "--description", "Two guests", code=1)
    assert other.error_lines == [
        f'Error: The ref "BK-7" was already recorded (entry {entry_id}) with other details; use'
        " a new ref for a new use, or void the old one first."
    ]
    cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-02", "--ref", "BK-7", code=1)
    assert len(usage(cli)) == 1
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 3
    assert_db_ok(cli)


def test_a_use_recorded_with_a_full_length_fingerprint_is_still_recognised(cli, guest, db):
    """Entries written before fingerprints were cut to 20 hex digits hold all 40."""
    import hashlib

    cli("use", "C1", "GUEST", "--on", "2026-04-01", "--ref", "OLD-1", "--description", "Guest")
    conn = sqlite3.connect(db)
    [(contact_id, type_id)] = conn.execute(
        "SELECT e.contact_id, l.type_id FROM entries e JOIN levels l ON l.id = e.level_id"
    ).fetchall()
    content = f"{contact_id}\x1f{type_id}\x1f1\x1f2026-04-01\x1fGuest\x1f"
    with conn:
        conn.execute("INSERT INTO entries (kind, level_id, contact_id, entry_on, quantity, source,"
                     " ref, fingerprint, operator, created_at) SELECT kind, level_id, contact_id,"
                     " entry_on, quantity, source, 'OLD-2', ?, operator, created_at FROM entries",
                     (hashlib.sha1(content.encode()).hexdigest(),))
    conn.close()
    again = cli("use", "C1", "GUEST", "--on", "2026-04-01", "--ref", "OLD-2",
                "--description", "Guest")
    assert "Already recorded" in again.stderr
    other = cli("use", "C1", "GUEST", "--on", "2026-04-02", "--ref", "OLD-2",
                "--description", "Guest", code=1)
    assert "already recorded" in other.error_lines[0]
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 3


def test_repeating_a_voided_use_adds_nothing_and_names_only_the_use(cli, guest):
    [use_id] = cli("use", "C1", "GUEST", "--on", "2026-04-01", "--ref", "BK-8").stdout.split()
    cli("usage", "void", use_id, "--reason", "Cancelled")
    again = cli("use", "C1", "GUEST", "--on", "2026-04-01", "--ref", "BK-8")
    # stdout carries the entry ids of the use; the void is not one of them.
    assert again.stdout.split() == [use_id]
    assert f'Already recorded under ref "BK-8" (entries {use_id}); nothing was added.' in (
        again.stderr)
    assert [e["kind"] for e in usage(cli)] == ["use", "void"]
    assert_db_ok(cli)


def test_the_advice_to_void_before_reusing_a_ref_can_be_followed(cli, guest):
    [use_id] = cli("use", "C1", "GUEST", "--on", "2026-04-01", "--ref", "BK-9").stdout.split()
    other = cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-01", "--ref", "BK-9",
                code=1)
    [advice] = other.error_lines
    assert "void the old one first" in advice
    cli("usage", "void", use_id, "--reason", "Wrong quantity")
    # The refusal said voiding frees the ref; once voided, the corrected use is recorded.
    fixed = cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-01", "--ref", "BK-9")
    assert len(fixed.stdout.split()) == 1
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 3
    assert_db_ok(cli)
