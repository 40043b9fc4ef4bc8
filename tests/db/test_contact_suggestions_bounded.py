"""Guessing a mistyped ref costs the same with 2,000 contacts as with 40,000: it looks up
the spellings one keystroke away through the ref index (and a few refs sharing a prefix),
never every ref."""

from __future__ import annotations

from pathlib import Path

import pytest

from benefit_cli.db.connection import connect
from benefit_cli.db.store import Store
from benefit_cli.domain.errors import NotFound


def store_with(path: Path, count: int) -> Store:
    store = Store(connect(path, create=True), ("2026-01-01T00:00:00+00:00", "tester"))
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO contacts (ref, name, kind, created_at, created_by)"
            " VALUES (?, ?, 'person', '2026-01-01', 'tester')",
            ((f"C{n:06d}", f"Member {n}") for n in range(1, count + 1)),
        )
    return store


def steps_to_refuse(store: Store, key: str) -> tuple[int, str]:
    """SQLite virtual-machine steps (in hundreds) spent refusing ``key``, and the message."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.conn.set_progress_handler(count, 100)
    try:
        with pytest.raises(NotFound) as refusal:
            store.contacts.get(key)
    finally:
        store.conn.set_progress_handler(None, 0)
    return steps, refusal.value.message


def suggested(message: str) -> list[str]:
    """The refs of "Did you mean A, B or C?" in ``message``."""
    _, _, rest = message.partition("Did you mean ")
    return rest.partition("?")[0].replace(" or ", ", ").split(", ") if rest else []


@pytest.mark.parametrize(("key", "meant"), [("C00116", "C000116"), ("C0000116", "C000116"),
                                            ("X001234", "C001234")])
def test_a_suggestion_costs_the_same_whatever_the_number_of_contacts(tmp_path: Path, key: str,
                                                                      meant: str) -> None:
    small = store_with(tmp_path / "small.db", 2_000)
    large = store_with(tmp_path / "large.db", 40_000)
    small_steps, small_message = steps_to_refuse(small, key)
    large_steps, large_message = steps_to_refuse(large, key)
    for message in (small_message, large_message):
        assert meant in suggested(message)
    # A scan of 40,000 refs would take 20 times the steps of one of 2,000.
    assert large_steps <= 2 * small_steps + 20


def test_a_ref_unlike_any_is_refused_without_a_guess(tmp_path: Path) -> None:
    store = store_with(tmp_path / "people.db", 500)
    _, message = steps_to_refuse(store, "ZZZ-NOT-A-REF")
    assert suggested(message) == []
