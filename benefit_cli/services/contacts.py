"""Contacts: people and businesses, added one by one or imported from a CRM export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Final

from benefit_cli.csvio.dates import DateReader
from benefit_cli.db.store import Store, Tx
from benefit_cli.domain.errors import CsvError, Invalid, NotFound
from benefit_cli.domain.models import Contact
from benefit_cli.domain.text import nfc
from benefit_cli.services.importing import CsvRow, ImportOptions, ImportSummary, Outcome, run_import

CONTACT_COLUMNS = {
    "ref": True,
    "name": True,
    "kind": False,
    "business_ref": False,
    "email": False,
    "joined_on": False,
}


def add_contact(
    tx: Tx,
    name: str,
    ref: str | None = None,
    kind: str = "person",
    business: Contact | None = None,
    email: str | None = None,
    joined_on: dt.date | None = None,
) -> Contact:
    """Add a person or business; a person may belong to a business. Text is stored NFC,
    so a name typed here equals the same name imported from a file."""
    name, ref, email = nfc(name), nfc(ref) if ref else ref, nfc(email) if email else email
    if not name:
        raise Invalid("A contact's name must not be empty.")
    if ref and tx.contacts.ref_exists(ref):
        raise Invalid(f'A contact with ref "{ref}" already exists; see it with: benefit contact show {ref}.')
    if business is not None:
        require_business(business)
        if kind == "business":
            raise Invalid("A business cannot belong to another business.")
    contact_id = tx.contacts.add(ref, name, kind, business.id if business else None, email, joined_on)
    return tx.contacts.by_id(contact_id)


class _Keep(Enum):
    KEEP = "keep"


#: An ``update_contact`` argument left as it is (None is a value: "no email").
KEEP: Final = _Keep.KEEP


@dataclass(frozen=True)
class Updated:
    contact: Contact  # as it is now
    changed: tuple[str, ...]  # the fields that changed, in the order of ``update_contact``'s arguments


def update_contact(
    tx: Tx,
    contact: Contact,
    *,
    name: str | _Keep = KEEP,
    ref: str | _Keep = KEEP,
    email: str | None | _Keep = KEEP,
    joined_on: dt.date | None | _Keep = KEEP,
    business: Contact | None | _Keep = KEEP,
) -> Updated:
    """Change a contact's details; ``KEEP`` leaves one as it is, None clears it. Its
    memberships, levels and ledger entries hold its id, so a new ref takes them along."""
    wanted: dict[str, Any] = {}
    if name is not KEEP:
        name = nfc(name.strip())
        if not name:
            raise Invalid("A contact's name must not be empty; give the new name, or leave --name out.")
        wanted["name"] = name
    if ref is not KEEP:
        ref = nfc(ref.strip())
        if not ref:
            raise Invalid("A contact's ref must not be empty; give the new ref, or leave --ref out.")
        if ref != contact.ref and tx.contacts.ref_exists(ref):
            raise Invalid(
                f'A contact with ref "{ref}" already exists; see it with: benefit contact show {ref}.'
                " Choose another ref."
            )
        wanted["ref"] = ref
    if email is not KEEP:
        wanted["email"] = nfc(email.strip()) if email and email.strip() else None
    if joined_on is not KEEP:
        wanted["joined_on"] = joined_on
    if business is not KEEP:
        if business is not None:
            require_business(business)
            if contact.kind == "business":
                raise Invalid(f"{contact.label} is a business, and a business cannot belong to another one.")
        wanted["business_id"] = business.id if business is not None else None
    changed = {field: value for field, value in wanted.items() if getattr(contact, field) != value}
    if changed:
        tx.contacts.update(contact.id, changed)
    fields = tuple("business" if field == "business_id" else field for field in changed)
    return Updated(tx.contacts.by_id(contact.id), fields)


def require_business(contact: Contact) -> Contact:
    if contact.kind != "business":
        raise Invalid(f"{contact.label} is a person, not a business; only a business has people of its own.")
    return contact


# -- import --------------------------------------------------------------------------------------


class _ContactRows:
    """Contacts by ref: a row already present adds nothing, a changed one is refused unless
    ``update``. A person's business must be in the database or above it in the file, so
    rows are checked in ``write``, in file order."""

    def __init__(self, tx: Tx, update: bool, dates: DateReader) -> None:
        self.tx = tx
        self.update = update
        self.dates = dates

    def check(self, rows: list[CsvRow]) -> list[CsvRow]:
        return rows

    def write(self, rows: list[CsvRow], outcome: Outcome) -> None:
        for number, values, raw in rows:
            try:
                self._row(number, values, outcome.summary)
            except CsvError as error:
                outcome.reject(number, raw, [error])

    def _row(self, number: int, values: dict[str, str], summary: ImportSummary) -> None:
        ref, name = values["ref"], values["name"]
        if not ref:
            raise CsvError(
                "the ref is missing; every contact needs the id it has in your other systems.", number, "ref"
            )
        if not name:
            raise CsvError("the name is missing.", number, "name")
        kind = (values.get("kind") or "person").lower()
        if kind not in ("person", "business"):
            raise CsvError(f'kind must be "person" or "business", got "{values["kind"]}".', number, "kind")
        business_id = self._business(number, values.get("business_ref"))
        joined = None
        if values.get("joined_on"):
            try:
                joined = self.dates.parse(values["joined_on"])
            except ValueError as exc:
                raise CsvError(str(exc), number, "joined_on") from None
        email = values.get("email") or None
        contacts = self.tx.contacts
        if not contacts.ref_exists(ref):
            contacts.add(ref, name, kind, business_id, email, joined)
            summary.imported += 1
            return
        current = contacts.get(ref)
        wanted = {"name": name, "kind": kind, "business_id": business_id, "email": email, "joined_on": joined}
        changed = {k: v for k, v in wanted.items() if getattr(current, k) != v}
        if not changed:
            summary.already += 1
        elif self.update:
            contacts.update(current.id, changed)
            summary.updated += 1
        else:
            fields = ", ".join(sorted(changed))
            raise CsvError(
                f'contact "{ref}" already exists with a different {fields};'
                " import with --update to change it.",
                number,
                "ref",
            )

    def _business(self, number: int, ref: str | None) -> int | None:
        if not ref:
            return None
        try:
            business = self.tx.contacts.get(ref)
        except NotFound:
            raise CsvError(
                f'no business "{ref}" (list businesses before their people).', number, "business_ref"
            ) from None
        if business.kind != "business":
            raise CsvError(f'"{business.ref}" is a person, not a business.', number, "business_ref")
        return business.id


def import_contacts(store: Store, path: Path, options: ImportOptions, update: bool = False) -> ImportSummary:
    """Import contacts by ref, all or nothing (``ImportSummary.imported`` were added)."""

    @contextmanager
    def transaction(dates: DateReader) -> Iterator[_ContactRows]:
        with store.transaction() as tx:
            tx.bulk_mode()
            yield _ContactRows(tx, update, dates)

    return run_import(path, CONTACT_COLUMNS, transaction, options)
