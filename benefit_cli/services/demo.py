"""The demo: a small museum built from ``sample_data/`` through the same rules as the
commands a user types, so the sample files are also examples to imitate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import benefit_cli
from benefit_cli.clock import today
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import Level
from benefit_cli.services import allocations, catalog, contacts, memberships
from benefit_cli.services.importing import ImportOptions
from benefit_cli.services.usage_import import import_usage

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


def _quantity(text: str, unit: str) -> int:
    from benefit_cli.csvio.quantities import parse_quantity

    return parse_quantity(text, unit)


def _money(text: str) -> int:
    return _quantity(text, "money") if text.strip() not in ("", "0", "0.00") else 0


def build_demo(store: Store) -> dict[str, int]:
    """Load every sample file; return how many of each thing were loaded."""
    counts: dict[str, int] = {}
    type_columns = dict.fromkeys(
        ["code", "name", "category", "unit", "unit_value", "kind", "group", "description", "schedule"], False
    )
    with store.transaction() as tx:
        for row in _rows("types.csv", type_columns):
            catalog.add_type(
                tx,
                row["code"].upper(),
                row["name"],
                row["unit"],
                row["category"],
                _money(row["unit_value"]),
                row["kind"] or "standard",
                row["group"].upper() or None,
                row["description"] or None,
                row["schedule"] or None,
            )
            counts["benefit types"] = counts.get("benefit types", 0) + 1
        plan_columns = dict.fromkeys(["code", "name", "term_months", "grace_days", "price"], True)
        for row in _rows("plans.csv", plan_columns):
            catalog.add_plan(
                tx,
                row["code"].upper(),
                row["name"],
                int(row["term_months"]),
                int(row["grace_days"] or 0),
                _money(row["price"]),
            )
            counts["plans"] = counts.get("plans", 0) + 1
        rule_columns = dict.fromkeys(
            [
                "plan",
                "type",
                "quantity",
                "per",
                "begin_on",
                "end_on",
                "priority",
                "associates",
                "price_portion",
            ],
            False,
        )
        for row in _rows("plan_benefits.csv", rule_columns):
            benefit_type = tx.catalog.type(row["type"])
            catalog.add_rule(
                tx,
                tx.catalog.plan(row["plan"]),
                benefit_type,
                _quantity(row["quantity"], benefit_type.unit),
                row["per"] or "term",
                dt.date.fromisoformat(row["begin_on"]),
                _day(row["end_on"]),
                int(row["priority"]) if row["priority"] else None,
                row["associates"] == "1",
                _money(row["price_portion"]) if row["price_portion"] else None,
            )
            counts["plan benefits"] = counts.get("plan benefits", 0) + 1
    options = ImportOptions(today())
    for what, load in (
        ("contacts", contacts.import_contacts),
        ("memberships", memberships.import_memberships),
    ):
        summary = load(store, SAMPLE_DATA / f"{what}.csv", options)
        if not summary.written:
            raise summary.refusal(dry_run=False)
        counts[what] = summary.imported
    with store.transaction() as tx:
        for row in _rows(
            "allocations.csv", dict.fromkeys(["owner", "type", "contact", "number", "comment"], False)
        ):
            level = _owners_level(tx, row["owner"], row["type"])
            unit = tx.catalog.type_by_id(level.type_id).unit
            allocations.allocate(
                tx,
                level,
                tx.contacts.get(row["contact"]),
                _quantity(row["number"] or "1", unit),
                comment=row["comment"] or None,
            )
            counts["allocations"] = counts.get("allocations", 0) + 1
        for row in _rows("delegates.csv", dict.fromkeys(["owner", "type", "contact"], True)):
            owner = tx.contacts.get(row["owner"])
            delegate = tx.contacts.get(row["contact"])
            for level in tx.memberships.levels(owner.id, tx.catalog.type(row["type"]).id):
                allocations.add_delegate(tx, level, delegate)
            counts["delegates"] = counts.get("delegates", 0) + 1
    summary = import_usage(store, SAMPLE_DATA / "usage.csv", options)
    if not summary.written:
        raise summary.refusal(dry_run=False)
    counts["uses"] = summary.imported
    return counts


def _owners_level(store: Store, owner_ref: str, type_code: str) -> Level:
    """The owner's first level of a type, which the sample allocations split."""
    owner = store.contacts.get(owner_ref)
    levels = store.memberships.levels(owner.id, store.catalog.type(type_code).id)
    if not levels:
        raise NotFound(f'"{owner_ref}" holds no {type_code} level to allocate from.')
    return levels[0]


TOUR = """
A short tour (the database is {path}):

  benefit --db {path} contact show C000116        the Álvarez family: 5 reduced admissions, split 2+1+1+1
  benefit --db {path} allocation list --level {level}
  benefit --db {path} plan benefit list INDIVIDUAL  guest passes went from 2 to 3 on 2026-07-01
  benefit --db {path} level list --contact C000105 --type ROOM   300 minutes a month, one level each
  benefit --db {path} report history --contact C000117 --type REDUCED   why her balance is 0
  benefit --db {path} report usage --by month --chart     which benefits members use
  benefit --db {path} report statement C000116             a member's own statement
  benefit --db {path} run scheduled --dry-run       what tonight's cron run would renew, expire and post
  benefit --db {path} subscription fulfil MAGAZINE --through 2026-12-01 --dry-run  the mailing list
  benefit --db {path} db check                      every invariant, exit 0 when all is well
"""


def tour_level(store: Store) -> Level:
    """The level the tour shows split among a family."""
    return _owners_level(store, "C000116", "REDUCED")
