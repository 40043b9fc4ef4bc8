"""``benefit db ...`` and ``benefit demo``"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benefit_cli.cli.common import db_path, note, open_db

app = typer.Typer(help="The database file: create, upgrade, check, back up.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")
    root.command("demo")(demo)


@app.command("init")
def init() -> None:
    """Create a new, empty database (or upgrade an existing one).

    Example: benefit --db museum.db db init
    """
    path = db_path()
    try:
        existed = path.stat().st_size > 0  # an empty file made on purpose for init is new
    except OSError:
        existed = False
    open_db(create=True)
    note(f"{'Upgraded' if existed else 'Created'} {path}.")


@app.command("migrate")
def migrate() -> None:
    """Upgrade the database to this version's schema (also done on every open).

    Example: benefit db migrate
    """
    from benefit_cli.db.connection import schema_version

    conn = open_db()
    note(f"{db_path()} is at schema {schema_version(conn)}.")


@app.command("check")
def check() -> None:
    """Check integrity and every invariant; exit 1 if anything is wrong.

    Example: benefit db check
    """
    from benefit_cli.services.checks import run_checks

    findings = run_checks(open_db())
    for finding in findings:
        print(finding)
    if findings:
        note(f"{len(findings)} problem(s) found in {db_path()}.")
        raise typer.Exit(1)
    note(f"{db_path()}: no problems found.")


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """Copy the database safely while others may be using it.

    Example: benefit db backup backups/benefits-2026-11-23.db
    """
    import sqlite3

    from benefit_cli.domain.errors import Invalid

    if path.exists():
        raise Invalid(f'"{path}" already exists; choose a new file name for the backup.')
    conn = open_db()
    path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(path)
    with target:
        conn.backup(target)
    target.close()
    note(f"Backed up {db_path()} to {path}.")


@app.command("stats")
def stats() -> None:
    """Show which file is in use, its schema and how many rows each table holds.

    Example: benefit db stats
    """
    import sqlite_utils

    from benefit_cli.db.connection import schema_version

    conn = open_db()
    database = sqlite_utils.Database(conn)
    path = db_path()
    print(f"database: {path.resolve()}")
    print(f"size: {path.stat().st_size:,} bytes")
    print(f"schema: {schema_version(conn)}")
    for table in database.tables:
        if table.name != "migrations":
            print(f"{table.name}: {table.count:,}")


def demo(
    replace: Annotated[bool, typer.Option("--replace", help="Replace the file if it exists.")] = False,
) -> None:
    """Build a demo database from the sample data and show a short tour.

    Example: benefit --db demo.db demo
    """
    from benefit_cli.domain.errors import Invalid
    from benefit_cli.services.demo import build_demo, tour

    path = db_path()
    if path.exists():
        if not replace:
            raise Invalid(f'"{path}" already exists; give --replace to rebuild it, or another --db.')
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = open_db(create=True)
    counts = build_demo(conn)
    note(f"Built the demo database {path}: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    tour(conn, path)
