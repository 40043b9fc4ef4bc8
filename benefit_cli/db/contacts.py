"""Contacts: people and businesses, found by ref or id."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Collection
from typing import Any, NamedTuple

from benefit_cli.db.base import Part, where
from benefit_cli.domain.dates import from_iso
from benefit_cli.domain.errors import NotFound
from benefit_cli.domain.models import Contact


class ContactRow(NamedTuple):
    """A contact as ``contact list`` shows it."""

    id: int
    ref: str
    name: str
    kind: str
    business_ref: str | None
    email: str | None
    joined_on: str | None


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(
        row["id"],
        row["ref"],
        row["name"],
        row["kind"],
        row["business_id"],
        row["email"],
        from_iso(row["joined_on"]),
    )


class Contacts(Part):
    def get(self, key: str | int) -> Contact:
        """A contact by its ref, or by its numeric id."""
        row = self._one("SELECT * FROM contacts WHERE ref = ?", (str(key),))
        if row is None and str(key).isdigit():
            row = self._one("SELECT * FROM contacts WHERE id = ?", (int(key),))
        if row is None:
            raise NotFound(
                f'No contact "{key}". Find it with: benefit contact list --name TEXT,'
                " or add it with: benefit contact add."
            )
        return _contact(row)

    def by_id(self, contact_id: int) -> Contact:
        row = self._one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        assert row is not None
        return _contact(row)

    def ref_exists(self, ref: str) -> bool:
        return self._one("SELECT 1 FROM contacts WHERE ref = ?", (ref,)) is not None

    def keys(self) -> dict[str, int]:
        """Every contact's ref and id as text, mapped to its id (for bulk look-ups)."""
        rows = self.conn.execute("SELECT id, ref FROM contacts").fetchall()
        keys = {str(contact_id): contact_id for contact_id, _ in rows}
        keys.update({ref: contact_id for contact_id, ref in rows})  # a ref wins over an id
        return keys

    def ids(self, keys: Collection[str]) -> dict[str, int]:
        """The id of each key that names a contact — by its ref, else by its id written in
        digits, as ``keys`` maps them — leaving out the keys that name none (an import
        looks up the contacts its rows name, not every contact)."""
        wanted = sorted(set(keys))
        found: dict[str, int] = dict(
            self._rows_in("SELECT ref, id FROM contacts WHERE ref IN ({marks})", wanted)
        )
        numbers = {
            int(key): key
            for key in wanted
            if key not in found and key.isascii() and key.isdigit() and str(int(key)) == key
        }
        for (contact_id,) in self._rows_in("SELECT id FROM contacts WHERE id IN ({marks})", sorted(numbers)):
            found[numbers[contact_id]] = contact_id
        return found

    def refs(self, contact_ids: list[int] | set[int] | tuple[int, ...]) -> dict[int, str]:
        return dict(
            self._rows_in("SELECT id, ref FROM contacts WHERE id IN ({marks})", sorted(set(contact_ids)))
        )

    def add(
        self,
        ref: str | None,
        name: str,
        kind: str,
        business_id: int | None,
        email: str | None,
        joined_on: dt.date | None,
    ) -> int:
        """Insert a contact; without a ref it gets ``C`` and six digits from its id."""
        contact_id = self._insert(
            "contacts",
            {
                "ref": ref or f"pending-{uuid.uuid4().hex}",
                "name": name,
                "kind": kind,
                "business_id": business_id,
                "email": email,
                "joined_on": joined_on,
            },
        )
        if ref is None:
            self.conn.execute(
                "UPDATE contacts SET ref = ? WHERE id = ?", (self._free_ref(contact_id), contact_id)
            )
        return contact_id

    def _free_ref(self, contact_id: int) -> str:
        number = contact_id
        while self.ref_exists(f"C{number:06d}"):
            number += 1
        return f"C{number:06d}"

    def update(self, contact_id: int, values: dict[str, Any]) -> None:
        self._update("contacts", contact_id, values)

    def rows(
        self,
        name: str | None = None,
        joined_from: dt.date | None = None,
        joined_to: dt.date | None = None,
        business_id: int | None = None,
    ) -> list[ContactRow]:
        conditions, params = where(
            [
                ("c.name LIKE ?", f"%{name}%" if name else None),
                ("c.joined_on >= ?", joined_from),
                ("c.joined_on <= ?", joined_to),
                ("c.business_id = ?", business_id),
            ]
        )
        return [
            ContactRow(*row)
            for row in self._tuples().execute(
                "SELECT c.id, c.ref, c.name, c.kind, b.ref, c.email, c.joined_on"
                " FROM contacts c LEFT JOIN contacts b ON b.id = c.business_id"
                f" WHERE {conditions} ORDER BY c.ref",
                params,
            )
        ]
