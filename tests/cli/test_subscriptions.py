"""``subscription fulfil / deliveries / optout / optin`` and subscriptions in ``run
scheduled`` (SPEC §1 "Subscriptions", §2 ``subscription``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, refused, rows, snapshot

MAILING = ["contact_ref", "name", "email", "type", "issue_date"]


@pytest.fixture
def magazine(cli: Cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MAG, a magazine out on the 15th of every month; plan P (12 months, 30 days' grace)
    gives it; Ann (with an email) holds P from 2026-01-01. Today is 2026-03-20."""
    monkeypatch.setenv("BENEFIT_TODAY", "2026-03-20")
    cli("type", "add", "MAG", "--name", "Magazine", "--unit", "count", "--category", "pubs",
        "--kind", "subscription", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=15")  # fmt: skip
    cli("plan", "add", "P", "--name", "Plan", "--term", "12", "--grace", "30")
    cli("plan", "benefit", "add", "P", "MAG", "--quantity", "1", "--begin", "2020-01-01")
    cli("contact", "add", "Ann", "--ref", "A", "--email", "ann@example.org")
    cli("contact", "add", "Bob", "--ref", "B")
    cli("membership", "add", "A", "P", "--start", "2026-01-01")
    return db


def mailing(cli: Cli, *args: str, code: int = 0) -> list[dict[str, str]]:
    """The mailing list a fulfilment prints (CSV), checked for its columns."""
    out = cli("subscription", "fulfil", *args, code=code).stdout
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == MAILING
    return list(reader)


def issues(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(row["contact_ref"], row["issue_date"]) for row in found]


def test_every_issue_up_to_the_date_goes_to_every_member_once(cli, magazine):
    first = mailing(cli, "MAG", "--through", "2026-03-20")
    assert first == [
        {"contact_ref": "A", "name": "Ann", "email": "ann@example.org", "type": "MAG", "issue_date": day}
        for day in ("2026-01-15", "2026-02-15", "2026-03-15")
    ]
    assert mailing(cli, "MAG", "--through", "2026-03-20") == []  # the header only: nothing twice
    assert rows(cli, "subscription", "deliveries") == [
        {"contact_ref": "A", "type": "MAG", "issue_date": day, "delivered_on": "2026-03-20"}
        for day in ("2026-01-15", "2026-02-15", "2026-03-15")
    ]


def test_a_member_entered_late_gets_the_back_issues_on_the_next_run(cli, magazine):
    mailing(cli, "MAG", "--through", "2026-03-20")
    # Personify's January issue: Bob's membership from January was entered in March
    cli("membership", "add", "B", "P", "--start", "2026-01-10")
    assert issues(mailing(cli, "MAG", "--through", "2026-03-20")) == [
        ("B", "2026-01-15"), ("B", "2026-02-15"), ("B", "2026-03-15"),
    ]  # fmt: skip


def test_the_mailing_list_goes_issue_by_issue_and_by_contact_within_each(cli, magazine):
    cli("contact", "add", "Abe", "--ref", "0A")  # entered last, listed first
    cli("membership", "add", "B", "P", "--start", "2026-01-10")
    cli("membership", "add", "0A", "P", "--start", "2026-02-01")
    assert issues(mailing(cli, "MAG", "--through", "2026-03-20")) == [
        ("A", "2026-01-15"), ("B", "2026-01-15"),
        ("0A", "2026-02-15"), ("A", "2026-02-15"), ("B", "2026-02-15"),
        ("0A", "2026-03-15"), ("A", "2026-03-15"), ("B", "2026-03-15"),
    ]  # fmt: skip


def test_the_mailing_list_is_written_to_a_file_and_an_empty_one_has_its_header(cli, magazine, tmp_path):
    path = tmp_path / "mailing.csv"
    cli("subscription", "fulfil", "MAG", "--through", "2026-02-28", "-o", path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        ",".join(MAILING), "A,Ann,ann@example.org,MAG,2026-01-15", "A,Ann,ann@example.org,MAG,2026-02-15",
    ]  # fmt: skip
    result = cli("subscription", "fulfil", "MAG", "--through", "2026-02-28", "-o", path)
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(MAILING)]
    assert "Delivered 0 issue(s) of MAG through 2026-02-28." in result.stderr


def test_an_issue_between_the_end_and_the_grace_end_is_delivered_and_none_after(cli, magazine):
    # A's membership ends 2026-12-31; its grace runs to 2027-01-30
    found = issues(mailing(cli, "MAG", "--through", "2027-03-31"))
    assert ("A", "2026-12-15") in found and ("A", "2027-01-15") in found
    assert ("A", "2027-02-15") not in found


def test_a_cancelled_membership_gets_no_issue_after_its_last_day(cli, magazine):
    cli("membership", "cancel", "1", "--on", "2026-02-10")
    assert issues(mailing(cli, "MAG", "--through", "2026-06-30")) == [("A", "2026-01-15")]


