"""``report expiring``: who loses what and when, within the window given."""

from __future__ import annotations

from conftest import report


def test_expiring_lists_who_loses_what_and_when_within_the_window(cli, report_world):
    got = report(cli, "expiring", "--within", "30")
    assert [(r["contact_ref"], r["type"], r["remaining"], r["expires_on"], r["days_left"])
            for r in got] == [
        ("CAT", "GUEST", 1, "2026-06-04", 20),
        ("EVE", "ROOM", 90, "2026-06-14", 30),
    ]
    assert got[0]["email"] == "cat@example.org"
    wider = report(cli, "expiring", "--within", "60")
    assert [(r["contact_ref"], r["days_left"]) for r in wider] == [
        ("CAT", 20), ("EVE", 30), ("DEE", 31), ("ANN", 47)]
    assert all(r["days_left"] <= 60 for r in wider)
    assert report(cli, "expiring", "--within", "0") == []
    assert [r["contact_ref"] for r in report(cli, "expiring", "--within", "60",
                                              "--type", "ROOM")] == ["EVE", "DEE", "ANN"]
