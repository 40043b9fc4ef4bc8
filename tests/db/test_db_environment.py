"""The database file in a hostile environment (issue 17, items 9-11).

- ``--db`` naming something that is not a benefit database -- an empty file, a folder, a
  text file, an image, a workbook, a file cut short -- is refused like a missing file, with
  one sentence saying what it is, and the file (and its folder) are left exactly as they
  were: a typo never starts a new ledger.
- A database the user may read but not change (a read-only folder, a read-only file)
  answers every read, and refuses every write with one sentence naming the file or
  folder. These run the CLI in a child process as a user without write permission --
  ``nobody`` when the suite runs as root, since root ignores file permissions.
- A write that finds another command holding the write lock waits quietly, then says on
  stderr that it is waiting, and gives up at ``BENEFIT_BUSY_TIMEOUT`` with one refusal;
  reads never wait. These run the real console script against a lock held here.

Every child process is bounded by a timeout.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pty
import pwd
import select
import shutil
import site
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from click.testing import CliRunner
from conftest import Result, copy_db, snapshot

import benefit_cli
from benefit_cli.app import BenefitGroup
from benefit_cli.cli.common import state
from benefit_cli.db.connection import Busy, connect, migrate, write
from benefit_cli.domain.errors import UsageError

Cli = Callable[..., Result]
BENEFIT = Path(sys.executable).with_name("benefit")
TIMEOUT = 60
TODAY = "2026-06-01"


def one_error(result: Result | subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, result.stderr
    return lines[0]


def file_state(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a hash of its bytes: proof that nothing was written."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}


def ledger(cli: Cli) -> None:
    """The database in use: one contact with 5 guest passes, 1 of them used."""
    cli("db", "init")
    cli("type", "add", "PASS", "--name", "Guest pass", "--unit", "count", "--category", "visits")
    cli("contact", "add", "Ann", "--ref", "C1")
    cli("level", "add", "C1", "PASS", "--quantity", "5", "--start", "2026-01-01", "--expires", "2026-12-31")
    cli("use", "C1", "PASS", "--on", TODAY)


# -- 9. what --db points at -------------------------------------------------------------------


def a_benefit_database(cli: Cli, folder: Path) -> Path:
    source = Path(os.environ["BENEFIT_DB"])
    ledger(cli)
    path = folder / "whole.db"
    copy_db(source, path)
    return path


def make_hostile(kind: str, folder: Path, cli: Cli) -> Path:
    if kind == "empty":
        path = folder / "x.db"
        path.touch()
    elif kind == "folder":
        path = folder / "ledger"
        path.mkdir()
    elif kind == "text":
        path = folder / "notes.db"
        path.write_text("Meeting notes: renew the museum's plan.\n", encoding="utf-8")
    elif kind == "csv":
        path = folder / "members.csv"
        path.write_text("ref,name\nC1,Zoë Müller\n", encoding="utf-8-sig")
    elif kind == "png":
        path = folder / "logo.db"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    elif kind == "xlsx":
        path = folder / "members.xlsx"
        with zipfile.ZipFile(path, "w") as workbook:
            workbook.writestr("xl/workbook.xml", "<workbook/>")
    elif kind == "first-pages":
        whole = a_benefit_database(cli, folder)
        path = folder / "cut.db"
        path.write_bytes(whole.read_bytes()[: 2 * 4096])
    elif kind == "mid-page":
        whole = a_benefit_database(cli, folder)
        path = folder / "cut.db"
        path.write_bytes(whole.read_bytes()[:5000])
    elif kind == "header-only":
        path = folder / "cut.db"
        path.write_bytes(b"SQLite fo")
    else:
        raise AssertionError(kind)
    return path


HOSTILE = {
    "empty": 'Error: "{p}" is empty (0 bytes), not a benefit database. Point --db at your database'
             ' file, or make this one a new database with: benefit --db "{p}" db init.',
    "folder": 'Error: "{p}" is a folder, not a benefit database. Point --db at the database file'
              ' itself (for example "{p}/benefits.db"), or create one there with: benefit --db'
              ' "{p}/benefits.db" db init.',
    "text": 'Error: "{p}" is not an SQLite database (it starts like a text file), so it is not a'
            " benefit database. Point --db (or BENEFIT_DB) at your benefit database file.",
    "csv": 'Error: "{p}" is not an SQLite database (it starts like a text file), so it is not a'
           " benefit database. Point --db (or BENEFIT_DB) at your benefit database file.",
    "png": 'Error: "{p}" is not an SQLite database (it starts like a PNG image), so it is not a'
           " benefit database. Point --db (or BENEFIT_DB) at your benefit database file.",
    "xlsx": 'Error: "{p}" is not an SQLite database (it starts like a ZIP archive, such as an Excel'
            " workbook (.xlsx)), so it is not a benefit database. Point --db (or BENEFIT_DB) at your"
            " benefit database file.",
    "first-pages": 'Error: "{p}" is damaged or truncated (only 2 of its {pages} pages are there), so it'
                   ' cannot be used. Restore your latest backup (copies made with "benefit db backup")'
                   " and point --db at it.",
    "mid-page": 'Error: "{p}" is damaged or truncated (it ends part-way through a page, at byte 5,000),'
                ' so it cannot be used. Restore your latest backup (copies made with "benefit db'
                ' backup") and point --db at it.',
    "header-only": 'Error: "{p}" is damaged or truncated, so it cannot be used. Restore your latest'
                   ' backup (copies made with "benefit db backup") and point --db at it.',
}


def expected_pages(folder: Path) -> int:
    whole = folder / "whole.db"
    return whole.stat().st_size // 4096 if whole.exists() else 0


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize(
    "command",
    [("contact", "list"), ("balance", "C1"), ("use", "C1", "PASS"), ("db", "check"), ("db", "migrate")],
    ids=lambda c: "-".join(c),
)
def test_a_path_that_is_not_a_benefit_database_is_refused_and_left_as_it_was(cli, tmp_path, kind, command):
    folder = tmp_path / "files"
    folder.mkdir()
    path = make_hostile(kind, folder, cli)
    before = file_state(folder)
    result = cli("--db", path, *command, code=1)
    assert one_error(result) == HOSTILE[kind].format(p=path, pages=expected_pages(folder))
    assert file_state(folder) == before  # no byte written, no -wal or -shm made beside it
    if kind == "empty":
        assert path.stat().st_size == 0


@pytest.mark.parametrize("kind", ["folder", "text", "png", "xlsx", "first-pages", "header-only"])
def test_db_init_never_writes_over_a_file_that_is_not_a_database(cli, tmp_path, kind):
    folder = tmp_path / "files"
    folder.mkdir()
    path = make_hostile(kind, folder, cli)
    before = file_state(folder)
    line = one_error(cli("--db", path, "db", "init", code=1))
    if kind in ("folder", "first-pages", "header-only"):
        assert line == HOSTILE[kind].format(p=path, pages=expected_pages(folder))
    else:
        assert line.endswith(
            "so it is not a benefit database. Choose another file name for the new database; this"
            " file was left as it was."
        ), line
    assert file_state(folder) == before


def test_db_init_makes_an_empty_file_created_on_purpose_a_new_database(cli, tmp_path):
    # Decision: `touch museum.db && benefit --db museum.db db init` is a deliberate request;
    # only db init (and demo) may write into an empty file -- every other command refuses it.
    path = tmp_path / "museum.db"
    path.touch()
    result = cli("--db", path, "db", "init")
    assert result.stderr.strip() == f"Created {path}."
    cli("--db", path, "contact", "add", "Ann", "--ref", "C1")
    assert [c["ref"] for c in cli("--db", path, "contact", "list", "-f", "json").json()] == ["C1"]


def test_a_database_damaged_inside_is_named_damaged_not_an_internal_error(cli, tmp_path):
    ledger(cli)
    path = tmp_path / "damaged.db"
    copy_db(Path(os.environ["BENEFIT_DB"]), path)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'contacts'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xa5" * page_size
    path.write_bytes(bytes(data))
    line = one_error(cli("--db", path, "contact", "list", code=1))
    assert line == (
        f'Error: "{path}" is damaged or truncated (database disk image is malformed), so it cannot be'
        ' used. Restore your latest backup (copies made with "benefit db backup") and point --db at it.'
    )


# -- SQLite's own errors while a command runs: one sentence each, never "unexpected" ----------


def raised_by_sqlite(what: str, tmp_path: Path) -> sqlite3.DatabaseError:
    """A real error from SQLite (disk I/O errors cannot be caused at will: that one is made)."""
    path = tmp_path / "errors.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("CREATE TABLE IF NOT EXISTS t (x BLOB)")
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        if what == "locked":
            holder.execute("BEGIN IMMEDIATE")
            conn.execute("BEGIN IMMEDIATE")
        elif what == "readonly":
            conn.execute("PRAGMA query_only = ON")
            conn.execute("INSERT INTO t VALUES (1)")
        elif what == "full":
            conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
            conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
        elif what == "io":
            error = sqlite3.OperationalError("disk I/O error")
            error.sqlite_errorcode = 10  # type: ignore[attr-defined]  # SQLITE_IOERR
            raise error
        elif what == "integrity":
            conn.execute("CREATE TABLE u (x UNIQUE)")
            conn.execute("INSERT INTO u VALUES (1), (1)")
    except sqlite3.DatabaseError as error:
        return error
    finally:
        conn.close()
        holder.close()
    raise AssertionError(f"SQLite raised nothing for {what}")


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("locked", "Error: The database stayed busy with another command for too long; nothing was"
                   " changed. Try again when it has finished (BENEFIT_BUSY_TIMEOUT sets how many"
                   " seconds to wait)."),
        ("readonly", 'Error: The database file "{p}" is read-only, so nothing was changed. Ask whoever'
                     " manages it for write permission, or work on a copy in a folder of your own."),
        ("full", 'Error: The disk holding "{p}" is full, so nothing was changed. Free some space on it'
                 " and try again."),
        ("io", 'Error: The disk holding "{p}" could not be read or written (disk I/O error), so nothing'
               " was changed. Check that the disk or network share is available, then run: benefit"
               " db check."),
    ],
)
def test_sqlite_errors_during_a_command_are_one_clear_sentence(tmp_path, monkeypatch, what, expected):
    # The permissions of this file allow writing: "readonly" comes from elsewhere (a
    # read-only mount, a permission changed under the command), so the sentence names the file.
    path = tmp_path / "benefits.db"
    path.touch()
    monkeypatch.setenv("BENEFIT_DB", str(path))
    monkeypatch.setattr(state, "db", None)  # as the root callback leaves it without --db
    if what == "readonly" and os.geteuid() != 0:
        path.chmod(0o444)
    error = raised_by_sqlite(what, tmp_path)
    result = run_group_command(error)
    assert result.exit_code == 1
    if what == "readonly" and os.geteuid() != 0:
        expected = expected.replace("is read-only,", "is read-only for you,")
    assert one_error(result) == expected.format(p=path)


def test_an_error_of_the_program_itself_stays_an_internal_error(tmp_path):
    result = run_group_command(raised_by_sqlite("integrity", tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: an unexpected internal error happened (IntegrityError)")


def run_group_command(error: Exception) -> Result:
    """``error`` raised by a command under the app's own error handling."""
    app = typer.Typer(cls=BenefitGroup)

    @app.command()
    def fail() -> None:
        raise error

    @app.command()
    def other() -> None:  # two commands, so "fail" is a subcommand as in the real app
        pass

    outcome = CliRunner().invoke(typer.main.get_command(app), ["fail"], catch_exceptions=False)
    return Result(outcome.exit_code, outcome.stdout, outcome.stderr)


