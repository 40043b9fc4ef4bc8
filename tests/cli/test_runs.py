"""``run renew``, ``run expire``, ``run scheduled`` and ``membership renew`` (SPEC §1
"Renewals", "Expiry and rollover", "Runs are safe under cron")."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, rows

TODAY = "2027-02-15"


def setup_plan(
    cli: Cli,
    *,
    term: int = 12,
    per: str = "month",
    quantity: str = "300",
    rollover: tuple[str, str] | None = None,
) -> None:
    cli("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "rooms")
    cli("plan", "add", "BIZ", "--name", "Business", "--term", str(term))
    extra = ["--rollover-percent", rollover[0], "--rollover-max", rollover[1]] if rollover else []
    cli(
        "plan",
        "benefit",
        "add",
        "BIZ",
        "ROOM",
        "--quantity",
        quantity,
        "--per",
        per,
        "--begin",
        "2020-01-01",
        *extra,
    )


def memberships(cli: Cli) -> list[dict[str, Any]]:
    return rows(cli, "membership", "list")


def entries(db: Path, kind: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT level_id, allocation_id, entry_on, quantity FROM entries WHERE kind = ? ORDER BY id",
            (kind,),
        ).fetchall()
    finally:
        conn.close()


def file_hash(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    return hashlib.sha256(dump.encode()).hexdigest()


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BENEFIT_TODAY", TODAY)
    return TODAY


# -- renewals ------------------------------------------------------------------------------------


def test_a_membership_renews_the_day_after_it_ends_with_the_rules_in_force_then(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    # changed mid-term: the member gets 400 only from the renewal (Personify's rule)
    cli(
        "plan",
        "benefit",
        "add",
        "BIZ",
        "ROOM",
        "--quantity",
        "400",
        "--per",
        "month",
        "--begin",
        "2026-06-01",
    )
    result = cli("run", "renew", "--as-of", "2027-01-20")
    assert "renewed 1 membership(s) (12 level(s) granted)" in result.stderr
    first, renewal = memberships(cli)
    assert (renewal["start_on"], renewal["end_on"], renewal["renewed_from"]) == (
        "2027-01-31",
        "2028-01-30",
        1,
    )
    levels = rows(cli, "level", "list", "--type", "ROOM")
    old = [lv for lv in levels if lv["membership_id"] == 1]
    new = [lv for lv in levels if lv["membership_id"] == renewal["id"]]
    assert {lv["quantity"] for lv in old} == {300} and {lv["quantity"] for lv in new} == {400}
    # month ends keep the 31st anchor where the month has one
    assert [lv["starts_on"] for lv in new][:4] == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    assert first["renewed_from"] is None


def test_renewing_twice_renews_nothing_twice(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("run", "renew", "--as-of", "2026-12-15")
    again = cli("run", "renew", "--as-of", "2026-12-15")
    assert "renewed 0 membership(s)" in again.stderr
    assert len(memberships(cli)) == 2


def test_a_missed_week_is_caught_up_and_a_renewal_itself_due_is_renewed_in_the_same_run(cli, db, today):
    setup_plan(cli, term=1, per="term")
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    cli("run", "renew", "--as-of", "2026-04-20", "--window", "0")
    terms = [(m["start_on"], m["end_on"]) for m in memberships(cli)]
    # one-month terms anchored on the 31st: the SPEC's example, caught up in one run
    assert terms == [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"), ("2026-03-31", "2026-04-29")]


def test_a_cancelled_membership_is_not_renewed(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("membership", "cancel", "1", "--on", "2026-11-30")
    assert "renewed 0" in cli("run", "renew", "--as-of", "2026-12-31").stderr
    refused = cli("membership", "renew", "1", code=1)
    assert refused.error_lines == ["Error: Membership 1 was cancelled on 2026-11-30; it is not renewed."]


def test_leap_day_anchors_keep_the_29th_when_february_has_one(cli, db, today):
    setup_plan(cli, per="term")
    cli("contact", "add", "Leap", "--ref", "L1")
    cli("membership", "add", "L1", "BIZ", "--start", "2024-02-29")
    cli("run", "renew", "--as-of", "2028-01-31")
    starts = [m["start_on"] for m in memberships(cli)]
    assert starts == ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]


def test_membership_renew_renews_one_at_once_and_never_twice(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-06-01")
    dry = cli("membership", "renew", "1", "--dry-run", "-f", "json").json()
    assert dry[0] == {
        "action": "renew",
        "membership_id": 1,
        "contact_ref": "B1",
        "type": None,
        "level_id": None,
        "allocation_id": None,
        "quantity": None,
        "date": "2027-06-01",
    }
    assert len(memberships(cli)) == 1
    cli("membership", "renew", "1")
    assert [m["start_on"] for m in memberships(cli)] == ["2026-06-01", "2027-06-01"]
    refused = cli("membership", "renew", "1", code=1)
    assert refused.error_lines == ["Error: Membership 1 was already renewed by membership 2."]


def test_a_membership_entered_by_hand_from_the_renewal_day_is_taken_as_the_renewal(cli, db, today):
    setup_plan(cli, per="term")
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2027-01-01")  # staff were quicker than cron
    result = cli("run", "renew", "--as-of", "2026-12-20")
    assert "renewed 1 membership(s) (0 level(s) granted)" in result.stderr
    first, second = memberships(cli)
    assert second["renewed_from"] == first["id"] and len(rows(cli, "level", "list")) == 2
    assert "renewed 0 membership(s)" in cli("run", "renew", "--as-of", "2026-12-20").stderr


def test_a_membership_overlapping_the_renewal_needs_a_person_and_nothing_is_renewed(cli, db, today):
    setup_plan(cli, per="term")
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2027-02-01")
    result = cli("run", "renew", "--as-of", "2026-12-20", code=1)
    assert result.stderr.splitlines()[1:] == [
        "Membership 1 of B1 was not renewed: membership 2 of BIZ already runs from 2027-02-01,"
        " which overlaps the new term 2027-01-01 to 2027-12-31; cancel one of them (benefit membership"
        " cancel ID) and the next run renews as the plan says."
    ]
    assert [m["renewed_from"] for m in memberships(cli)] == [None, None]


def test_a_membership_cancelled_on_the_renewal_day_itself_needs_a_person(cli, db, today):
    setup_plan(cli, per="term")
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("membership", "add", "B1", "BIZ", "--start", "2027-01-01")
    cli("membership", "cancel", "2", "--on", "2027-01-01")  # on its first day: it overlaps nothing
    result = cli("run", "renew", "--as-of", "2026-12-20", code=1)
    assert result.stderr.splitlines()[1:] == [
        "Membership 1 of B1 was not renewed: membership 2 of BIZ from 2027-01-01 was cancelled on its"
        " first day, and a second may not start that day; add the new term by hand from another day"
        " (benefit membership add)."
    ]
    assert [m["renewed_from"] for m in memberships(cli)] == [None, None]


def test_a_plan_that_now_grants_nothing_needs_a_person_and_exits_1(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("plan", "benefit", "end", "BIZ", "ROOM", "--on", "2026-12-31")
    result = cli("run", "renew", "--as-of", "2026-12-20", code=1)
    assert "0 membership(s)" in result.stderr and "1 need a person" in result.stderr
    assert (
        "Membership 1 of B1 was not renewed: plan BIZ gives nothing from 2027-01-01; give it plan"
        " benefits, or cancel the membership."
    ) in result.stderr
    assert len(memberships(cli)) == 1


# -- expiry and rollover --------------------------------------------------------------------------


def test_the_specs_rollover_example(cli, db, today):
    """300 minutes a month, 50% rolled over, at most 100: 180 left in January moves 90 and
    expires 90; 250 left moves 100 and expires 150."""
    setup_plan(cli, rollover=("50", "100"))
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("use", "B1", "ROOM", "--quantity", "120", "--on", "2026-01-10")
    cli("use", "B1", "ROOM", "--quantity", "140", "--on", "2026-02-10")  # of February's 300 + 90
    cli("run", "expire", "--as-of", "2026-03-01")
    january, february = [lv["id"] for lv in rows(cli, "level", "list")[:2]]
    assert entries(db, "rollover")[:3] == [
        (january, None, "2026-02-01", -90),
        (february, None, "2026-02-01", 90),
        (february, None, "2026-03-01", -100),
    ]
    march = rows(cli, "level", "list")[2]["id"]
    assert entries(db, "rollover")[3:] == [(march, None, "2026-03-01", 100)]
    assert entries(db, "expire") == [(january, None, "2026-02-01", -90), (february, None, "2026-03-01", -150)]


def test_expiry_changes_no_figure_but_the_rollover_and_is_dated_the_day_after_whenever_it_runs(
    cli, db, today
):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("use", "B1", "ROOM", "--quantity", "100", "--on", "2026-01-10")
    before = {
        d: cli("report", "balances", "--to", d, "-f", "json").json()
        for d in ("2026-01-31", "2026-02-01", "2026-06-30")
    }
    history = cli("report", "history", "--to", "2026-06-30", "-f", "json").json()
    cli("run", "expire", "--as-of", "2026-06-30")  # run late: still dated the day after
    assert [(e[2], e[3]) for e in entries(db, "expire")][:2] == [("2026-02-01", -200), ("2026-03-01", -300)]
    after = {d: cli("report", "balances", "--to", d, "-f", "json").json() for d in before}
    assert after == before
    again = cli("report", "history", "--to", "2026-06-30", "-f", "json").json()
    strip = lambda rows: [(h["date"], h["kind"], h["quantity"], h["balance_after"]) for h in rows]  # noqa: E731
    assert strip(again) == strip(history)
    assert "expired 0 balance(s)" in cli("run", "expire", "--as-of", "2026-06-30").stderr  # idempotent


def test_a_rollover_into_a_renewal_waits_for_the_run_after_the_renewal(cli, db, today):
    setup_plan(cli, per="term", rollover=("100", "50"))
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    waited = cli("run", "expire", "--as-of", "2027-01-05")
    assert "1 rollover(s) wait for a renewal" in waited.stderr
    assert entries(db, "expire") == [] and entries(db, "rollover") == []
    cli("run", "scheduled", "--as-of", "2027-01-05")  # renews, then the rollover finds its level
    renewal_level = rows(cli, "level", "list")[1]["id"]
    assert entries(db, "rollover")[1] == (renewal_level, None, "2027-01-01", 50)
    assert entries(db, "expire") == [(1, None, "2027-01-01", -250)]


@pytest.mark.parametrize("rollover", [("100", "10"), None], ids=["plan rolls over", "nothing rolls over"])
def test_an_allocations_unused_part_expires_and_never_rolls_over(cli, db, today, rollover):
    setup_plan(cli, per="term", quantity="10", rollover=rollover)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("contact", "add", "Okafor", "--ref", "P1", "--of", "B1")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    cli("allocate", "1", "P1", "--number", "4")
    cli("use", "P1", "ROOM", "--quantity", "1", "--on", "2026-05-01")
    cli("run", "scheduled", "--as-of", "2027-01-05")
    assert (1, 1, "2027-01-01", -3) in entries(db, "expire")
    assert [e for e in entries(db, "rollover") if e[1] is not None] == []
    if rollover is None:  # the owner's own part expires beside it: 10 granted, 4 allocated
        assert (1, None, "2027-01-01", -6) in entries(db, "expire")


# -- dry runs -------------------------------------------------------------------------------------


def test_a_dry_run_lists_exactly_what_the_real_run_writes_and_changes_nothing(cli, db, today):
    setup_plan(cli, rollover=("50", "100"))
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-31")
    cli("use", "B1", "ROOM", "--quantity", "120", "--on", "2026-02-10")
    untouched = file_hash(db)
    planned = cli("run", "scheduled", "--as-of", "2027-02-15", "--dry-run", "-f", "json").json()
    assert file_hash(db) == untouched
    assert {row["action"] for row in planned} == {"renew", "grant", "expire", "rollover"}
    cli("run", "scheduled", "--as-of", "2027-02-15")
    levels = {lv["id"]: lv for lv in rows(cli, "level", "list")}
    written = (
        [("renew", 1, "2027-01-31")]
        + [("grant", lv["id"], lv["starts_on"]) for lv in levels.values() if lv["membership_id"] == 2]
        + [("expire", e[0], e[2]) for e in entries(db, "expire")]
        + [("rollover", e[0], e[2]) for e in entries(db, "rollover") if e[3] > 0]
    )
    shown = [
        (r["action"], r["membership_id"] if r["action"] == "renew" else r["level_id"], r["date"])
        for r in planned
    ]
    assert sorted(shown) == sorted(written)


def test_under_cron_a_run_prints_one_summary_line_and_nothing_on_stdout(cli, db, today):
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    result = cli("run", "scheduled", "--as-of", "2027-01-05")
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("renewed 1 membership(s) (12 level(s) granted); expired 12 balance(s)")


@pytest.mark.parametrize(
    "args",
    [
        ["run", "renew", "--window", "-1"],
        ["run", "expire", "--as-of", "soon"],
        ["run", "scheduled", "--window", "99999"],
    ],
)
def test_a_run_refuses_a_malformed_option_as_wrong_usage(cli, db, today, args):
    assert cli(*args, code=2).error_lines


def test_the_readme_cron_line_and_timer_run_the_scheduled_run(cli, db, today):
    """The crontab line and the systemd unit run the same command; run here, it renews."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    lines = [line.strip() for line in readme.splitlines()]
    cron = [line for line in lines if line.startswith("15 2 * * *")]
    timer = [line for line in lines if line.startswith("ExecStart=")]
    assert len(cron) == 1 and len(timer) == 1
    commands = set()
    for line in cron + timer:
        tokens = line.split()
        at = next(i for i, token in enumerate(tokens) if token.endswith("/bin/benefit"))
        commands.add(tuple(tokens[at + 1 :]))
    [command] = commands
    assert command == ("run", "scheduled")
    setup_plan(cli)
    cli("contact", "add", "Brandt", "--ref", "B1", "--business")
    cli("membership", "add", "B1", "BIZ", "--start", "2026-01-01")
    assert "renewed 1 membership(s)" in cli(*command).stderr
