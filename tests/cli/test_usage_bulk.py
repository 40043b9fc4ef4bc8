"""``benefit usage bulk`` end to end (issue 4): the same use for many contacts, all or nothing.

The world, built once with the CLI and copied for every test: PASS (count) and CREDIT
(money); GOLD gives 2 PASS and 5.00 CREDIT per term from 2026-01-01, SILVER 1 PASS.
A and B hold GOLD from 2026-01-01, C holds GOLD only from 2026-05-01, D holds SILVER,
E has nothing.

| contact | joined     | membership            |
|---------|------------|-----------------------|
| A       | 2025-01-10 | GOLD from 2026-01-01  |
| B       | 2025-06-01 | GOLD from 2026-01-01  |
| C       | 2026-02-01 | GOLD from 2026-05-01  |
| D       | 2026-02-15 | SILVER from 2026-01-01|
| E       | 2026-03-01 | none                  |
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, Result, copy_db, loads, run_on, snapshot, used

ON = "2026-03-02"


@pytest.fixture(scope="module")
def bulk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "world.db"
    run_on(path, "db", "init")
    run_on(path, "type", "add", "PASS", "--name", "Lecture pass", "--unit", "count",
           "--category", "events")
    run_on(path, "type", "add", "CREDIT", "--name", "Cafe credit", "--unit", "money",
           "--category", "shop")
    run_on(path, "plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    run_on(path, "plan", "add", "SILVER", "--name", "Silver", "--term", "12")
    run_on(path, "plan", "benefit", "add", "GOLD", "PASS", "--quantity", "2", "--begin",
           "2026-01-01")
    run_on(path, "plan", "benefit", "add", "GOLD", "CREDIT", "--quantity", "5.00", "--begin",
           "2026-01-01")
    run_on(path, "plan", "benefit", "add", "SILVER", "PASS", "--quantity", "1", "--begin",
           "2026-01-01")
    for ref, joined in (("A", "2025-01-10"), ("B", "2025-06-01"), ("C", "2026-02-01"),
                        ("D", "2026-02-15"), ("E", "2026-03-01")):
        run_on(path, "contact", "add", f"Member {ref}", "--ref", ref, "--joined", joined)
    run_on(path, "membership", "add", "A", "GOLD", "--start", "2026-01-01")
    run_on(path, "membership", "add", "B", "GOLD", "--start", "2026-01-01")
    run_on(path, "membership", "add", "C", "GOLD", "--start", "2026-05-01")
    run_on(path, "membership", "add", "D", "SILVER", "--start", "2026-01-01")
    return path


@pytest.fixture
def bulk_world(bulk_template: Path, isolated_db: Path) -> Path:
    copy_db(bulk_template, isolated_db)
    return isolated_db


def bulk(cli: Cli, *args: str, code: int = 0) -> Result:
    return cli("usage", "bulk", *args, "-f", "json", code=code)


def per_contact(result: Result) -> dict[str, tuple[Any, Any]]:
    return {row["contact_ref"]: (row["quantity"], row["remaining"]) for row in loads(result.stdout)}


def refused(cli: Cli, bulk_world: Path, *args: str, code: int | None = 1) -> Result:
    """Run a bulk command that must be refused; check nothing changed."""
    before = snapshot(bulk_world)
    result = cli("usage", "bulk", *args, code=code)
    assert len(result.error_lines) == 1, result.stderr
    assert result.stdout == ""
    assert snapshot(bulk_world) == before
    return result


# -- choosing the contacts ------------------------------------------------------------------


def test_contacts_list_records_one_use_each_and_prints_rows_and_a_total(cli, bulk_world):
    result = bulk(cli, "pass", "--contacts", "A, B", "--on", ON, "--description",
                  "Spring lecture")
    rows = loads(result.stdout)
    assert [(r["contact_ref"], r["type"], r["quantity"], r["remaining"]) for r in rows] == [
        ("A", "PASS", 1, 1), ("B", "PASS", 1, 1)]
    assert all(r["drawn_from"].startswith("level ") and r["entries"] for r in rows)
    assert "Recorded 2 uses, 2 in all." in result.stderr
    assert used(cli) == [("A", "PASS", 1, ON, "Spring lecture"),
                         ("B", "PASS", 1, ON, "Spring lecture")]
    entry_ids = {int(e) for r in rows for e in r["entries"].split()}
    listed = loads(cli("usage", "list", "-f", "json").stdout)
    assert {e["entry_id"] for e in listed} == entry_ids


def test_money_bulk_total_is_exact(cli, bulk_world):
    result = bulk(cli, "CREDIT", "--contacts", "A,B", "--quantity", "0.10", "--on", ON)
    assert per_contact(result) == {"A": (Decimal("0.10"), Decimal("4.90")),
                                   "B": (Decimal("0.10"), Decimal("4.90"))}
    assert "Recorded 2 uses, 0.20 in all." in result.stderr


def test_a_contact_named_twice_uses_once(cli, bulk_world):
    result = bulk(cli, "PASS", "--contacts", "A,B,A", "--on", ON)
    assert per_contact(result) == {"A": (1, 1), "B": (1, 1)}
    assert len(used(cli)) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("A\nD\n\n", ["A", "D"], id="one ref per line"),
        pytest.param("A\r\n  B  \r\nD\r\n", ["A", "B", "D"], id="CRLF and spaces"),
        pytest.param("contact,name\nA,Member A\nD,Member D\n", ["A", "D"], id="CSV with contact"),
        pytest.param("\ufeffName;Contact\nMember B;B\nMember D;D\n", ["B", "D"],
                     id="CSV with BOM, semicolons, contact second"),
    ],
)
def test_contacts_file(cli, bulk_world, tmp_path, content, expected):
    path = tmp_path / "contacts.txt"
    path.write_bytes(content.encode("utf-8"))
    result = bulk(cli, "PASS", "--contacts-file", str(path), "--on", ON)
    assert sorted(per_contact(result)) == expected
    assert sorted(u[0] for u in used(cli)) == expected


@pytest.mark.parametrize(
    ("plan", "on", "expected"),
    [
        pytest.param("GOLD", ON, ["A", "B"], id="C not started yet"),
        pytest.param("gold", "2026-06-01", ["A", "B", "C"], id="C started"),
        pytest.param("SILVER", ON, ["D"], id="other plan"),
    ],
)
def test_plan_picks_only_members_active_on_the_date(cli, bulk_world, plan, on, expected):
    result = bulk(cli, "PASS", "--plan", plan, "--on", on)
    assert sorted(per_contact(result)) == expected
    assert sorted(u[0] for u in used(cli)) == expected
    assert {u[3] for u in used(cli)} == {on}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        pytest.param(("--joined-from", "2025-01-01", "--joined-to", "2025-12-31"), ["A", "B"],
                     id="2025"),
        pytest.param(("--joined-from", "2025-06-01", "--joined-to", "2025-06-01"), ["B"],
                     id="bounds included"),
        pytest.param(("--joined-to", "2025-03-01"), ["A"], id="only --joined-to"),
    ],
)
def test_joined_window_picks_contacts_who_joined_in_it(cli, bulk_world, window, expected):
    result = bulk(cli, "PASS", *window, "--on", ON)
    assert sorted(per_contact(result)) == expected


# -- all or nothing -------------------------------------------------------------------------


def test_one_contact_without_balance_writes_nothing_and_is_named(cli, bulk_world):
    result = refused(cli, bulk_world, "PASS", "--contacts", "A,E,B", "--on", ON)
    named = [line for line in result.stderr.splitlines() if '"E"' in line]
    assert len(named) == 1 and "Cannot use 1 of PASS" in named[0], result.stderr
    assert not any('"A"' in line or '"B"' in line for line in result.stderr.splitlines())
    assert result.error_lines == [
        "Error: 1 contact has a problem, so nothing was recorded; fix it and try again."]
    assert used(cli) == []


def test_a_contact_whose_balance_is_used_up_stops_the_whole_bulk(cli, bulk_world):
    cli("use", "D", "PASS", "--on", ON)
    before = used(cli)
    result = refused(cli, bulk_world, "PASS", "--joined-from", "2026-01-01", "--on", "2026-06-01")
    text = result.stderr
    assert '"D"' in text and '"E"' in text and '"C"' not in text
    assert "2 contacts have problems" in result.error_lines[0]
    assert used(cli) == before


def test_a_plan_member_without_enough_is_named(cli, bulk_world):
    result = refused(cli, bulk_world, "PASS", "--plan", "GOLD", "--on", ON, "--quantity", "3")
    assert '"A"' in result.stderr and '"B"' in result.stderr
    assert "only 2 remain" in result.stderr


@pytest.mark.parametrize(
    "selection",
    [
        pytest.param((), id="none"),
        pytest.param(("--contacts", "A", "--plan", "GOLD"), id="contacts and plan"),
        pytest.param(("--plan", "GOLD", "--joined-from", "2025-01-01"), id="plan and joined"),
        pytest.param(("--contacts", "A", "--contacts-file", "x.txt"), id="contacts and file"),
    ],
)
def test_two_ways_of_choosing_or_none_is_a_usage_error(cli, bulk_world, selection):
    result = refused(cli, bulk_world, "PASS", *selection, "--on", ON, code=2)
    assert "Choose the contacts one way" in result.error_lines[0]


def test_unknown_plan_is_refused(cli, bulk_world):
    result = refused(cli, bulk_world, "PASS", "--plan", "BRONZE", "--on", ON)
    assert 'No plan "BRONZE"' in result.error_lines[0]


def test_unknown_contact_is_refused_and_named(cli, bulk_world):
    result = refused(cli, bulk_world, "PASS", "--contacts", "A,ZED", "--on", ON)
    assert 'No contact "ZED"' in result.stderr


def test_unknown_type_is_refused(cli, bulk_world):
    result = refused(cli, bulk_world, "NOPE", "--contacts", "A", "--on", ON)
    assert "NOPE" in result.error_lines[0]


def test_missing_contacts_file_is_refused(cli, bulk_world, tmp_path):
    result = refused(cli, bulk_world, "PASS", "--contacts-file", str(tmp_path / "missing.txt"),
                     "--on", ON)
    assert "missing.txt" in result.error_lines[0]


def test_nobody_chosen_is_refused(cli, bulk_world):
    result = refused(cli, bulk_world, "PASS", "--plan", "SILVER", "--on", "2025-06-01")
    assert "No contacts were chosen" in result.error_lines[0]


def test_bad_quantity_is_refused(cli, bulk_world):
    result = refused(cli, bulk_world, "CREDIT", "--contacts", "A", "--quantity", "0.125", "--on", ON,
                     code=2)
    assert "0.125" in result.error_lines[0]


def test_db_check_passes_after_bulk(cli, bulk_world):
    bulk(cli, "PASS", "--plan", "GOLD", "--on", ON)
    bulk(cli, "CREDIT", "--plan", "GOLD", "--on", ON, "--quantity", "5.00")
    refused(cli, bulk_world, "CREDIT", "--plan", "GOLD", "--on", ON, "--quantity", "0.01")
    out = cli("db", "check")
    assert "no problems found" in out.stdout + out.stderr
