"""Numbered schema migrations, applied in order when a database is opened.

Each migration is a file of SQL in this folder, ``NNNN_name.sql``: its number orders it and
its name is recorded in the ``migrations`` table. A released migration is frozen text —
never edited, never renamed (``tests/db/test_migrations_frozen.py`` holds the hash of each)
— so a database made by any earlier version opens and is upgraded in place, never
rebuilt. A changed table or view is a new migration. ``PRAGMA user_version`` holds the
number of the last migration applied (cheap to read on every start).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    file: Path

    @property
    def sql(self) -> str:
        return self.file.read_text(encoding="utf-8")


@cache
def migrations() -> tuple[Migration, ...]:
    """Every migration this version knows, in order (the text is read only when applied)."""
    found = []
    for file in Path(__file__).parent.glob("*.sql"):
        number, _, name = file.stem.partition("_")
        found.append(Migration(int(number), name.replace("_", " "), file))
    found.sort(key=lambda m: m.number)
    if [m.number for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1, 2, 3, ... without gaps: {found}")
    return tuple(found)
