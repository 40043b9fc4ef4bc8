"""``contact update``: each detail changed on its own, the rest kept; a new ref takes the
contact's memberships and ledger along; every refusal changes nothing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from conftest import Cli, refused, rows


@pytest.fixture
def people(cli: Cli, db: Path) -> Path:
    cli("contact", "add", "Acme", "--ref", "B1", "--business")
    cli("contact", "add", "Zeta", "--ref", "B2", "--business")
    cli("contact", "add", "Ann Lee", "--ref", "C1", "--email", "ann@example.org", "--joined", "2026-01-03",
        "--of", "B1")
    cli("contact", "add", "Bob Roy", "--ref", "C2")
    return db


def contact(cli: Cli, ref: str) -> dict[str, object]:
    [found] = [c for c in rows(cli, "contact", "list") if c["ref"] == ref]
    return found


ANN = {"id": 3, "ref": "C1", "name": "Ann Lee", "kind": "person", "business_ref": "B1",
       "email": "ann@example.org", "joined_on": "2026-01-03"}


@pytest.mark.parametrize(("args", "changed"), [
    (["--name", "Ann Lee-Smith"], {"name": "Ann Lee-Smith"}),
    (["--email", "ann@new.example.org"], {"email": "ann@new.example.org"}),
    (["--email", ""], {"email": None}),
    (["--joined", "2025-12-31"], {"joined_on": "2025-12-31"}),
    (["--joined", ""], {"joined_on": None}),
    (["--of", "B2"], {"business_ref": "B2"}),
    (["--of", ""], {"business_ref": None}),
    (["--name", "Ann Smith", "--of", "B2"], {"name": "Ann Smith", "business_ref": "B2"}),
])
def test_update_changes_what_it_is_given_and_keeps_the_rest(cli: Cli, people: Path, args: list[str],
                                                            changed: dict[str, object]) -> None:
    result = cli("contact", "update", "C1", *args)
    assert result.stdout == "C1\n"
    assert result.stderr.startswith('Updated "C1" (')
    assert contact(cli, "C1") == {**ANN, **changed}


def test_update_by_numeric_id(cli: Cli, people: Path) -> None:
    cli("contact", "update", "3", "--name", "Ann Smith")
    assert contact(cli, "C1")["name"] == "Ann Smith"


def test_a_new_ref_takes_the_memberships_and_the_ledger_along(cli: Cli, people: Path) -> None:
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "adm")
    cli("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    cli("plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "3", "--begin", "2026-01-01")
    cli("membership", "add", "C1", "GOLD", "--start", "2026-02-01")
    cli("use", "C1", "GUEST", "--on", "2026-02-10")
    result = cli("contact", "update", "C1", "--ref", "M-0001")
    assert result.stdout == "M-0001\n"
    assert result.stderr == 'Updated "M-0001" (Ann Lee): ref.\n'
    assert [m["contact_ref"] for m in rows(cli, "membership", "list")] == ["M-0001"]
    [balance] = rows(cli, "balance", "M-0001", "--on", "2026-02-10")
    assert (balance["granted"], balance["used"], balance["remaining"]) == (3, 1, 2)
    cli("balance", "C1", code=1)


def test_the_same_details_again_change_nothing_and_say_so(cli: Cli, people: Path) -> None:
    before = contact(cli, "C1")
    result = cli("contact", "update", "C1", "--name", "Ann Lee", "--email", "ann@example.org")
    assert result.stderr == '"C1" (Ann Lee) already has these details; nothing was changed.\n'
    assert contact(cli, "C1") == before


def test_a_name_typed_decomposed_is_stored_composed(cli: Cli, people: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "José Müller")
    assert decomposed != "José Müller"
    cli("contact", "update", "C2", "--name", decomposed)
    cli("contact", "add", decomposed, "--ref", "C3")
    assert contact(cli, "C2")["name"] == contact(cli, "C3")["name"] == "José Müller"


@pytest.mark.parametrize(("args", "code", "error"), [
    (["C1"], 2, "Error: Say what to change: give --name, --ref, --email, --joined or --of."),
    (["C1", "--name", "  "], 1,
     "Error: A contact's name must not be empty; give the new name, or leave --name out."),
    (["C1", "--ref", ""], 1,
     "Error: A contact's ref must not be empty; give the new ref, or leave --ref out."),
    (["C1", "--ref", "C2"], 1,
     'Error: A contact with ref "C2" already exists; see it with: benefit contact show C2.'
     " Choose another ref."),
    (["C1", "--of", "C2"], 1,
     'Error: "C2" (Bob Roy) is a person, not a business; only a business has people of its own.'),
    (["B1", "--of", "B2"], 1,
     'Error: "B1" (Acme) is a business, and a business cannot belong to another one.'),
    (["C1", "--joined", "03/01/2026"], 2, None),
    (["C9", "--name", "X"], 1, 'Error: No contact "C9". Did you mean C1 or C2?'),
    (["C1", "--of", "B3"], 1, 'Error: No contact "B3". Did you mean B1 or B2?'),
])
def test_a_refused_update_changes_nothing(cli: Cli, people: Path, args: list[str], code: int,
                                          error: str | None) -> None:
    line = refused(cli, people, "contact", "update", *args, code=code)
    if error is None:
        assert line.startswith("Error: --joined")
    elif error.endswith("?"):
        assert line.startswith(error + " Find it with: benefit contact list --name TEXT")
    else:
        assert line == error
