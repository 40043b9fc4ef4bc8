"""``report history`` answers "why is my balance 0?": every grant, allocation and use with the
running balance after it, which date filters keep (SPEC §2 "report"). Reads the report world
(``conftest.report_template``)."""

from __future__ import annotations

from conftest import HYPERLINK, REPORT_TODAY, report, rows


def test_history_answers_why_the_balance_is_zero(cli, report_world):
    history = report(cli, "history", "--contact", "ANN", "--type", "GUEST")
    assert [(h["kind"], h["date"], h["quantity"], h["balance_after"], h["used_by"],
             h["description"]) for h in history] == [
        ("grant", "2026-01-01", 4, 4, None, None),
        ("allocate", "2026-01-01", -1, 3, "BOB", "for Bob"),
        ("use", "2026-02-01", -1, 2, "ANN", "Brought a friend"),
        ("use", "2026-02-10", -1, 1, "ANN", HYPERLINK),
        ("use", "2026-03-01", -1, 0, "DEE", "Team visit"),
    ]
    assert {(h["contact_ref"], h["type"], h["status"]) for h in history} == {
        ("ANN", "GUEST", "current")}
    assert all(isinstance(h["entry_id"], int) for h in history if h["kind"] == "use")
    [balance] = rows(cli, "balance", "ANN", "--type", "GUEST", "--on", REPORT_TODAY)
    assert balance["remaining"] == 0


def test_history_date_filters_keep_the_running_balance_of_earlier_events(cli, report_world):
    full = report(cli, "history", "--contact", "ANN", "--type", "GUEST")
    window = report(cli, "history", "--contact", "ANN", "--type", "GUEST",
                    "--from", "2026-02-05", "--to", "2026-02-28")
    assert window == [h for h in full if "2026-02-05" <= h["date"] <= "2026-02-28"]
    assert [h["balance_after"] for h in window] == [1]
