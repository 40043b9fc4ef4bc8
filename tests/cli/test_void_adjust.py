"""Corrections end to end: ``usage void`` restores exactly what a use drew (never from an
expired level, never a void or an adjust), ``adjust`` moves a balance but never below zero,
and both need a reason."""

from __future__ import annotations

from conftest import add_type, assert_db_ok, balance, manual_level, one_balance, usage


def test_a_void_restores_exactly_the_voided_quantity(cli, guest):
    before = balance(cli, "C1", "--on", "2026-05-01", "--all")
    [use_id] = cli("use", "C1", "GUEST", "--quantity", "3", "--on", "2026-04-20").stdout.split()
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 2

    result = cli("usage", "void", use_id, "--reason", "Booked twice")
    void_id = int(result.stdout)
    assert f"Voided entry {use_id}: 3 returned to level {guest}." in result.stderr
    assert balance(cli, "C1", "--on", "2026-05-01", "--all") == before
    kinds = [(e["entry_id"], e["kind"]) for e in usage(cli, "--contact", "C1")]
    assert kinds == [(int(use_id), "use"), (void_id, "void")]

    twice = cli("usage", "void", use_id, "--reason", "again", code=1)
    assert twice.error_lines == [f"Error: Entry {use_id} was already voided by entry {void_id}."]
    of_void = cli("usage", "void", void_id, "--reason", "undo", code=1)
    assert of_void.error_lines == [
        f"Error: Entry {void_id} is itself a void (of entry {use_id}); a void cannot be voided."
        " Record the use again instead."
    ]
    assert len(usage(cli)) == 2
    assert balance(cli, "C1", "--on", "2026-05-01", "--all") == before
    assert_db_ok(cli)


def test_a_void_of_one_part_of_a_spanning_use_restores_only_that_part(cli, guest):
    other = manual_level(cli, "C1", "GUEST", "1", "2026-01-01", "2026-06-30")
    ids = cli("use", "C1", "GUEST", "--quantity", "3", "--on", "2026-04-20").stdout.split()
    assert len(ids) == 2
    result = cli("usage", "void", ids[0], "--reason", "Only the first part")
    assert f"Voided entry {ids[0]}: 1 returned to level {other}." in result.stderr
    assert f"The same use also drew entries {ids[1]}" in result.stderr
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 4
    assert_db_ok(cli)


def test_a_use_of_a_level_that_expired_cannot_be_voided(cli, db, monkeypatch):
    add_type(cli, "GUEST")
    cli("contact", "add", "Hal", "--ref", "C9")
    old = manual_level(cli, "C9", "GUEST", "2", "2026-01-01", "2026-01-31")
    [use_id] = cli("use", "C9", "GUEST", "--on", "2026-01-10").stdout.split()
    monkeypatch.setenv("BENEFIT_TODAY", "2026-02-15")
    refused = cli("usage", "void", use_id, "--reason", "late", code=1)
    assert refused.error_lines == [
        f"Error: Entry {use_id} drew from level {old}, which expired on 2026-01-31; an expired"
        " balance cannot be restored. Grant a new level with: benefit level add."
    ]
    assert [e["kind"] for e in usage(cli)] == ["use"]
    assert_db_ok(cli)


def test_only_uses_can_be_voided(cli, guest):
    adjust_id = cli("adjust", "C1", "GUEST", "--by", "+1", "--reason", "Gift", "--on",
                    "2026-05-01").stdout.strip()
    refused = cli("usage", "void", adjust_id, "--reason", "no", code=1)
    assert refused.error_lines == [
        f"Error: Entry {adjust_id} is an adjust, not a use; only uses can be voided. Correct it"
        " with: benefit adjust."
    ]
    missing = cli("usage", "void", "999", "--reason", "no", code=1)
    assert len(missing.error_lines) == 1 and "999" in missing.error_lines[0]
    assert len(usage(cli)) == 1
    assert_db_ok(cli)


def test_adjust_moves_the_balance_and_never_below_zero(cli, guest):
    cli("use", "C1", "GUEST", "--quantity", "2", "--on", "2026-04-01")
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 3

    refused = cli("adjust", "C1", "GUEST", "--by", "-4", "--reason", "Too much", "--on",
                  "2026-05-01", code=1)
    assert refused.error_lines == [
        f"Error: Cannot take 4 from level {guest}: only 3 remain and a balance never goes below"
        " zero."
    ]
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 3

    result = cli("adjust", "C1", "GUEST", "--by", "+4", "--reason", "Apology", "--on",
                 "2026-05-01")
    assert f"Adjusted level {guest} by +4; 7 left there." in result.stderr
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 7
    cli("adjust", "C1", "GUEST", "--by", "-7", "--reason", "Closed", "--on", "2026-05-01")
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 0
    cli("use", "C1", "GUEST", "--on", "2026-05-02", code=1)

    entries = usage(cli, "--kind", "adjust")
    assert [(e["quantity"], e["description"]) for e in entries] == [(4, "Apology"),
                                                                      (-7, "Closed")]
    assert_db_ok(cli)


def test_adjust_needs_a_reason(cli, guest):
    missing = cli("adjust", "C1", "GUEST", "--by", "+1", "--on", "2026-05-01", code=2)
    assert "--reason" in missing.stderr
    blank = cli("adjust", "C1", "GUEST", "--by", "+1", "--reason", "  ", "--on", "2026-05-01",
                code=1)
    assert blank.error_lines == ["Error: Give a --reason: every correction says why."]
    void_blank = cli("usage", "void", "1", "--reason", "", code=1)
    assert void_blank.error_lines == ["Error: Give a --reason: every correction says why."]
    assert usage(cli) == []
    assert one_balance(cli, "C1", "GUEST", "2026-05-01")["remaining"] == 5
