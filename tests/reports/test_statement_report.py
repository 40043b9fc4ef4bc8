"""``report statement``: what a member reads — what the people the owner gave to used, the
balances expiring within sixty days, voids with the opposite sign — and never a note or an
operator."""

from __future__ import annotations

import os
import sqlite3

import pytest
from conftest import ENV_OPERATOR, FORMATS, KID_NOTE, NOTE, OPERATOR, report


def test_statement_shows_what_the_people_the_owner_gave_to_used(cli, report_world):
    lines = report(cli, "statement", "ANN")
    used = [(line["date"], line["type"], line["used_by"], line["quantity"], line["description"])
            for line in lines if line["description"] and not line["description"].startswith("Expires")]
    assert ("2026-02-15", "GUEST", "BOB", 1, "Bob's visit") in used
    assert ("2026-03-01", "GUEST", "DEE", 1, "Team visit") in used
    assert ("2026-02-01", "GUEST", "ANN", 1, "Brought a friend") in used
    assert ("2026-02-03", "CREDIT", "ANN", 12.5, "+cafe") in used
    descriptions = [line["description"] for line in lines]
    assert "Bob private room" not in descriptions  # Bob's own benefit, not Ann's
    assert all(line["used_by"] != "CAT" for line in lines)
    [expiry] = [line for line in lines if "Expires on" in (line["description"] or "")]
    assert (expiry["type"], expiry["date"], expiry["remaining"]) == ("ROOM", "2026-07-01", 117)
    assert "2026-07-01" in expiry["description"]
    dates = [line["date"] for line in lines if line is not expiry]
    assert dates == sorted(dates)


def test_statement_lists_only_balances_expiring_within_sixty_days(cli, report_world, monkeypatch):
    monkeypatch.setenv("BENEFIT_TODAY", "2026-04-01")  # ROOM expires in 91 days
    assert not [line for line in report(cli, "statement", "ANN")
                if "Expires on" in (line["description"] or "")]
    monkeypatch.setenv("BENEFIT_TODAY", "2026-05-02")  # 60 days
    assert [line["type"] for line in report(cli, "statement", "ANN")
            if "Expires on" in (line["description"] or "")] == ["ROOM"]


def test_a_void_on_a_statement_has_the_opposite_sign_of_the_use_it_reverses(cli, report_world):
    lines = report(cli, "statement", "ANN", "--type", "CREDIT")
    [shop] = [line for line in lines if line["description"] == "@shop"]
    [void] = [line for line in lines if line["date"] == "2026-03-20"]
    # a member must tell a charge from its refund by the number, not only by the wording
    assert void["quantity"] == -shop["quantity"], (shop, void)
    assert void["remaining"] == 37.5


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_statement_never_shows_a_note_or_an_operator(cli, report_world, fmt, tmp_path):
    # Both are really recorded: the history (a staff report) shows the operators, and the
    # notes are in the ledger file.
    operators = {h["operator"] for h in report(cli, "history")}
    assert {OPERATOR, ENV_OPERATOR} <= operators
    conn = sqlite3.connect(os.environ["BENEFIT_DB"])
    assert {NOTE, KID_NOTE} <= {r[0] for r in conn.execute("SELECT note FROM entries")}
    conn.close()

    for contact in ("ANN", "BOB", "DEE"):
        out = cli("report", "statement", contact, "-f", fmt).stdout
        target = tmp_path / f"{contact}.{fmt}"
        cli("report", "statement", contact, "-f", fmt, "-o", target)
        for text in (out, target.read_text(encoding="utf-8")):
            assert text.strip()
            for secret in (NOTE, "INTERNAL", KID_NOTE, OPERATOR, "Olga", ENV_OPERATOR):
                assert secret not in text, (contact, fmt, secret)
    assert "Bob's visit" in cli("report", "statement", "ANN", "-f", fmt).stdout