def test_an_opted_out_member_gets_nothing_back_issues_included_until_they_opt_in(cli, magazine):
    cli("membership", "add", "B", "P", "--start", "2026-01-10")
    said = cli("subscription", "optout", "B", "MAG").stderr
    assert said == '"B" (Bob) receives no more MAG from 2026-03-20.\n'
    again = cli("subscription", "optout", "B", "MAG").stderr
    assert again == '"B" (Bob) was already opted out of MAG (since 2026-03-20).\n'
    assert issues(mailing(cli, "MAG", "--through", "2026-04-30")) == [
        ("A", "2026-01-15"), ("A", "2026-02-15"), ("A", "2026-03-15"), ("A", "2026-04-15"),
    ]  # fmt: skip
    cli("subscription", "optin", "B", "MAG")  # still 2026-03-20: April's issue is after it
    assert issues(mailing(cli, "MAG", "--through", "2026-05-31")) == [
        ("B", "2026-04-15"), ("A", "2026-05-15"), ("B", "2026-05-15"),
    ]  # fmt: skip
    said = cli("subscription", "optin", "B", "MAG").stderr
    assert said == '"B" (Bob) was not opted out of MAG; nothing changed.\n'


def test_an_opted_out_member_is_not_renewed_into_it_and_an_opt_in_restores_it_at_the_next(
    cli, magazine, monkeypatch
):
    cli("type", "add", "ROOM", "--name", "Room", "--unit", "minutes", "--category", "rooms")
    cli("plan", "benefit", "add", "P", "ROOM", "--quantity", "60", "--begin", "2020-01-01")
    cli("membership", "add", "B", "P", "--start", "2025-01-01")  # ROOM and MAG from the start
    cli("subscription", "optout", "A", "MAG")
    cli("run", "renew", "--as-of", "2026-12-31")  # A's and B's memberships renew
    renewal = [m for m in rows(cli, "membership", "list", "--contact", "A") if m["renewed_from"]][0]
    assert [lv["type"] for lv in rows(cli, "level", "list", "--contact", "A")
            if lv["membership_id"] == renewal["id"]] == ["ROOM"]  # fmt: skip
    cli("subscription", "optin", "A", "MAG")
    monkeypatch.setenv("BENEFIT_TODAY", "2027-12-20")
    cli("run", "renew", "--as-of", "2027-12-31")
    memberships = rows(cli, "membership", "list", "--contact", "A")
    latest = [m for m in memberships if m["renewed_from"] == renewal["id"]]
    assert sorted(lv["type"] for lv in rows(cli, "level", "list", "--contact", "A")
                  if lv["membership_id"] == latest[0]["id"]) == ["MAG", "ROOM"]  # fmt: skip


def test_a_rule_added_after_a_membership_began_reaches_the_member_only_at_renewal(cli, db, monkeypatch):
    monkeypatch.setenv("BENEFIT_TODAY", "2026-06-01")
    cli("type", "add", "MAG", "--name", "Magazine", "--unit", "count", "--category", "pubs",
        "--kind", "subscription", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=1")  # fmt: skip
    cli("plan", "add", "P", "--name", "Plan", "--term", "6")
    cli("contact", "add", "Ann", "--ref", "A")
    cli("membership", "add", "A", "P", "--start", "2026-01-01")
    cli("plan", "benefit", "add", "P", "MAG", "--quantity", "1", "--begin", "2026-01-01")
    assert mailing(cli, "MAG", "--through", "2026-06-30") == []
    cli("run", "renew", "--as-of", "2026-06-30")
    found = issues(mailing(cli, "MAG", "--through", "2026-08-01"))
    assert found == [("A", "2026-07-01"), ("A", "2026-08-01")]


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("FREQ=MONTHLY;BYMONTHDAY=15", ["2026-01-15", "2026-02-15"]),
        ("FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=1", ["2026-03-01"]),
        ("DTSTART:20251105\nRRULE:FREQ=WEEKLY;INTERVAL=4", ["2026-01-28", "2026-02-25"]),
        ("DTSTART;TZID=Europe/Paris:20260101T233000\nRRULE:FREQ=MONTHLY;INTERVAL=2",
         ["2026-01-01", "2026-03-01"]),
    ],
)
def test_the_schedule_dates_the_issues_with_or_without_a_dtstart(cli, magazine, schedule, expected):
    cli("type", "update", "MAG", "--schedule", schedule)
    assert [day for _, day in issues(mailing(cli, "MAG", "--through", "2026-03-10"))] == expected


