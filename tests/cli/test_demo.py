"""``benefit demo``: builds the sample data, prints the tour, passes ``db check``, and refuses
to overwrite a database without ``--replace``."""

from __future__ import annotations

import re
import shlex

from conftest import one_error, rows, snapshot


def test_demo_builds_prints_the_tour_and_passes_db_check(cli, tmp_path):
    path = tmp_path / "demo.db"
    result = cli("--db", path, "demo")
    output = result.stdout + result.stderr
    assert "tour" in output.lower()
    assert str(path) in output
    cli("--db", path, "db", "check")

    # The seed's family example is in the sample data: 5 reduced admissions split 2+1+1+1.
    [level] = rows(cli, "--db", path, "level", "list", "--contact", "C000116", "--type", "REDUCED")
    assert level["quantity"] == 5
    split = sorted(a["number"] for a in rows(cli, "--db", path, "allocation", "list",
                                              "--level", level["id"]))
    assert split == [1, 1, 1, 2]

    contacts = rows(cli, "--db", path, "contact", "list")
    before = snapshot(path)
    line = one_error(cli("--db", path, "demo", code=1))
    assert "--replace" in line
    assert snapshot(path) == before

    cli("--db", path, "demo", "--replace")
    cli("--db", path, "db", "check")
    assert rows(cli, "--db", path, "contact", "list") == contacts



def test_every_command_of_the_tour_runs(cli, tmp_path):
    path = tmp_path / "demo.db"
    result = cli("--db", path, "demo")
    lines = (result.stdout + result.stderr).splitlines()
    # each line: the command, two spaces or more, what it shows
    shown = [line.strip() for line in lines if line.strip().startswith("benefit --db")]
    commands = [re.split(r"\s{2,}", line)[0] for line in shown]
    assert len(commands) >= 8
    for command in commands:
        cli(*shlex.split(command)[1:])
