"""Issue 13: a usage import costs what its file holds, not what the database holds.

Ours (``benefit usage import``, every row validated and drawn) against two loads of the
same file that check nothing: sqlite-utils' default insert, and the floor of
``../shared/bench/import_raw.py FILE floor.db idx 64`` (csv.reader into executemany, one
transaction, the floor's own three indexes, a 64 MiB page cache). Each round runs the
three in turn; the medians are compared. And a ten-row import into the big database
against the same into a database of 1,000 members.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from measure import (
    BENEFIT,
    BIN,
    OUT,
    PYTHON,
    Measured,
    Report,
    checkpoint,
    copy_db,
    measured,
    remove_db,
    section,
)
from scenario import GENERATOR, ten_rows

FLOOR = GENERATOR.with_name("import_raw.py")


@dataclass
class Imported:
    db: Path  # the database the last round of ours left, checkpointed
    ours: float
    plain: float
    floor: float
    peak_mb: int


def import_rounds(report: Report, label: str, members_db: Path, usage: Path, rounds: int) -> Imported:
    """``rounds`` rounds of ours, sqlite-utils and the floor on ``usage``; ours into a fresh
    copy of ``members_db`` each time."""
    rows = sum(1 for _ in open(usage, encoding="utf-8")) - 1
    section(f"Usage import, {label}: {rows:,} rows ({rounds} round(s) of ours, sqlite-utils insert, floor)")
    slug = label.replace(" ", "-")
    ours_db, plain_db, floor_db = OUT / f"ours-{slug}.db", OUT / "plain.db", OUT / "floor.db"
    times: dict[str, list[float]] = {"ours": [], "plain": [], "floor": []}
    peak = 0
    for number in range(rounds):
        copy_db(members_db, ours_db)
        mine = measured([BENEFIT, "--db", str(ours_db), "usage", "import", str(usage)])
        _imported_all(mine, rows)
        times["ours"].append(mine.seconds)
        peak = max(peak, mine.peak_mb)
        remove_db(plain_db)
        times["plain"].append(
            measured(
                [str(BIN / "sqlite-utils"), "insert", str(plain_db), "usage", str(usage), "--csv"]
            ).seconds
        )
        times["floor"].append(measured([PYTHON, str(FLOOR), str(usage), str(floor_db), "idx", "64"]).seconds)
        print(
            f"  round {number + 1}: ours {times['ours'][-1]:6.1f} s (peak RSS {mine.peak_mb} MB),"
            f" sqlite-utils {times['plain'][-1]:6.1f} s, floor {times['floor'][-1]:6.1f} s"
        )
    ours, plain, floor = (statistics.median(t) for t in times.values())
    print(f"  medians: ours {ours:.1f} s, sqlite-utils insert {plain:.1f} s, floor {floor:.1f} s")
    report.target("13", f"{label}: ours / sqlite-utils insert", ours / plain, 0.5)
    report.target("13", f"{label}: ours / floor", ours / floor, 2.0)
    report.target("13", f"{label}: peak RSS of the import's processes", peak, 250, "MB")
    remove_db(plain_db)
    remove_db(floor_db)
    checkpoint(ours_db)
    return Imported(ours_db, ours, plain, floor, peak)


def _imported_all(run: Measured, rows: int) -> None:
    """Stop the bench if the import did not import every row: a fast refusal is no speed."""
    if f"imported {rows}," not in run.stderr:
        raise SystemExit(f"the import did not import all {rows} rows:\n{run.stderr}")


def ten_row_import(report: Report, big: Path, small: Path, members: int, repeats: int) -> None:
    """Ten new rows into the big database against the same into the small one, in turns;
    each run's file has refs of its own, so each imports its ten rows."""
    section(f"Ten-row import: into {big.name} against into {small.name} ({repeats} runs each, in turns)")
    times: dict[str, list[float]] = {"big": [], "small": []}
    peak = 0
    for number in range(repeats):
        for label, db in (("big", big), ("small", small)):
            file = ten_rows(members, number * 2 + (label == "small"))
            run = measured([BENEFIT, "--db", str(db), "usage", "import", str(file)])
            _imported_all(run, 10)
            times[label].append(run.seconds)
            if label == "big":
                peak = max(peak, run.peak_mb)
    big_time, small_time = statistics.median(times["big"]), statistics.median(times["small"])
    print(f"  medians: {big_time * 1000:.0f} ms into the big database, {small_time * 1000:.0f} ms the small")
    report.target("13", "10-row import: big database / 1,000 members", big_time / small_time, 1.5)
    report.target("13", "10-row import: peak RSS", peak, 80, "MB")