def test_a_schedule_changed_later_dates_the_issues_to_come_never_the_past_ones_again(cli, magazine):
    mailing(cli, "MAG", "--through", "2026-03-20")
    cli("type", "update", "MAG", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=1")
    found = issues(mailing(cli, "MAG", "--through", "2026-05-10"))
    assert found == [("A", "2026-04-01"), ("A", "2026-05-01")]
    cli("membership", "add", "B", "P", "--start", "2026-01-01")  # late: owed the past issues as they were
    assert [day for _, day in issues(mailing(cli, "MAG", "--through", "2026-05-10"))] == [
        "2026-01-15", "2026-02-15", "2026-03-15", "2026-04-01", "2026-05-01",
    ]  # fmt: skip


def test_a_dry_run_shows_the_list_and_records_and_writes_nothing(cli, magazine, tmp_path):
    before = snapshot(magazine)
    path = tmp_path / "mailing.csv"
    result = cli("subscription", "fulfil", "MAG", "--through", "2026-03-20", "--dry-run", "-o", path,
                 "-f", "json")
    assert [(r["contact_ref"], r["issue_date"]) for r in result.json()] == [
        ("A", "2026-01-15"), ("A", "2026-02-15"), ("A", "2026-03-15"),
    ]  # fmt: skip
    assert result.stderr == f"Dry run: would deliver 3 issue(s); nothing recorded; {path} not written.\n"
    assert snapshot(magazine) == before and not path.exists()
    assert len(mailing(cli, "MAG", "--through", "2026-03-20")) == 3  # the real run then does it


def test_run_scheduled_delivers_after_renewing_and_a_dry_run_lists_the_deliveries(cli, magazine):
    dry = rows(cli, "run", "scheduled", "--as-of", "2026-03-20", "--dry-run")
    assert [(r["action"], r["contact_ref"], r["type"], r["date"], r["membership_id"]) for r in dry] == [
        ("deliver", "A", "MAG", day, 1) for day in ("2026-01-15", "2026-02-15", "2026-03-15")
    ]
    result = cli("run", "scheduled", "--as-of", "2026-03-20")
    assert "delivered 3 subscription issue(s)" in result.stderr
    assert len(rows(cli, "subscription", "deliveries", "--contact", "A", "--type", "MAG")) == 3
    # with nothing left to deliver, a dry run lists no delivery (not those made before)
    again = rows(cli, "run", "scheduled", "--as-of", "2026-03-20", "--dry-run")
    assert [r for r in again if r["action"] == "deliver"] == []
    assert "delivered 0 subscription issue(s)" in cli("run", "scheduled", "--as-of", "2026-03-20").stderr


def test_run_scheduled_asks_a_person_to_schedule_a_subscription_without_one(cli, magazine):
    cli("type", "add", "NEWS", "--name", "Newsletter", "--unit", "count", "--category", "pubs",
        "--kind", "subscription")  # fmt: skip
    result = cli("run", "scheduled", "--as-of", "2026-03-20", code=1)
    assert 'Subscription "NEWS" has no issue schedule, so nothing was delivered' in result.stderr
    assert "delivered 3 subscription issue(s)" in result.stderr  # the others still went out


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["fulfil", "NOPE", "--through", "2026-03-20"], 1, 'Error: No benefit type "NOPE"'),
        (["fulfil", "ROOM", "--through", "2026-03-20"], 1,
         'Error: "ROOM" is a standard benefit, not a subscription; only a subscription has issues.'),
        (["fulfil", "NEWS", "--through", "2026-03-20"], 1,
         'Error: Subscription "NEWS" has no issue schedule. Give it one with: benefit type update NEWS'
         ' --schedule "FREQ=MONTHLY;BYMONTHDAY=1".'),
        (["fulfil", "MAG", "--through", "2026-02-30"], 2, "Error: --through"),
        (["optout", "A", "ROOM"], 1, 'Error: "ROOM" is a standard benefit, not a subscription'),
        (["optout", "NOBODY", "MAG"], 1, 'Error: No contact "NOBODY"'),
        (["optin", "A", "NOPE"], 1, 'Error: No benefit type "NOPE"'),
    ],
)
def test_every_refusal_is_one_line_and_changes_nothing(cli, magazine, args, code, error):
    cli("type", "add", "ROOM", "--name", "Room", "--unit", "minutes", "--category", "rooms")
    cli("type", "add", "NEWS", "--name", "Newsletter", "--unit", "count", "--category", "pubs",
        "--kind", "subscription")  # fmt: skip
    assert refused(cli, magazine, "subscription", *args, code=code).startswith(error)


def test_a_schedule_that_repeats_within_a_day_is_refused(cli, magazine):
    line = refused(cli, magazine, "type", "update", "MAG", "--schedule", "FREQ=HOURLY", code=2)
    assert line == ('Error: --schedule "FREQ=HOURLY" repeats within a day; an issue is dated,'
                    " e.g. FREQ=DAILY or FREQ=WEEKLY.")