# -- 10. read-only: run as a user without write permission ------------------------------------

BOOT = "import sys; sys.argv[0] = 'benefit'; from benefit_cli.entry import main; main()"


@dataclass(frozen=True)
class User:
    """How to run the CLI as a user whom file permissions bind."""

    python: str
    pythonpath: str
    uid: int | None  # None: the current user, who is not root
    gid: int | None

    def own(self, *paths: Path) -> None:
        """Make ``paths`` this user's, as their own files and folders would be."""
        if self.uid is not None and self.gid is not None:
            for path in paths:
                os.chown(path, self.uid, self.gid)

    def drop(self) -> None:
        if self.uid is not None and self.gid is not None:
            os.setgroups([])
            os.setgid(self.gid)
            os.setuid(self.uid)

    def run(self, db: Path, *args: str, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BENEFIT_")}
        environment.update(BENEFIT_DB=str(db), BENEFIT_OPERATOR="staff", BENEFIT_TODAY=TODAY,
                           PYTHONDONTWRITEBYTECODE="1", HOME=tempfile.gettempdir(), **(env or {}))
        if self.pythonpath:
            environment["PYTHONPATH"] = self.pythonpath
        return subprocess.run([self.python, "-c", BOOT, *args], capture_output=True, text=True,
                              timeout=TIMEOUT, env=environment, cwd=tempfile.gettempdir(),
                              preexec_fn=self.drop if self.uid is not None else None)


@functools.cache
def _find_user() -> User | str:
    """The user to run as, or why there is none (looked for once, when first needed)."""
    if os.geteuid() != 0:
        return User(sys.executable, "", None, None)
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return "running as root and there is no 'nobody' user to drop privileges to"
    # The test's own interpreter may sit where only root can enter (pyenv under /root): then
    # the same Python version elsewhere, given this environment's packages, does as well.
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, f"/usr/local/bin/python{version}", f"/usr/bin/python{version}"]
    project = str(Path(benefit_cli.__file__).resolve().parents[1])
    pythonpath = os.pathsep.join([project, *site.getsitepackages()])
    probe = ("import sys, typer, rich, benefit_cli;"
             f" assert sys.version_info[:2] == {sys.version_info[:2]!r}")
    for python in dict.fromkeys(candidates):
        user = User(python, pythonpath, nobody.pw_uid, nobody.pw_gid)
        env = {**os.environ, "PYTHONPATH": pythonpath, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            done = subprocess.run([python, "-c", probe], capture_output=True, timeout=TIMEOUT, env=env,
                                  cwd="/", preexec_fn=user.drop)
        except OSError:
            continue
        if done.returncode == 0:
            return user
    return f"running as root and no Python {version} with this project's packages can be run as 'nobody'"


@pytest.fixture
def user() -> User:
    found = _find_user()
    if isinstance(found, str):
        pytest.skip(found)
    return found


@pytest.fixture
def shared(user: User) -> Iterator[Path]:
    """A folder both this process and ``user`` can reach (pytest's tmp_path is private to
    root when the suite runs as root); permissions are restored before it is removed."""
    base = Path(tempfile.mkdtemp(prefix="benefit-env-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for folder, _, _ in os.walk(base):
            os.chmod(folder, 0o755)
        shutil.rmtree(base)


def ledger_in(cli: Cli, user: User, folder: Path) -> Path:
    """The ledger of ``ledger()`` copied to ``folder``, owned by ``user``, closed cleanly
    (no -wal or -shm file beside it)."""
    ledger(cli)
    folder.mkdir()
    path = folder / "benefits.db"
    copy_db(Path(os.environ["BENEFIT_DB"]), path)
    user.own(folder, path)
    assert sorted(p.name for p in folder.iterdir()) == ["benefits.db"]
    return path


def reads_work(user: User, path: Path) -> None:
    """Every kind of read answers from the file as it is."""
    balance = user.run(path, "balance", "C1", "-f", "json")
    assert balance.returncode == 0, balance.stderr
    assert [(r["type"], r["granted"], r["used"], r["remaining"]) for r in json.loads(balance.stdout)] == [
        ("PASS", 5, 1, 4)
    ]
    report = user.run(path, "report", "balances", "-f", "csv")
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines()[1].split(",")[:9] == ["C1", "Ann", "PASS", "5", "0", "1", "0", "0", "4"]
    contacts = user.run(path, "contact", "list", "-f", "json")
    assert contacts.returncode == 0, contacts.stderr
    assert [c["ref"] for c in json.loads(contacts.stdout)] == ["C1"]
    check = user.run(path, "db", "check")
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == f"{path}: no problems found."


def rows_of(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """``snapshot`` of a database this process may not be able to open where it is (a
    read-only folder when the suite does not run as root): read from a copy."""
    with tempfile.TemporaryDirectory() as scratch:
        for suffix in ("", "-wal"):
            if Path(f"{path}{suffix}").exists():
                shutil.copyfile(f"{path}{suffix}", Path(scratch) / f"copy.db{suffix}")
        return snapshot(Path(scratch) / "copy.db")


WRITES = [
    ("use", "C1", "PASS"),
    ("contact", "add", "Bob", "--ref", "C2"),
    ("adjust", "C1", "PASS", "--by", "1", "--reason", "gift"),
]


def writes_refused(user: User, path: Path, reason: str) -> None:
    expected = (
        f"Error: {reason[0].upper()}{reason[1:]}, so nothing was changed. Ask whoever manages it"
        " for write permission, or work on a copy in a folder of your own."
    )
    usage = path.parent.parent / "usage.csv"  # in the shared folder, which the user may read
    usage.write_text(f"contact,type,quantity,used_on\nC1,PASS,1,{TODAY}\n", encoding="utf-8")
    before = rows_of(path)
    for args in [*WRITES, ("usage", "import", str(usage))]:
        result = user.run(path, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert one_error(result) == expected, args
    assert rows_of(path) == before


def test_a_database_in_a_read_only_folder_answers_reads_and_refuses_writes(cli, user, shared):
    path = ledger_in(cli, user, shared / "ro")
    path.parent.chmod(0o555)
    before = file_state(path.parent)
    reads_work(user, path)
    writes_refused(user, path, f'the folder "{path.parent}" that holds "benefits.db" is read-only for you')
    assert file_state(path.parent) == before  # not even a -wal or -shm file was made


def test_a_read_only_database_file_answers_reads_and_refuses_writes(cli, user, shared):
    path = ledger_in(cli, user, shared / "rw")
    path.chmod(0o444)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    reads_work(user, path)
    writes_refused(user, path, f'the database file "{path}" is read-only for you')
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_a_read_only_folder_with_the_database_open_elsewhere_reads_its_latest_writes(cli, user, shared):
    path = ledger_in(cli, user, shared / "open")
    # Another program keeps the file open, and its last write is still in the -wal file:
    # a reader that ignored it (immutable) would show 1 used, not 2.
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("SELECT count(*) FROM contacts").fetchone()  # holds the -wal and -shm open
        cli("--db", path, "use", "C1", "PASS", "--on", TODAY)
        assert Path(f"{path}-wal").stat().st_size > 0
        path.parent.chmod(0o555)
        balance = user.run(path, "balance", "C1", "-f", "json")
        assert balance.returncode == 0, balance.stderr
        assert [(r["used"], r["remaining"]) for r in json.loads(balance.stdout)] == [(2, 3)]
        before = rows_of(path)
        result = user.run(path, "use", "C1", "PASS")
        assert result.returncode == 1
        assert one_error(result).startswith(f'Error: The folder "{path.parent}" that holds "benefits.db" is')
        assert rows_of(path) == before
    finally:
        holder.close()


def test_a_folder_others_may_write_is_not_read_without_its_wal_files(cli, user, shared):
    if user.uid is None:
        pytest.skip("needs root: the folder must belong to another user than the one running the CLI")
    path = ledger_in(cli, user, shared / "theirs")
    os.chown(path.parent, 0, 0)  # root's folder, writable by root only: a writer may come
    before = file_state(path.parent)
    result = user.run(path, "balance", "C1")
    assert result.returncode == 1
    assert one_error(result) == (
        f'Error: "{path}" cannot be read safely: the folder "{path.parent}" that holds "benefits.db" is'
        ' read-only for you but not for everyone, and SQLite needs to make "benefits.db-wal" and'
        ' "benefits.db-shm" beside it to read while someone else may be writing. Ask for write'
        " permission on the folder, or copy the database to a folder of your own."
    )
    assert file_state(path.parent) == before


def test_a_database_left_unclosed_in_a_read_only_folder_is_refused_clearly(cli, user, shared):
    path = ledger_in(cli, user, shared / "unclean")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("SELECT count(*) FROM contacts").fetchone()  # holds the -wal and -shm open
    cli("--db", path, "use", "C1", "PASS", "--on", TODAY)  # a change only the -wal holds
    crashed = shared / "crashed"
    crashed.mkdir()
    for name in ("benefits.db", "benefits.db-wal"):  # what a crash leaves, minus the -shm
        shutil.copyfile(path.parent / name, crashed / name)
        user.own(crashed / name)
    holder.close()
    crashed.chmod(0o555)
    copy = crashed / "benefits.db"
    result = user.run(copy, "balance", "C1")
    assert result.returncode == 1
    assert one_error(result) == (
        f'Error: "{copy}" was not closed cleanly (its "benefits.db-wal" file holds recent changes) and'
        f' the folder "{crashed}" that holds "benefits.db" is read-only for you, so it cannot be read.'
        " Ask whoever manages the folder to open it once with write permission"
        f' (benefit --db "{copy}" db check does), then try again.'
    )


def test_an_older_read_only_database_says_it_must_be_upgraded_first(user, shared):
    folder = shared / "old"
    folder.mkdir()
    path = folder / "benefits.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn, upto=1, operator="v1")
    conn.close()
    user.own(folder, path)
    folder.chmod(0o555)
    before = file_state(folder)
    result = user.run(path, "contact", "list")
    assert result.returncode == 1
    assert one_error(result) == (
        f'Error: "{path}" was made by an older version of benefit-cli and must be upgraded before it'
        f' can be used, but the folder "{folder}" that holds "benefits.db" is read-only for you. Ask'
        f' for write permission, then run: benefit --db "{path}" db migrate.'
    )
    assert file_state(folder) == before


def test_db_init_in_a_read_only_folder_says_it_cannot_create_the_file(user, shared):
    folder = shared / "empty"
    folder.mkdir()
    user.own(folder)
    folder.chmod(0o555)
    path = folder / "benefits.db"
    result = user.run(path, "db", "init")
    assert result.returncode == 1
    assert one_error(result) == (
        f'Error: Cannot create a database at "{path}": the folder "{folder}" that holds "benefits.db"'
        " is read-only for you. Choose a folder of your own, or ask for write permission on this one."
    )
    assert list(folder.iterdir()) == []


# -- 11. another command holds the write lock ----------------------------------------------------


def child_env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENEFIT_")}
    env.update(BENEFIT_DB=str(db), BENEFIT_OPERATOR="staff", BENEFIT_TODAY=TODAY,
               PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


@pytest.fixture
def locked(cli: Cli) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """The ledger, and a connection of this process holding its write lock."""
    ledger(cli)
    path = Path(os.environ["BENEFIT_DB"])
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield path, holder
    finally:
        holder.close()


def notice(seconds: str) -> str:
    return (
        "Another command is writing to the database; this one is waiting for it to finish"
        f" (it gives up after {seconds})."
    )


def uses(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM entries WHERE kind = 'use'").fetchone()[0])
    finally:
        conn.close()


def test_a_write_says_it_waits_then_gives_up_at_the_bound_changing_nothing(locked):
    path, holder = locked
    before = snapshot(path)
    done = subprocess.run([str(BENEFIT), "use", "C1", "PASS"], capture_output=True, text=True,
                          timeout=TIMEOUT, env=child_env(path, BENEFIT_BUSY_TIMEOUT="1"))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        notice("1 second"),
        "Error: The database stayed busy with another command for 1 second; nothing was changed. Try"
        " again when it has finished (BENEFIT_BUSY_TIMEOUT sets how many seconds to wait).",
    ]
    holder.execute("ROLLBACK")
    assert snapshot(path) == before


def test_a_write_goes_through_when_the_other_command_finishes_during_its_wait(locked):
    path, holder = locked
    process = subprocess.Popen([str(BENEFIT), "use", "C1", "PASS"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env=child_env(path, BENEFIT_BUSY_TIMEOUT="5"))
    try:
        assert process.stderr is not None
        # Released only once the notice is out, so the test does not depend on timing.
        assert process.stderr.readline().rstrip("\n") == notice("5 seconds")
        holder.execute("ROLLBACK")
        out, err = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    assert "Error" not in err and "waiting" not in err  # the notice was said once, read above
    assert uses(path) == 2


def test_reads_never_wait_for_a_writer(locked):
    path, _ = locked
    # With no wait allowed at all, a read that needed the lock would be refused at once.
    env = child_env(path, BENEFIT_BUSY_TIMEOUT="0")
    for args in (["balance", "C1", "-f", "json"], ["report", "balances", "-f", "csv"],
                 ["contact", "list", "-f", "json"], ["db", "check"]):
        done = subprocess.run([str(BENEFIT), *args], capture_output=True, text=True, timeout=TIMEOUT, env=env)
        assert done.returncode == 0, (args, done.stderr)
        assert "waiting" not in done.stderr and "Error" not in done.stderr, args
    balance = subprocess.run([str(BENEFIT), "balance", "C1", "-f", "json"], capture_output=True, text=True,
                             timeout=TIMEOUT, env=env)
    assert [r["remaining"] for r in json.loads(balance.stdout)] == [4]


def test_on_a_terminal_the_wait_shows_a_spinner_not_a_line(locked):
    path, holder = locked
    leader, follower = pty.openpty()
    env = child_env(path, BENEFIT_BUSY_TIMEOUT="5", TERM="xterm-256color", COLUMNS="160")
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([str(BENEFIT), "use", "C1", "PASS"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=follower, text=True, env=env)
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + TIMEOUT
        while b"this one is waiting" not in seen:
            assert time.monotonic() < deadline, seen
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                seen += os.read(leader, 4096)
        holder.execute("ROLLBACK")
        process.communicate(timeout=TIMEOUT)
        try:
            while select.select([leader], [], [], 0.5)[0]:
                seen += os.read(leader, 4096)
        except OSError:
            pass  # the terminal closed with the process
    finally:
        process.kill()
        process.wait()
        os.close(leader)
    assert process.returncode == 0
    text = seen.decode("utf-8", "replace")
    message = notice("5 seconds")
    # Every time the message is drawn, a spinner frame comes before it, never a bare line...
    assert text.count(message) >= 1
    assert text.count(message) == text.count(f"\x1b[0m {message}"), text
    # ... and once the wait is over the spinner's line is cleared (erase line) for what follows.
    assert "\x1b[2K" in text[text.rindex(message):], text
    assert uses(path) == 2


def test_the_bound_is_the_callers_default_unless_the_variable_sets_it(locked, monkeypatch):
    path, holder = locked
    told: list[float] = []

    def on_busy(seconds: float) -> Any:
        told.append(seconds)
        return contextlib.nullcontext()

    monkeypatch.delenv("BENEFIT_BUSY_TIMEOUT", raising=False)
    conn = connect(path, busy_wait=0.3, on_busy=on_busy)  # a cron run's longer default, shortened
    with pytest.raises(Busy) as refused, write(conn):
        pass
    assert told == [0.3]
    assert "for 0.3 seconds" in refused.value.message
    monkeypatch.setenv("BENEFIT_BUSY_TIMEOUT", "0.2")
    conn = connect(path, busy_wait=600, on_busy=on_busy)
    with pytest.raises(Busy), write(conn):
        pass
    assert told == [0.3, 0.2]
    holder.execute("ROLLBACK")
    with write(conn):  # and with the lock free, no wait and no notice
        pass
    assert told == [0.3, 0.2]


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "100000"])
def test_a_malformed_busy_timeout_is_a_usage_error(cli, db, monkeypatch, value):
    monkeypatch.setenv("BENEFIT_BUSY_TIMEOUT", value)
    result = cli("contact", "list", code=UsageError.exit_code)
    assert one_error(result) == (
        f'Error: BENEFIT_BUSY_TIMEOUT must be a number of seconds from 0 to 86400, not "{value}". Set it'
        " to how long a command should wait for another one (like 30), or unset it."
    )


@pytest.mark.parametrize("locked_away", ["file", "folder"])
def test_a_database_the_user_may_not_read_is_refused_by_name(cli, user, shared, locked_away):
    if user.uid is None:
        pytest.skip("needs root: the file must belong to another user than the one running the CLI")
    path = ledger_in(cli, user, shared / "private")
    os.chown(path.parent, 0, 0)
    os.chown(path, 0, 0)
    (path if locked_away == "file" else path.parent).chmod(0o600 if locked_away == "file" else 0o700)
    result = user.run(path, "balance", "C1")
    assert result.returncode == 1
    assert one_error(result) == (
        f'Error: "{path}" cannot be read: you have no permission to read it. Ask whoever manages it'
        " for read access."
        if locked_away == "file" else
        f'Error: "{path}" cannot be reached: you have no permission to open its folder. Ask whoever'
        " manages that folder for access."
    )
