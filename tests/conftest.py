"""What the tests share: every test gets its own database file and none touches a real one;
the CLI runner; the helpers that read its output back; and the worlds several test files
build on, each built once per run and copied for every test that asks for it.

This is the only ``conftest.py`` of the suite, on purpose. The test folders are not packages
(every test file has a basename of its own), so pytest imports each ``conftest.py`` under the
one module name ``conftest``: a second one in a subfolder would replace this one in
``sys.modules``, and ``from conftest import ...`` in every file collected after it would
import the wrong module (``pytest_sessionstart`` below refuses one). So the fixtures and
helpers of every area live here, in sections:

- the CLI and the database file (every test);
- reading output back and asserting refusals (every CLI test);
- template databases: ``run_on`` builds one outside a test, ``copy_db`` copies it;
- domain values shared by ``tests/domain``;
- the family world (``tests/cli``: refusals of every command, delegates);
- the ledger through the CLI (``tests/cli``: use, void, adjust, refs);
- the usage world and import helpers (``tests/cli`` usage import, ``tests/services`` kill -9);
- the report world (``tests/reports``, ``tests/db`` views and indexes);
- the events world (``tests/cli`` events, ``tests/services`` event registrations).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer.main
from click.testing import CliRunner  # typer.testing rebuilds the command on every invoke

from benefit_cli.app import create_app
from benefit_cli.domain.models import PlanBenefit

# Typer rebuilds the Click command on every invoke (about 50 ms); the suite runs
# thousands of commands, so build it once. It is the very same command object.
COMMAND = typer.main.get_command(create_app())


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse a second ``conftest.py`` before it can shadow this one (see above)."""
    here = Path(__file__).resolve()
    others = sorted(p for p in here.parent.rglob("conftest.py") if p.resolve() != here)
    if others:
        raise pytest.UsageError(
            f"{others[0]}: the tests share one conftest.py, tests/conftest.py; move its fixtures"
            " and helpers there, in the section of their area.")


# -- the CLI and the database file -------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "benefits.db"
    monkeypatch.setenv("BENEFIT_DB", str(path))
    monkeypatch.setenv("BENEFIT_OPERATOR", "tester")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("BENEFIT_DEBUG", raising=False)
    monkeypatch.delenv("BENEFIT_TODAY", raising=False)
    from benefit_cli import clock

    clock.set_operator(None)
    return path


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("Error:")]


Cli = Callable[..., Result]


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``benefit ARGS``; assert the exit code (default 0) and that no traceback leaked."""

    def run(*args: str, code: int | None = 0) -> Result:
        result = CliRunner().invoke(COMMAND, [str(a) for a in args], prog_name="benefit",
                                    catch_exceptions=False)
        out = Result(result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in out.stdout + out.stderr, out.stderr
        if code is not None:
            assert result.exit_code == code, (
                f"benefit {' '.join(map(str, args))} exited {result.exit_code}, not {code}:\n"
                f"{out.stdout}\n{out.stderr}"
            )
        return out

    return run


@pytest.fixture
def db(cli: Callable[..., Result]) -> Path:
    """An initialized, empty database."""
    cli("db", "init")
    return Path(os.environ["BENEFIT_DB"])


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: to prove a refused command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        tables = [r[0] for r in conn.execute(query)]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        conn.close()


# -- reading output back and asserting refusals ------------------------------------------------


def rows(cli: Cli, *args: Any) -> list[dict[str, Any]]:
    """The rows of ``benefit ARGS -f json``."""
    data: list[dict[str, Any]] = cli(*args, "-f", "json").json()
    return data


def loads(text: str) -> Any:
    """JSON with money kept exact."""
    return json.loads(text, parse_float=Decimal)


def one_error(result: Result) -> str:
    """The single ``Error:`` line a refusal must print."""
    assert len(result.error_lines) == 1, result.stderr
    return result.error_lines[0]


def refused(cli: Cli, path: Path, *args: Any, code: int = 1) -> str:
    """Run a command that must be refused; check it changed nothing; return its Error line."""
    before = snapshot(path)
    result = cli(*args, code=code)
    line = one_error(result)
    assert snapshot(path) == before, f"benefit {' '.join(map(str, args))} changed the database"
    return line


def assert_db_ok(cli: Cli) -> None:
    result = cli("db", "check")
    assert "no problems found" in result.stdout + result.stderr


def write(tmp_path: Path, data: bytes, name: str = "in.csv") -> Path:
    """A file holding exactly these bytes, as a spreadsheet exported them."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def write_csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- template databases ------------------------------------------------------------------------


