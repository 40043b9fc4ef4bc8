"""Allocations and delegates through the command line: the seed's family example (five reduced
admissions split 2+1+1+1, a sixth refused), cards of an exclusive group, delegation."""

from __future__ import annotations

from conftest import refused, rows

# -- the seed's family example -----------------------------------------------------------------


def test_family_plan_splits_five_reduced_admissions_and_refuses_a_sixth(cli, db):
    cli("type", "add", "REDUCED", "--name", "Reduced admission", "--unit", "count",
        "--category", "admissions", "--value", "9.00")
    cli("plan", "add", "FAMILY", "--name", "Family", "--term", "12", "--grace", "30")
    cli("plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "5", "--begin", "2026-01-01")
    cli("contact", "add", "José Álvarez", "--ref", "OWNER")
    for ref in ("CARMEN", "LUCIA", "MATEO", "ABUELA"):
        cli("contact", "add", ref.title(), "--ref", ref)
    cli("membership", "add", "OWNER", "FAMILY", "--start", "2026-03-01")

    [level] = rows(cli, "level", "list", "--contact", "OWNER")
    assert (level["type"], level["quantity"], level["source"]) == ("REDUCED", 5, "plan")

    cli("allocate", level["id"], "OWNER", "--number", "2")
    for ref in ("CARMEN", "LUCIA", "MATEO"):
        cli("allocate", level["id"], ref, "--number", "1")

    allocations = rows(cli, "allocation", "list", "--level", level["id"])
    assert sorted((a["contact_ref"], a["number"]) for a in allocations) == [
        ("CARMEN", 1), ("LUCIA", 1), ("MATEO", 1), ("OWNER", 2)]
    [level] = rows(cli, "level", "list", "--contact", "OWNER")
    assert (level["quantity"], level["allocated_out"], level["remaining"]) == (5, 3, 0)

    line = refused(cli, db, "allocate", level["id"], "ABUELA", "--number", "1")
    assert "0 remain unallocated" in line
    assert "REDUCED" in line and f"level {level['id']}" in line


# -- cards of an exclusive group ---------------------------------------------------------------


def test_a_card_of_an_exclusive_group_ends_the_contacts_earlier_card(cli, db):
    for code, name in (("MEMBERCARD", "Member card"), ("GOLDCARD", "Gold card")):
        cli("type", "add", code, "--name", name, "--unit", "count", "--category", "cards",
            "--kind", "card", "--group", "CARD")
    cli("contact", "add", "Owner", "--ref", "O")
    cli("contact", "add", "Ann", "--ref", "A")
    cli("level", "add", "O", "MEMBERCARD", "--quantity", "2", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [member_level] = rows(cli, "level", "list", "--type", "MEMBERCARD")
    cli("level", "add", "O", "GOLDCARD", "--quantity", "1", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [gold_level] = rows(cli, "level", "list", "--type", "GOLDCARD")

    cli("allocate", member_level["id"], "A", "--start", "2026-01-01")
    cli("allocate", member_level["id"], "O", "--start", "2026-01-01")  # another contact's card
    cli("allocate", gold_level["id"], "A", "--start", "2026-05-01")

    listed = {(a["contact_ref"], a["type"]): a for a in rows(cli, "allocation", "list")}
    assert len(listed) == 3
    earlier = listed[("A", "MEMBERCARD")]
    assert (earlier["status"], earlier["starts_on"], earlier["stops_on"]) == (
        "ended", "2026-01-01", "2026-04-30")
    newer = listed[("A", "GOLDCARD")]
    assert (newer["status"], newer["starts_on"]) == ("offered", "2026-05-01")
    assert listed[("O", "MEMBERCARD")]["status"] == "offered"
    assert rows(cli, "allocation", "list", "--contact", "A") == [earlier, newer]

    line = refused(cli, db, "type", "delete", "GOLDCARD")
    assert "GOLDCARD" in line and "retire" in line


# -- delegates ---------------------------------------------------------------------------------


def test_a_second_delegation_after_removal_and_a_second_removal(cli, family_world):
    cli("delegate", "remove", "1", "C")
    line = refused(cli, family_world, "delegate", "remove", "1", "C")
    assert '"C"' in line
    cli("delegate", "add", "1", "C")
