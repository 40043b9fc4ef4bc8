"""``report allocations``: the counts, and with ``--list`` the rows behind them, each with its
status and money in currency units."""

from __future__ import annotations

from conftest import csv_rows, report, rows


def test_allocations_report_counts_and_lists_the_rows_behind_the_numbers(cli, report_world):
    assert report(cli, "allocations") == [
        {"type": "GUEST", "allocations": 1, "number_allocated": 1, "contacts": 1}]
    [row] = report(cli, "allocations", "--list")
    assert (row["type"], row["owner_ref"], row["contact_ref"], row["number"], row["used"],
            row["comment"]) == ("GUEST", "ANN", "BOB", 1, 1, "for Bob")
    assert report(cli, "allocations", "--type", "ROOM") == []


def test_allocation_list_shows_each_status_and_money_in_currency_units(cli, db):
    cli("type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money", "--category", "shop")
    cli("contact", "add", "Ann Owner", "--ref", "ANN")
    for ref in ("B1", "B2", "B3", "B4"):
        cli("contact", "add", f"Kid {ref}", "--ref", ref)
    cli("level", "add", "ANN", "CREDIT", "--quantity", "100.00", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    [level] = rows(cli, "level", "list", "--contact", "ANN")
    for ref in ("B1", "B2", "B3", "B4"):
        cli("allocate", level["id"], ref, "--number", "12.50")
    ids = {a["contact_ref"]: a["id"] for a in rows(cli, "allocation", "list")}
    cli("allocation", "accept", ids["B2"], "--on", "2026-02-01")
    cli("allocation", "decline", ids["B3"], "--on", "2026-02-01")
    cli("allocation", "accept", ids["B4"], "--on", "2026-02-01")
    cli("use", "B4", "CREDIT", "--quantity", "2.25", "--on", "2026-02-02")
    cli("allocation", "end", ids["B4"], "--on", "2026-03-01")

    listed = {r["contact_ref"]: r for r in report(cli, "allocations", "--list")}
    assert {ref: r["status"] for ref, r in listed.items()} == {
        "B1": "offered", "B2": "accepted", "B3": "declined", "B4": "ended"}
    assert (listed["B4"]["number"], listed["B4"]["used"]) == (12.5, 2.25)
    assert listed["B1"]["owner_ref"] == "ANN" and listed["B1"]["type"] == "CREDIT"
    text = cli("report", "allocations", "--list", "-f", "csv").stdout
    b4 = next(line for line in csv_rows(text) if "B4" in line)
    assert b4[5:7] == ["12.50", "2.25"]