def run_on(path: Path, *args: object, today: str | None = None) -> str:
    """Run ``benefit --db PATH ARGS`` outside a test's fixtures, to build a template that
    session- or module-scoped fixtures share; ``today`` pins ``BENEFIT_TODAY`` (unset if None,
    like ``BENEFIT_DEBUG``, whatever the shell running the tests exports)."""
    env = {"BENEFIT_OPERATOR": "tester", "BENEFIT_TODAY": today, "BENEFIT_DEBUG": None}
    result = CliRunner().invoke(
        COMMAND, ["--db", str(path), *map(str, args)], prog_name="benefit",
        env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a template database, whatever is still in its WAL."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


# -- domain values shared by tests/domain ------------------------------------------------------


def rule(rule_id: int, begin: str, end: str | None, quantity: int = 4, type_id: int = 1,
         per: str = "term", priority: int = 50) -> PlanBenefit:
    """A plan benefit rule of plan 1, effective from ``begin`` to ``end`` (open if None)."""
    return PlanBenefit(rule_id, 1, type_id, quantity, per, dt.date.fromisoformat(begin),
                       dt.date.fromisoformat(end) if end else None, priority=priority)


# The monthly periods of a twelve-month term that starts on a month end.
MONTHLY_FROM_JAN_31 = [
    ("2026-01-31", "2026-02-27"),
    ("2026-02-28", "2026-03-30"),
    ("2026-03-31", "2026-04-29"),
    ("2026-04-30", "2026-05-30"),
    ("2026-05-31", "2026-06-29"),
    ("2026-06-30", "2026-07-30"),
    ("2026-07-31", "2026-08-30"),
    ("2026-08-31", "2026-09-29"),
    ("2026-09-30", "2026-10-30"),
    ("2026-10-31", "2026-11-29"),
    ("2026-11-30", "2026-12-30"),
    ("2026-12-31", "2027-01-30"),
]


# -- the family world: a refusal of every command ----------------------------------------------

_TEMPLATES: dict[str, Path] = {}


def build_family_world(cli: Cli) -> None:
    """Contacts O, A, B, C and business BIZ; FAMILY gives 5 REDUCED; O's membership 1 has
    level 1; A's membership 2 (level 2) is cancelled. Allocations of level 1: 1 to A
    (offered), 2 to B (accepted), 3 to C (declined), 4 to A (ended), 5 to B (delivered);
    C is a delegate of level 1. OLD is a retired type."""
    cli("db", "init")
    for ref, name in (("O", "Owner"), ("A", "Ann"), ("B", "Ben"), ("C", "Cy")):
        cli("contact", "add", name, "--ref", ref)
    cli("contact", "add", "Acme", "--ref", "BIZ", "--business")
    cli("type", "add", "REDUCED", "--name", "Reduced", "--unit", "count", "--category", "adm")
    cli("type", "add", "GUESTPASS", "--name", "Guest pass", "--unit", "count", "--category", "adm")
    cli("type", "add", "OLD", "--name", "Old", "--unit", "count", "--category", "adm")
    cli("type", "retire", "OLD")
    cli("plan", "add", "FAMILY", "--name", "Family", "--term", "12", "--grace", "30")
    cli("plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "5", "--begin", "2026-01-01")
    cli("membership", "add", "O", "FAMILY", "--start", "2026-03-01")
    cli("membership", "add", "A", "FAMILY", "--start", "2026-03-01")
    cli("membership", "cancel", "2", "--on", "2026-04-01")
    for ref in ("A", "B", "C", "A", "B"):
        cli("allocate", "1", ref)
    cli("allocation", "accept", "2", "--on", "2026-03-02")
    cli("allocation", "decline", "3", "--on", "2026-03-02")
    cli("allocation", "end", "4", "--on", "2026-03-10")
    cli("allocation", "deliver", "5", "--on", "2026-03-03")
    cli("delegate", "add", "1", "C")
    ids = [(a["id"], a["contact_ref"], a["status"]) for a in rows(cli, "allocation", "list")]
    assert ids == [(1, "A", "offered"), (2, "B", "accepted"), (3, "C", "declined"),
                   (4, "A", "ended"), (5, "B", "offered")]
    assert [lv["id"] for lv in rows(cli, "level", "list")] == [1, 2]


@pytest.fixture
def family_world(cli: Cli, isolated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of ``build_family_world``, built once and copied for each test."""
    template = _TEMPLATES.get("family_world")
    if template is None:
        build_family_world(cli)
        template = tmp_path_factory.mktemp("family_world") / "world.db"
        copy_db(isolated_db, template)
        _TEMPLATES["family_world"] = template
    else:
        shutil.copyfile(template, isolated_db)
    return isolated_db


# The contacts file of the contact and membership imports.
CONTACTS_HEADER = "ref,name,kind,business_ref,email,joined_on"
CONTACT_ROWS = [
    "B1,Acme Ltd,business,,office@acme.example.org,2026-01-02",
    "P1,Ann Lee,person,B1,ann@acme.example.org,2026-01-03",
    "P2,Bob Roy,person,,bob@example.org,",
]


# -- the ledger through the CLI ----------------------------------------------------------------


def add_type(cli: Any, code: str, unit: str = "count", category: str = "perks") -> None:
    cli("type", "add", code, "--name", code.title(), "--unit", unit, "--category", category)


def add_plan(cli: Any, code: str, type_code: str, quantity: str, per: str = "term",
             term: int = 12) -> None:
    cli("plan", "add", code, "--name", code.title(), "--term", term)
    cli("plan", "benefit", "add", code, type_code, "--quantity", quantity, "--per", per,
        "--begin", "2025-01-01")


def levels(cli: Any, contact: str, type_code: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = loads(
        cli("level", "list", "--contact", contact, "--type", type_code, "-f", "json").stdout)
    return data


def level_starting(cli: Any, contact: str, type_code: str, starts_on: str) -> dict[str, Any]:
    [level] = [lv for lv in levels(cli, contact, type_code) if lv["starts_on"] == starts_on]
    return level


def manual_level(cli: Any, contact: str, type_code: str, quantity: str, start: str, expires: str,
                 *extra: str) -> int:
    before = {lv["id"] for lv in levels(cli, contact, type_code)}
    cli("level", "add", contact, type_code, "--quantity", quantity, "--start", start,
        "--expires", expires, *extra)
    [new] = [lv["id"] for lv in levels(cli, contact, type_code) if lv["id"] not in before]
    return new


def usage(cli: Cli, *filters: str, db: Path | None = None) -> list[dict[str, Any]]:
    """The entries of ``usage list`` (of the database ``db`` if given), money exact."""
    where = ("--db", str(db)) if db else ()
    data: list[dict[str, Any]] = loads(cli(*where, "usage", "list", *filters, "-f", "json").stdout)
    return data


def used(cli: Cli) -> list[tuple[str, str, Any, str, str | None]]:
    """Every use as (contact, type, quantity, date, description), in ledger order."""
    return [(e["contact_ref"], e["type"], e["quantity"], e["date"], e["description"])
            for e in usage(cli) if e["kind"] == "use"]


def balance(cli: Cli, contact: str, *options: str, db: Path | None = None) -> Any:
    """The rows of ``balance CONTACT`` (of the database ``db`` if given), money exact."""
    where = ("--db", str(db)) if db else ()
    return loads(cli(*where, "balance", contact, *options, "-f", "json").stdout)


def one_balance(cli: Any, contact: str, type_code: str, on: str) -> dict[str, Any]:
    [row] = balance(cli, contact, "--type", type_code, "--on", on)
    return row


@pytest.fixture
def guest(cli, db, monkeypatch):
    """C1 with a manual level of 5 GUEST for 2026; today is 2026-05-01."""
    monkeypatch.setenv("BENEFIT_TODAY", "2026-05-01")
    add_type(cli, "GUEST")
    cli("contact", "add", "Gil", "--ref", "C1")
    return manual_level(cli, "C1", "GUEST", "5", "2026-01-01", "2026-12-31")


# -- the usage world and the import helpers ----------------------------------------------------

USAGE_TODAY = "2026-06-15"
USAGE_HEADER = b"contact,type,quantity,used_on,description,ref\n"


@pytest.fixture(scope="session")
def usage_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """GUEST (count) and CREDIT (money) from the GOLD plan, valid 2026-01-01..2026-12-31,
    for the members C1 and C2; OLD is granted too but retired; C3 is a contact with nothing."""
    path = tmp_path_factory.mktemp("world") / "world.db"

    def run(*args: object) -> None:
        run_on(path, *args, today=USAGE_TODAY)

    run("db", "init")
    run("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count",
        "--category", "admissions")
    run("type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money",
        "--category", "shop", "--value", "1.00")
    run("type", "add", "OLD", "--name", "Old voucher", "--unit", "count",
        "--category", "admissions")
    run("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    for code, quantity in (("GUEST", "5"), ("CREDIT", "10.00"), ("OLD", "3")):
        run("plan", "benefit", "add", "GOLD", code, "--quantity", quantity,
            "--begin", "2026-01-01")
    for name, ref in (("Ann", "C1"), ("Bob", "C2"), ("Cy", "C3")):
        run("contact", "add", name, "--ref", ref, "--joined", "2025-06-01")
    run("membership", "add", "C1", "GOLD", "--start", "2026-01-01")
    run("membership", "add", "C2", "GOLD", "--start", "2026-01-01")
    run("type", "retire", "OLD")
    return path


@pytest.fixture
def usage_world(usage_template: Path, isolated_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the usage template at the test's own ``BENEFIT_DB``, today pinned."""
    copy_db(usage_template, isolated_db)
    monkeypatch.setenv("BENEFIT_TODAY", USAGE_TODAY)
    return isolated_db


@pytest.fixture(params=["same process", "writer process"])
def both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Chunks of three rows, so that refs and balances carry across chunks (each chunk is
    read before the one before it is written); the writing done in this process, or in a
    writer process of its own as for a large file."""
    from benefit_cli.services import importing, usage_import

    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    if request.param == "writer process":
        monkeypatch.setattr(usage_import, "SEPARATE_BYTES", 0)
    return str(request.param)


def entry_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        conn.close()


def write_bytes(tmp_path: Path, data: bytes, name: str = "usage.csv") -> Path:
    return write(tmp_path, data, name)


def used_by_type(cli: Cli, contact: str) -> dict[str, Any]:
    return {row["type"]: row["used"] for row in balance(cli, contact, "--on", "2026-06-01")}


def problems(result: Result) -> list[str]:
    """The located problems a refusal printed: ``row N...`` lines, with or without ``Error:``."""
    found = []
    for line in result.stderr.splitlines():
        text = line.strip()
        if text.startswith("Error: "):
            text = text[len("Error: "):]
        if text.startswith("row "):
            found.append(text)
    return found


def summary(result: Result) -> str:
    [line] = [line for line in result.stderr.splitlines() if line.startswith("rows read")]
    return line


# -- the report world --------------------------------------------------------------------------

REPORT_TODAY = "2026-05-15"
OPERATOR = "Olga Opsworth"        # given with the global --operator
ENV_OPERATOR = "tester"           # BENEFIT_OPERATOR, set by isolated_db and run_on
NOTE = "INTERNAL-NOTE called twice"
KID_NOTE = "kid-note-do-not-show"
HYPERLINK = '=HYPERLINK("x")'

FORMATS = ("table", "csv", "json", "markdown")

# SPEC §2 "Report CSV/JSON columns", where the SPEC fixes them.
HISTORY_COLUMNS = ["entry_id", "date", "contact_ref", "contact", "type", "kind", "quantity",
                   "balance_after", "status", "used_by", "source", "description", "operator"]
BALANCES_COLUMNS = ["contact_ref", "contact", "type", "granted", "allocated_out", "used",
                    "adjusted", "expired", "remaining", "expires_on", "status"]
ALLOCATIONS_COLUMNS = ["type", "allocations", "number_allocated", "contacts"]
STATEMENT_COLUMNS = ["date", "type", "used_by", "quantity", "description", "remaining"]
USAGE_TAIL = ["unit", "uses", "quantity", "members", "value"]

# Every report, as the arguments after ``benefit report``; statement of the owner.
REPORTS: dict[str, list[str]] = {
    "history": ["history"],
    "usage": ["usage"],
    "balances": ["balances"],
    "allocations": ["allocations"],
    "allocations --list": ["allocations", "--list"],
    "statement": ["statement", "ANN"],
    "expiring": ["expiring", "--within", "60"],
}


@pytest.fixture(scope="session")
def report_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, int]]]:
    """Build the report world once; every test gets a fresh copy (see ``report_world``).

    Three benefit types (one of them money), a plan, an owner with an allocation and a
    delegate, uses with member-facing descriptions and internal notes, a void, an adjust,
    and manual levels that expire around the pinned today."""
    from benefit_cli import clock

    path = tmp_path_factory.mktemp("reports") / "world.db"
    today = "2026-01-01"

    def run(*args: Any) -> str:
        return run_on(path, *args, today=today)

    def rows(*args: Any) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads(run(*args, "-f", "json"))
        return data

    run("db", "init")
    run("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count",
        "--category", "admissions", "--value", "18.00")
    run("type", "add", "CREDIT", "--name", "Shop credit", "--unit", "money",
        "--category", "shop", "--value", "1.00")
    run("type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes",
        "--category", "facilities", "--value", "0.50")
    run("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    run("plan", "add", "SILVER", "--name", "Silver", "--term", "12")
    run("plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "4", "--begin", "2026-01-01")
    run("plan", "benefit", "add", "GOLD", "CREDIT", "--quantity", "50.00", "--begin", "2026-01-01")
    for name, ref, email in (("Ann Owner", "ANN", "ann@example.org"), ("Bob Kid", "BOB", None),
                             ("Dee Delegate", "DEE", None), ("Cat Member", "CAT", "cat@example.org"),
                             ("=Eve Formula", "EVE", "eve@example.org"), ("Gus Used", "GUS", None)):
        run("contact", "add", name, "--ref", ref, *(["--email", email] if email else []))
    run("membership", "add", "ANN", "GOLD", "--start", "2026-01-01")
    [guest] = rows("level", "list", "--contact", "ANN", "--type", "GUEST")
    # The unit value is recorded at grant time: ANN's 4 guest passes stay worth 18.00.
    run("type", "update", "GUEST", "--value", "25.00")

    def level(ref: str, code: str, quantity: str, expires: str) -> None:
        run("level", "add", ref, code, "--quantity", quantity, "--start", "2026-01-01",
            "--expires", expires)

    level("CAT", "GUEST", "2", "2026-06-04")    # 20 days left on REPORT_TODAY: expiring
    level("GUS", "GUEST", "1", "2026-06-01")    # used up: nothing to lose
    level("ANN", "ROOM", "120", "2026-07-01")   # 47 days: on the statement, not within 30
    level("EVE", "ROOM", "120", "2026-06-14")   # 30 days: the edge of --within 30
    level("DEE", "ROOM", "60", "2026-06-15")    # 31 days: beyond --within 30
    level("BOB", "ROOM", "30", "2026-12-31")    # Bob's own: not his parent's business
    level("CAT", "ROOM", "15", "2026-04-30")    # already expired with 15 left

    run("allocate", guest["id"], "BOB", "--number", "1", "--comment", "for Bob")
    run("delegate", "add", guest["id"], "DEE")

    run("--operator", OPERATOR, "use", "ANN", "GUEST", "--on", "2026-02-01",
        "--description", "Brought a friend", "--note", NOTE)
    run("use", "ANN", "CREDIT", "--quantity", "12.50", "--on", "2026-02-03",
        "--description", "+cafe", "--note", NOTE)
    run("use", "ANN", "GUEST", "--on", "2026-02-10", "--description", HYPERLINK)
    run("use", "BOB", "GUEST", "--on", "2026-02-15", "--description", "Bob's visit",
        "--note", KID_NOTE)
    run("use", "DEE", "GUEST", "--on", "2026-03-01", "--description", "Team visit")
    run("use", "ANN", "CREDIT", "--quantity", "7.25", "--on", "2026-03-03",
        "--description", "@shop")
    run("use", "CAT", "GUEST", "--on", "2026-03-10", "--description", "-2+3")
    run("use", "GUS", "GUEST", "--on", "2026-03-12", "--description", "Gus came")
    run("use", "EVE", "ROOM", "--quantity", "30", "--on", "2026-03-15",
        "--description", "\tTabbed booking")
    [shop] = [e for e in rows("usage", "list", "--contact", "ANN", "--type", "CREDIT")
              if e["description"] == "@shop"]
    today = "2026-03-20"  # a void has no --on: it is dated today
    run("usage", "void", shop["entry_id"], "--reason", "Charged twice")
    run("use", "BOB", "ROOM", "--quantity", "10", "--on", "2026-04-01",
        "--description", "Bob private room")
    run("adjust", "ANN", "ROOM", "--by", "-3", "--reason", "Overran the booking",
        "--on", "2026-04-05")
    clock.set_operator(None)
    yield path, {"guest_level": guest["id"], "voided_entry": shop["entry_id"]}


@pytest.fixture
def report_world(report_template: tuple[Path, dict[str, int]], isolated_db: Path,
                 monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A fresh copy of the report world at the test's own ``BENEFIT_DB``, today pinned."""
    template, ids = report_template
    copy_db(template, isolated_db)
    monkeypatch.setenv("BENEFIT_TODAY", REPORT_TODAY)
    return ids


@pytest.fixture
def empty_ledger(cli: Cli, db: Path) -> Path:
    """A database with a contact (for the statement), a type and a plan, and nothing else."""
    cli("contact", "add", "Nobody Yet", "--ref", "N1")
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "x")
    cli("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    return db


def report(cli: Cli, *args: Any) -> list[dict[str, Any]]:
    return rows(cli, "report", *args)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# -- the events world --------------------------------------------------------------------------

EVENTS_TODAY = "2026-05-01"
EVENTS_WORLD: list[list[str]] = [
    ["db", "init"],
    ["type", "add", "TICKET", "--name", "Event ticket", "--unit", "count", "--category", "events",
     "--kind", "event", "--value", "25.00"],
    ["type", "add", "CREDIT", "--name", "Dinner credit", "--unit", "money", "--category", "food",
     "--value", "1.00"],
    ["type", "add", "OLD", "--name", "Old voucher", "--unit", "count", "--category", "events"],
    ["type", "add", "MAG", "--name", "Magazine", "--unit", "count", "--category", "pubs",
     "--kind", "subscription", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=15"],
    ["type", "add", "VOUCHER", "--name", "Voucher", "--unit", "count", "--category", "events"],
    ["plan", "add", "CORP", "--name", "Corporate", "--term", "12"],
    ["plan", "benefit", "add", "CORP", "TICKET", "--quantity", "4", "--begin", "2026-01-01"],
    ["plan", "add", "PARTNER", "--name", "Partner", "--term", "12"],
    ["plan", "benefit", "add", "PARTNER", "CREDIT", "--quantity", "50.00", "--begin", "2026-01-01",
     "--associates"],
    ["plan", "add", "IND", "--name", "Individual", "--term", "12"],
    ["plan", "benefit", "add", "IND", "TICKET", "--quantity", "1", "--begin", "2026-01-01"],
    ["plan", "benefit", "add", "IND", "OLD", "--quantity", "2", "--begin", "2026-01-01"],
    ["contact", "add", "Acme", "--ref", "B1", "--business"],
    ["contact", "add", "Pat Employee", "--ref", "P1", "--of", "B1"],
    ["contact", "add", "Beta", "--ref", "B2", "--business"],
    ["contact", "add", "Quinn Partner", "--ref", "P2", "--of", "B2"],
    ["contact", "add", "Ada Member", "--ref", "A1"],
    ["contact", "add", "Nat Nobody", "--ref", "N1"],
    ["membership", "add", "B1", "CORP", "--start", "2026-01-01"],
    ["membership", "add", "B2", "PARTNER", "--start", "2026-01-01"],
    ["membership", "add", "A1", "IND", "--start", "2026-01-01"],
    ["level", "add", "A1", "TICKET", "--quantity", "1", "--start", "2026-01-01", "--expires", "2027-06-30",
     "--priority", "1"],
    ["delegate", "add", "1", "P1"],
    ["event", "add", "GALA", "--name", "Spring gala", "--date", "2026-06-01"],
    ["event", "add", "TALK", "--name", "Curator talk", "--date", "2026-07-01"],
    ["event", "regtype", "add", "GALA", "Member", "--type", "TICKET", "--quantity", "1"],
    ["event", "regtype", "add", "GALA", "Pair", "--type", "TICKET", "--quantity", "2"],
    ["event", "regtype", "add", "GALA", "Dinner", "--type", "CREDIT", "--quantity", "20.00"],
    ["event", "regtype", "add", "GALA", "Guest"],
    ["event", "regtype", "add", "GALA", "Legacy", "--type", "OLD", "--quantity", "1"],
    ["event", "regtype", "add", "GALA", "Gift", "--type", "VOUCHER", "--quantity", "1"],
    ["event", "regtype", "add", "TALK", "Member", "--type", "TICKET", "--quantity", "1"],
    ["type", "retire", "OLD"],
]


@pytest.fixture(scope="session")
def events_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Acme (B1) holds CORP: 4 TICKET (level 1), and Pat (P1), of Acme, is its delegate. Beta
    (B2) holds PARTNER: 50.00 CREDIT shared with associates (level 2), such as Quinn (P2).
    Ada (A1) holds IND: 1 TICKET (level 3, to 2026-12-31) and 2 OLD (level 4, retired since),
    and a manual TICKET drawn first (level 5, to 2027-06-30). Nat (N1) has nothing. GALA
    (2026-06-01) has the registration types Member (1 TICKET), Pair (2 TICKET), Dinner
    (20.00 CREDIT), Guest (no benefit), Legacy (1 OLD) and Gift (1 VOUCHER, never granted);
    TALK (2026-07-01) has Member (1 TICKET). MAG is a subscription."""
    path = tmp_path_factory.mktemp("events") / "world.db"
    for args in EVENTS_WORLD:
        run_on(path, *args, today=EVENTS_TODAY)
    conn = sqlite3.connect(path)
    try:
        found = conn.execute(
            "SELECT l.id, c.ref, t.code FROM levels l JOIN contacts c ON c.id = l.contact_id"
            " JOIN benefit_types t ON t.id = l.type_id ORDER BY l.id").fetchall()
    finally:
        conn.close()
    assert found == [(1, "B1", "TICKET"), (2, "B2", "CREDIT"), (3, "A1", "TICKET"), (4, "A1", "OLD"),
                     (5, "A1", "TICKET")]
    return path


@pytest.fixture
def events_world(events_template: Path, isolated_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the events world at the test's own ``BENEFIT_DB``, today pinned."""
    copy_db(events_template, isolated_db)
    monkeypatch.setenv("BENEFIT_TODAY", EVENTS_TODAY)
    return isolated_db
