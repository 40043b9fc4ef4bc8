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
from benefit_cli.domain.text import closest, did_you_mean, fold, nfc, one_edit_away

# Refs read around a mistyped one to guess what was meant: a bound, whatever the size.
NEAR_REFS = 50


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
        text = nfc(str(key))
        row = self._one("SELECT * FROM contacts WHERE ref = ?", (text,))
        # An id is ASCII digits that fit SQLite's integer ("²" is a digit to Python, and
        # a twenty-digit number overflows): anything else can only be a ref.
        if row is None and text.isascii() and text.isdigit() and int(text) < 2**63:
            row = self._one("SELECT * FROM contacts WHERE id = ?", (int(text),))
        if row is None:
            raise NotFound(
                f'No contact "{key}".{did_you_mean(self.similar_refs(text))} Find it'
                " with: benefit contact list --name TEXT, or add it with: benefit contact add."
            )
        return _contact(row)

    def similar_refs(self, key: str) -> list[str]:
        """The refs ``key`` may have been meant as, best first, found through the ref index
        whatever the number of contacts: those one keystroke away, else the most alike of a
        few that share its longest prefix."""
        edits = list(dict.fromkeys(one_edit_away(key)))
        near = [ref for (ref,) in self._rows_in("SELECT ref FROM contacts WHERE ref IN ({marks})", edits)]
        if near:
            return closest(key, near, alike=0)
        for size in range(min(len(key), 40) - 1, 0, -1):
            prefix = key[:size]
            near = [
                ref
                for (ref,) in self.conn.execute(
                    "SELECT ref FROM contacts WHERE ref >= ? AND ref < ? ORDER BY ref LIMIT ?",
                    (prefix, prefix + "\U0010ffff", NEAR_REFS),
                )
            ]
            if near:
                return closest(key, near)
        return []

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
        if name:
            # Accents and case aside, any part of the name; the text is matched as typed
            # (instr, not LIKE: a "%" or "_" is a character to find, not a wildcard).
            self.conn.create_function("benefit_fold", 1, fold, deterministic=True)
        conditions, params = where(
            [
                ("instr(benefit_fold(c.name), ?) > 0", fold(nfc(name)) if name else None),
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
