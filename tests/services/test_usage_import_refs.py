"""Where the usage import looks up a ref never changes what it does. A ref the import has
not had yet is looked up in the ledger as it was before the import (on the snapshot's
thread); one it may have had, in the ledger being written, the only one to see the
import's own rows. The filter telling them apart may say "may have had" of a ref it never
saw (a false positive, about one in 100,000): that must cost a look-up and nothing else.
So the same file imported with every ref sent the long way gives the same summary and
the same ledger, whether a chunk is written in this process or by the writer process."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from conftest import USAGE_HEADER, Cli, copy_db, summary, write_bytes

EARLIER = USAGE_HEADER + b"C1,GUEST,1,2026-02-01,old,R0\nC2,GUEST,1,2026-02-01,old,R9\n"
ROWS = USAGE_HEADER + (  # in chunks of three rows (both_ways)
    b"C1,GUEST,1,2026-03-01,a,R1\n"  # new
    b"C2,GUEST,1,2026-03-01,b,R2\n"  # new
    b"C1,GUEST,1,2026-02-01,old,R0\n"  # already in the ledger: skipped
    b"C1,GUEST,1,2026-03-09,same,\n"  # two identical rows without a ref: both count
    b"C1,GUEST,1,2026-03-09,same,\n"
    b"C2,CREDIT,0.50,2026-03-09,c,R3\n"  # new
    b"C1,GUEST,1,2026-03-01,a,R1\n"  # a repeat of two chunks before: skipped
    b"C2,GUEST,2,2026-03-05,x,R2\n"  # R2 again, other content: refused
    b"C2,GUEST,1,2026-02-01,new,R9\n"  # R9 is in the ledger with other content: refused
)


def untimed(summary: str) -> str:
    """An import's summary without the seconds it took (a note may follow them)."""
    return re.sub(r", [0-9.]+ s\b", "", summary)


def ledger(path: Path) -> list[tuple[object, ...]]:
    """The entries, but when they were written."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT kind, level_id, allocation_id, contact_id, entry_on, quantity, voids_id, description,"
            " note, source, ref, fingerprint, operator FROM entries ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_sending_every_ref_to_the_ledger_being_written_changes_nothing(
    both_ways: str, cli: Cli, usage_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benefit_cli.services import usage_import

    cli("usage", "import", write_bytes(tmp_path, EARLIER, "earlier.csv"))
    twin = tmp_path / "twin.db"
    copy_db(usage_world, twin)
    file = write_bytes(tmp_path, ROWS)

    filtered = cli("usage", "import", file, "--on-error", "skip", code=None)
    monkeypatch.setattr(usage_import._SeenRefs, "split", lambda self, refs: (list(refs), []))
    long_way = cli("--db", twin, "usage", "import", file, "--on-error", "skip", code=None)

    assert summary(filtered).startswith("rows read 9, imported 5, skipped as already present 2, rejected 2")
    assert untimed(summary(long_way)) == untimed(summary(filtered))
    assert filtered.exit_code == long_way.exit_code
    assert len(ledger(usage_world)) == 2 + 5
    assert ledger(twin) == ledger(usage_world)


def test_the_filter_never_forgets_a_ref_and_seldom_imagines_one() -> None:
    from benefit_cli.services.usage_import import _SeenRefs

    seen = _SeenRefs()
    refs = [f"R{number:07d}" for number in range(200_000)]
    alarms = 0
    for start in range(0, len(refs), 2000):
        chunk = refs[start : start + 2000]
        maybe, new = seen.split(chunk)
        assert sorted(maybe + new) == chunk
        alarms += len(maybe)
    assert alarms <= 20  # a few in a million at most: each costs a wait on the writer
    again = refs[::997]
    assert seen.split(again) == (again, [])
