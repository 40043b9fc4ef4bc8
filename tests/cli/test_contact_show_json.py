"""``contact show -f json`` is an object of fixed keys, one per section, whatever the titles
shown on a screen say (they hold names and dates): ``jq .balances`` always works."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli


@pytest.fixture
def family(cli: Cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BENEFIT_TODAY", "2026-11-28")
    cli("type", "add", "REDUCED", "--name", "Reduced admission", "--unit", "count", "--category", "adm")
    cli("plan", "add", "FAMILY", "--name", "Family", "--term", "12")
    cli("plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "5", "--begin", "2026-01-01")
    cli("contact", "add", "José Álvarez", "--ref", "C000116")
    cli("contact", "add", "Carmen Álvarez", "--ref", "C000117")
    cli("membership", "add", "C000116", "FAMILY", "--start", "2026-03-01")
    cli("allocate", "1", "C000117", "--number", "1")
    cli("use", "C000117", "REDUCED", "--on", "2026-04-12", "--description", "Turner exhibition")
    cli("delegate", "add", "1", "C000117")
    return db


def test_contact_show_json_keys_its_sections_by_fixed_names(cli: Cli, family: Path) -> None:
    owner = cli("contact", "show", "C000116", "-f", "json").json()
    assert list(owner) == ["contact", "memberships", "levels", "allocations_received", "allocations_made",
                           "balances", "recent_entries"]
    assert owner["contact"] == [{"id": 1, "ref": "C000116", "name": "José Álvarez", "kind": "person",
                                 "business_ref": None, "email": None, "joined_on": None}]
    assert [m["plan"] for m in owner["memberships"]] == ["FAMILY"]
    assert [b["remaining"] for b in owner["balances"]] == [4]

    member = cli("contact", "show", "C000117", "-f", "json").json()
    assert list(member) == ["contact", "memberships", "levels", "allocations_received", "allocations_made",
                            "delegate_levels", "balances", "recent_entries"]
    assert [a["number"] for a in member["allocations_received"]] == [1]
    assert [e["description"] for e in member["recent_entries"]] == ["Turner exhibition"]


def test_membership_show_json_keys_its_sections_too(cli: Cli, family: Path) -> None:
    data = cli("membership", "show", "1", "-f", "json").json()
    assert list(data) == ["membership", "levels"]
    assert [lv["quantity"] for lv in data["levels"]] == [5]


def test_the_titles_still_head_the_tables(cli: Cli, family: Path) -> None:
    text = cli("contact", "show", "C000116").stdout
    assert "Allocations received" in text and "Balances of C000116 on 2026-11-28" in text
