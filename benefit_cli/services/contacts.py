"""Contacts: people and businesses, added one by one or imported from a CRM export."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benefit_cli.db.connection import write
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import CsvError, Invalid, NotFound, RowErrors, UsageError
from benefit_cli.domain.models import Contact

CONTACT_COLUMNS = {
    "ref": True,
    "name": True,
    "kind": False,
    "business_ref": False,
    "email": False,
    "joined_on": False,
}


def add_contact(
    conn: sqlite3.Connection,
    name: str,
    ref: str | None = None,
    business: bool = False,
    of: str | None = None,
    email: str | None = None,
    joined: dt.date | None = None,
) -> Contact:
    name = name.strip()
    if not name:
        raise UsageError("The contact's name must not be empty.")
    if business and of:
        raise UsageError("A business cannot belong to another business: give --business or --of, not both.")
    ref = ref.strip() if ref else None
    store = Store(conn)
    with write(conn):
        if ref and store.contact_ref_exists(ref):
            raise Invalid(
                f'A contact with ref "{ref}" already exists; see it with: benefit contact show {ref}.'
            )
        business_id = _business_id(store, of) if of else None
        contact_id = store.insert_contact(
            ref, name, "business" if business else "person", business_id, email, joined
        )
    return store.contact_by_id(contact_id)


def _business_id(store: Store, key: str) -> int:
    business = store.contact(key)
    if business.kind != "business":
        raise Invalid(f"{business.label} is a person, not a business; --of takes a business.")
    return business.id


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CsvError] = field(default_factory=list)


def import_contacts(
    conn: sqlite3.Connection,
    path: Path,
    update: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    dayfirst: bool | None = None,
) -> ImportResult:
    """Import contacts by ref, all or nothing: a row already present adds nothing, a
    changed one is an error unless ``update``."""
    from benefit_cli.csvio.dates import parse_date
    from benefit_cli.csvio.reader import open_csv

    store = Store(conn)
    result = ImportResult()
    with (
        write(conn),
        open_csv(path, columns=CONTACT_COLUMNS, encoding=encoding, delimiter=delimiter) as source,
    ):
        store.bulk_mode()
        for row_number, values, _raw in source.rows():
            result.rows += 1
            try:
                _import_row(store, values, row_number, update, dayfirst, parse_date, result)
            except CsvError as error:
                result.errors.append(error)
        if result.errors:
            raise RowErrors(result.errors)  # write() rolls back every row
    return result


def _import_row(
    store: Store,
    values: dict[str, str],
    row_number: int,
    update: bool,
    dayfirst: bool | None,
    parse_date: Callable[..., dt.date],
    result: ImportResult,
) -> None:
    ref, name = values["ref"], values["name"]
    if not ref:
        raise CsvError(
            "the ref is missing; every contact needs the id it has in your other systems.", row_number, "ref"
        )
    if not name:
        raise CsvError("the name is missing.", row_number, "name")
    kind = (values.get("kind") or "person").lower()
    if kind not in ("person", "business"):
        raise CsvError(f'kind must be "person" or "business", got "{values["kind"]}".', row_number, "kind")
    business_id = None
    if values.get("business_ref"):
        try:
            business = store.contact(values["business_ref"])
        except NotFound:
            raise CsvError(
                f'no business "{values["business_ref"]}" (list businesses before their people).',
                row_number,
                "business_ref",
            ) from None
        if business.kind != "business":
            raise CsvError(f'"{business.ref}" is a person, not a business.', row_number, "business_ref")
        business_id = business.id
    joined = None
    if values.get("joined_on"):
        try:
            joined = parse_date(values["joined_on"], dayfirst=dayfirst)
        except ValueError as exc:
            raise CsvError(str(exc), row_number, "joined_on") from None
    email = values.get("email") or None
    if not store.contact_ref_exists(ref):
        store.insert_contact(ref, name, kind, business_id, email, joined)
        result.added += 1
        return
    current = store.contact(ref)
    wanted = {"name": name, "kind": kind, "business_id": business_id, "email": email, "joined_on": joined}
    changed = {k: v for k, v in wanted.items() if getattr(current, k) != v}
    if not changed:
        result.unchanged += 1
    elif update:
        store.update_contact(current.id, changed)
        result.updated += 1
    else:
        fields = ", ".join(sorted(changed))
        raise CsvError(
            f'contact "{ref}" already exists with a different {fields}; import with --update to change it.',
            row_number,
            "ref",
        )
