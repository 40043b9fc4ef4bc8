"""An unknown contact ref, type code or plan code is answered with the nearest that exist
("did you mean C000116?"), in the one Error line, by every command that looks them up."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli, refused


@pytest.fixture
def catalog(cli: Cli, db: Path) -> Path:
    cli("contact", "add", "José Álvarez", "--ref", "C000116")
    cli("contact", "add", "Carmen Álvarez", "--ref", "C000117")
    cli("contact", "add", "Acme", "--ref", "ACME-1", "--business")
    for code in ("GUESTPASS", "GUEST", "ROOM"):
        cli("type", "add", code, "--name", code.title(), "--unit", "count", "--category", "x")
    cli("plan", "add", "FAMILY", "--name", "Family", "--term", "12")
    cli("plan", "add", "BUSINESS", "--name", "Business", "--term", "12")
    return db


CONTACT_FIX = " Find it with: benefit contact list --name TEXT, or add it with: benefit contact add."


@pytest.mark.parametrize(("args", "error"), [
    (["balance", "C00116"], 'No contact "C00116". Did you mean C000116?' + CONTACT_FIX),
    (["balance", "c000116"], 'No contact "c000116". Did you mean C000116?' + CONTACT_FIX),
    (["balance", "C000118"], 'No contact "C000118". Did you mean C000116 or C000117?' + CONTACT_FIX),
    (["contact", "show", "ACME1"], 'No contact "ACME1". Did you mean ACME-1?' + CONTACT_FIX),
    (["balance", "Z99"], 'No contact "Z99".' + CONTACT_FIX),
    (["use", "C000116", "GUESTPAS"],
     'No benefit type "GUESTPAS". Did you mean GUESTPASS or GUEST? See the catalog with:'
     " benefit type list --all."),
    (["use", "C000116", "rom"],
     'No benefit type "ROM". Did you mean ROOM? See the catalog with: benefit type list --all.'),
    (["use", "C000116", "XYZZY"], 'No benefit type "XYZZY". See the catalog with: benefit type list --all.'),
    (["membership", "add", "C000116", "FAMLY"],
     'No plan "FAMLY". Did you mean FAMILY? See the plans with: benefit plan list.'),
    (["report", "balances", "--plan", "busness"],
     'No plan "BUSNESS". Did you mean BUSINESS? See the plans with: benefit plan list.'),
    (["membership", "add", "C000116", "GOLD"], 'No plan "GOLD". See the plans with: benefit plan list.'),
])
def test_an_unknown_name_is_answered_with_the_nearest_known(cli: Cli, catalog: Path, args: list[str],
                                                            error: str) -> None:
    assert refused(cli, catalog, *args) == f"Error: {error}"
