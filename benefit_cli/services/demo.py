"""The demo: a small museum built from ``sample_data/`` through the same rules as the
commands a user types, so the sample files are also examples to imitate."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import benefit_cli
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import NotFound, RowErrors
from benefit_cli.services import allocations, catalog, contacts, memberships

SAMPLE_DATA = Path(benefit_cli.__file__).resolve().parent.parent / "sample_data"


def _rows(name: str, columns: dict[str, bool]) -> Iterator[dict[str, str]]:
    from benefit_cli.csvio.reader import open_csv

    path = SAMPLE_DATA / name
    if not path.exists():
        raise NotFound(f"The sample data is missing ({path}); run the demo from a clone of benefit-cli.")
    with open_csv(path, columns=columns) as source:
        for _row, values, _raw in source.rows():
            yield values


def _day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def build_demo(conn: sqlite3.Connection) -> dict[str, int]:
    """Load every sample file; return how many of each thing were loaded."""
    counts: dict[str, int] = {}
    type_columns = dict.fromkeys(
        ["code", "name", "category", "unit", "unit_value", "kind", "group", "description", "schedule"], False
    )
    for row in _rows("types.csv", type_columns):
        catalog.add_type(
            conn,
            row["code"],
            row["name"],
            row["unit"],
            row["category"],
            row["unit_value"],
            row["kind"] or "standard",
            row["group"] or None,
            row["description"] or None,
            row["schedule"] or None,
        )
        counts["benefit types"] = counts.get("benefit types", 0) + 1
    for row in _rows(
        "plans.csv", dict.fromkeys(["code", "name", "term_months", "grace_days", "price"], True)
    ):
        catalog.add_plan(
            conn, row["code"], row["name"], int(row["term_months"]), int(row["grace_days"] or 0), row["price"]
        )
        counts["plans"] = counts.get("plans", 0) + 1
    rule_columns = dict.fromkeys(
        ["plan", "type", "quantity", "per", "begin_on", "end_on", "priority", "associates", "price_portion"],
        False,
    )
    for row in _rows("plan_benefits.csv", rule_columns):
        catalog.add_rule(
            conn,
            row["plan"],
            row["type"],
            row["quantity"],
            row["per"] or "term",
            _day(row["begin_on"]),
            _day(row["end_on"]),
            int(row["priority"]) if row["priority"] else None,
            row["associates"] == "1",
            row["price_portion"] or None,
        )
        counts["plan benefits"] = counts.get("plan benefits", 0) + 1
    counts["contacts"] = contacts.import_contacts(conn, SAMPLE_DATA / "contacts.csv").added
    counts["memberships"] = memberships.import_memberships(conn, SAMPLE_DATA / "memberships.csv").added
    store = Store(conn)
    for row in _rows(
        "allocations.csv", dict.fromkeys(["owner", "type", "contact", "number", "comment"], False)
    ):
        level_id = _owners_level(store, row["owner"], row["type"])
        allocations.allocate(
            conn, level_id, row["contact"], row["number"] or "1", comment=row["comment"] or None
        )
        counts["allocations"] = counts.get("allocations", 0) + 1
    for row in _rows("delegates.csv", dict.fromkeys(["owner", "type", "contact"], True)):
        owner = store.contact(row["owner"])
        for level in store.levels(owner.id, store.benefit_type(row["type"]).id):
            allocations.add_delegate(conn, level.id, row["contact"])
        counts["delegates"] = counts.get("delegates", 0) + 1
    from benefit_cli.domain.clock import today
    from benefit_cli.services.usage_import import ImportOptions, import_usage

    report = import_usage(conn, SAMPLE_DATA / "usage.csv", ImportOptions(today()))
    if not report.written:
        raise RowErrors(report.errors, problems=report.problems, rows=report.rejected)
    counts["uses"] = report.imported
    return counts


def _owners_level(store: Store, owner_ref: str, type_code: str) -> int:
    owner = store.contact(owner_ref)
    levels = store.levels(owner.id, store.benefit_type(type_code).id)
    if not levels:
        raise NotFound(f'"{owner_ref}" holds no {type_code} level to allocate from.')
    return levels[0].id


TOUR = """
A short tour (the database is {path}):

  benefit --db {path} contact show C000116        the Álvarez family: 5 reduced admissions, split 2+1+1+1
  benefit --db {path} allocation list --level {level}
  benefit --db {path} plan benefit list INDIVIDUAL  guest passes went from 2 to 3 on 2026-07-01
  benefit --db {path} level list --contact C000105 --type ROOM   300 minutes a month, one level each
  benefit --db {path} report history --contact C000117 --type REDUCED   why her balance is 0
  benefit --db {path} report usage --by month --chart     which benefits members use
  benefit --db {path} report statement C000116             a member's own statement
  benefit --db {path} db check                      every invariant, exit 0 when all is well
"""


def tour(conn: sqlite3.Connection, path: Path) -> None:
    from benefit_cli.render import Rows, note, render
    from benefit_cli.reports.lists import allocation_rows

    store = Store(conn)
    level = _owners_level(store, "C000116", "REDUCED")
    for line in [*TOUR.format(path=path, level=level).rstrip().splitlines(), ""]:
        note(line)  # a note is one line: it shows any line break as "\n"
    note("How José Álvarez split his family's reduced admissions:")
    rows: Rows = allocation_rows(
        store, [store.allocation(r["id"]) for r in store.list_allocations(level_id=level)]
    )
    render(rows)
