"""``benefit db ...`` and ``benefit demo``"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from benefit_cli.cli.common import db_path, note, open_store, show, today

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
    open_store(create=True)
    note(f"{'Upgraded' if existed else 'Created'} {path}.")


@app.command("migrate")
def migrate() -> None:
    """Upgrade the database to this version's schema (also done on every open).

    Example: benefit db migrate
    """
    from benefit_cli.db.connection import schema_version

    store = open_store()
    note(f"{db_path()} is at schema {schema_version(store.conn)}.")


@app.command("check")
def check() -> None:
    """Check integrity and every invariant; exit 1 if anything is wrong.

    Example: benefit db check
    """
    from benefit_cli.render import printable
    from benefit_cli.services.checks import run_checks

    findings = run_checks(open_store())
    for finding in findings:
        print(printable(str(finding)))  # a finding may quote a damaged row's text
    if findings:
        note(f"{len(findings)} problem(s) found in {db_path()}.")
        raise typer.Exit(1)
    note(f"{db_path()}: no problems found.")


@app.command("backup")
def backup(path: Annotated[Path, typer.Argument(help="Where to write the copy.")]) -> None:
    """Copy the database safely while others may be using it.

    Example: benefit db backup backups/benefits-2026-11-23.db
    """
    from benefit_cli.db.connection import backup as backup_
    from benefit_cli.domain.errors import Invalid

    if path.exists():
        raise Invalid(f'"{path}" already exists; choose a new file name for the backup.')
    store = open_store()
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_(store.conn, path)
    note(f"Backed up {db_path()} to {path}.")


@app.command("stats")
def stats() -> None:
    """Show which file is in use, its schema and how many rows each table holds.

    Example: benefit db stats
    """
    from benefit_cli.db.connection import schema_version
    from benefit_cli.render import printable

    store = open_store()
    path = db_path()
    print(f"database: {printable(str(path.resolve()))}")
    print(f"size: {path.stat().st_size:,} bytes")
    print(f"schema: {schema_version(store.conn)}")
    for table, count in store.checks.table_counts().items():
        print(f"{table}: {count:,}")


@app.command("path")
def path_() -> None:
    """Print the path of the database file in use, for other tools.

    Example: sqlite3 "$(benefit db path)" "SELECT * FROM balances"
    """
    # The file is not opened: this answers even where it is missing, and says so.
    path = db_path().resolve()
    print(path)
    if not path.exists():
        note(f'There is no database at "{path}" yet; create it with: benefit db init.')


@app.command("datasette-metadata")
def datasette_metadata() -> None:
    """Print a metadata file for Datasette: titles, descriptions, units and the names
    rows show, for the database in use.

    Example: benefit db datasette-metadata > metadata.json && datasette "$(benefit db path)" -m metadata.json
    """
    import json

    from benefit_cli.db.datasette import datasette_metadata as metadata

    # Datasette calls a database by its file's name without the extension.
    print(json.dumps(metadata(db_path().stem), indent=2, ensure_ascii=False))


def demo(
    replace: Annotated[bool, typer.Option("--replace", help="Replace the file if it exists.")] = False,
) -> None:
    """Build a demo database from the sample data and show a short tour.

    Example: benefit --db demo.db demo
    """
    from benefit_cli.domain.errors import Invalid
    from benefit_cli.reports.lists import allocation_rows
    from benefit_cli.services.demo import TOUR, build_demo, tour_level

    path = db_path()
    if path.exists():
        if not replace:
            raise Invalid(f'"{path}" already exists; give --replace to rebuild it, or another --db.')
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(create=True)
    counts = build_demo(store)
    note(f"Built the demo database {path}: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    level = tour_level(store)
    for line in [*TOUR.format(path=path, level=level.id).rstrip().splitlines(), ""]:
        note(line)  # a note is one line: it shows any line break as "\n"
    note("How José Álvarez split his family's reduced admissions:")
    show(allocation_rows(store, store.allocations.find(level_id=level.id), today()))
