"""What every part of the store shares: the connection, the stamp of the command, and the
few helpers that turn values into SQL."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from benefit_cli.clock import now_utc, operator_name


class Stamp:
    """(time, operator) for invariant 4, read once per command: a bulk import must not ask
    the OS who the user is for every row."""

    def __init__(self, value: tuple[str, str] | None = None) -> None:
        self._value = value

    @property
    def value(self) -> tuple[str, str]:
        if self._value is None:
            self._value = (now_utc(), operator_name())
        return self._value


class Part:
    """One aggregate's tables, over the store's connection."""

    def __init__(self, conn: sqlite3.Connection, stamp: Stamp) -> None:
        self.conn = conn
        self._stamp = stamp

    @property
    def stamp(self) -> tuple[str, str]:
        return self._stamp.value

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def _rows_in(self, sql: str, values: Sequence[Any]) -> Iterator[Any]:
        """Run ``sql`` — whose ``{marks}`` stands for an IN list — over ``values`` in
        chunks that stay under SQLite's limit on bound parameters."""
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield from self.conn.execute(sql.format(marks=", ".join("?" for _ in chunk)), chunk)

    def _tuples(self) -> sqlite3.Cursor:
        """A cursor whose rows are plain tuples, for rows handed on as they are
        (sqlite3.Row finds a column by name with a linear search)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor

    def _insert(self, table: str, values: dict[str, Any], audit: bool = True) -> int:
        if audit:
            at, by = self.stamp
            values = {**values, "created_at": at, "created_by": by}
        values = {k: _sql(v) for k, v in values.items()}
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        at, by = self.stamp
        values = {**{k: _sql(v) for k, v in values.items()}, "updated_at": at, "updated_by": by}
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), row_id))


def _sql(value: Any) -> Any:
    """A Python value as SQLite stores it: dates as ISO text, booleans as 0/1."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def where(conditions: Sequence[tuple[str, Any]]) -> tuple[str, list[Any]]:
    """``AND`` of the conditions whose value is not None, and their parameters: the value
    once for each ``?`` of its condition (a filter's value stands for all of them)."""
    chosen = [(sql, _sql(value)) for sql, value in conditions if value is not None]
    params = [value for sql, value in chosen for _ in range(sql.count("?"))]
    return " AND ".join(sql for sql, _ in chosen) or "1", params
