"""Reading the ledger back: the reports of issue 11 against the sqlite3 shell (after
proving, on a small database, that the shell's queries give our rows), ``db check``
against SQLite's own checks (issue 17), and the older figures kept: reports against
the bare query behind them, and one contact's balance at 1M against 10k entries.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
from pathlib import Path

import yardstick
from measure import (
    BENEFIT,
    HERE,
    OUT,
    PYTHON,
    Report,
    benefit,
    copy_db,
    env_today,
    interleaved,
    measured,
    section,
    timed,
    up_to_date,
)
from scenario import wide

INSIDE_THE_TERM = dt.date(2024, 6, 1)


def verify_yardstick(today: dt.date) -> None:
    """Build 300 members of the wide scenario with their uses, two voids and two
    adjustments, and stop the bench unless the shell's queries give exactly our reports'
    rows — as of ``today`` (every level expired) and as of a day inside the term."""
    section("Yardstick check: the sqlite3 shell's queries against our reports, 300 members")
    small = wide(300)
    db = OUT / "yardstick.db"
    copy_db(small.db, db)
    benefit(db, "usage", "import", str(small.usage))
    inside = env_today(INSIDE_THE_TERM.isoformat())
    for entry in ("5", "77"):
        benefit(db, "usage", "void", entry, "--reason", "bench: a void", env=inside)
    benefit(db, "adjust", "C000010", "SPA", "--by", "+5", "--reason", "bench", "--on", "2023-02-01")
    benefit(db, "adjust", "C000011", "SPA", "--by", "-7", "--reason", "bench", "--on", "2024-02-01")
    for as_of in (today, INSIDE_THE_TERM):
        for name, args, sql in yardstick.reports(as_of):
            ours, theirs = OUT / "yardstick-ours.csv", OUT / "yardstick-shell.csv"
            benefit(db, *args, "-f", "csv", "-o", str(ours), env=env_today(as_of.isoformat()))
            timed(yardstick.shell_command(db, sql), stdout=theirs)
            differs = yardstick.same_rows(ours, theirs)
            if differs:
                raise SystemExit(f"The shell's query for {name} as of {as_of} is not our report: {differs}")
            print(f"  {name} as of {as_of}: the same rows")


def reports_against_shell(report: Report, db: Path, today: dt.date, rounds: int) -> None:
    """Each report written as CSV to a file, against the shell writing the same rows."""
    section(f"Reports as CSV files over {db.name} against the sqlite3 shell ({rounds} rounds, in turns)")
    env = env_today(today.isoformat())
    ours_file, shell_file = OUT / "report-ours.csv", OUT / "report-shell.csv"
    ours_csv = ["-f", "csv", "-o", str(ours_file)]
    for name, args, sql in yardstick.reports(today):
        medians = interleaved(
            {
                "ours": lambda args=args: timed([BENEFIT, "--db", str(db), *args, *ours_csv], env=env),
                "shell": lambda sql=sql: timed(yardstick.shell_command(db, sql), stdout=shell_file),
            },
            rounds,
        )
        rows = sum(1 for _ in open(shell_file, encoding="utf-8")) - 1
        print(f"  {name}: ours {medians['ours']:.2f} s, shell {medians['shell']:.2f} s ({rows:,} rows)")
        report.target("11", f"{name} / sqlite3 shell", medians["ours"] / medians["shell"], 1.5)


def db_check(report: Report, db: Path, rounds: int) -> None:
    """``db check`` against ``PRAGMA integrity_check`` and ``foreign_key_check`` together."""
    section(f"db check over {db.name} against SQLite's integrity and foreign-key checks ({rounds} rounds)")
    ours: list[float] = []
    theirs: list[float] = []
    peak = 0
    for _ in range(rounds):
        run = measured([BENEFIT, "--db", str(db), "db", "check"], ok=1)
        if "no problems found" not in run.stderr:
            print(f"  (db check found problems: {run.stderr.strip()[:300]})")
        ours.append(run.seconds)
        peak = max(peak, run.peak_mb)
        theirs.append(
            timed(
                [yardstick.shell() or "sqlite3", str(db), "PRAGMA integrity_check; PRAGMA foreign_key_check;"]
            )
        )
    mine, pragmas = statistics.median(ours), statistics.median(theirs)
    print(f"  db check {mine:.1f} s (peak RSS {peak} MB), the two pragmas {pragmas:.1f} s")
    report.target("17", "db check / integrity_check + foreign_key_check", mine / pragmas, 2.0)
    report.target("17", "db check: peak RSS", peak, 100, "MB")


def reports_against_query(report: Report, db: Path, today: dt.date, repeats: int) -> None:
    """Reports not held to the shell, each as CSV to a file against the bare query behind it
    (bench/bare_query.py, in a process of its own). Both sides pay start-up, the report more
    of it, so the report is also run against an empty database: the net ratio — the report
    less its start-up, to the query's own seconds — is what is held to the target."""
    section(f"Reports over {db.name} against the bare query behind them ({repeats} runs, in turns)")
    empty = OUT / "empty.db"
    if not empty.exists():
        benefit(empty, "db", "init")
    up_to_date(empty)
    env = env_today(today.isoformat())
    for name in ("allocations --list", "expiring --within 30"):
        short = name.split()[0]
        out = OUT / f"report-{short}.csv"
        command = ["report", *name.split(), "-f", "csv", "-o", str(out)]
        times: dict[str, list[float]] = {"query": [], "ours": [], "fixed": []}
        for _ in range(repeats):
            said = subprocess.run(
                [PYTHON, str(HERE / "bare_query.py"), str(db), short, today.isoformat()],
                check=True,
                capture_output=True,
            )
            times["query"].append(float(said.stdout))
            times["ours"].append(timed([BENEFIT, "--db", str(db), *command], env=env))
            times["fixed"].append(timed([BENEFIT, "--db", str(empty), *command], env=env))
        query, ours, fixed = (statistics.median(t) for t in times.values())
        net = statistics.median(o - f for o, f in zip(times["ours"], times["fixed"], strict=True)) / query
        print(
            f"  report {name}: {ours:.2f} s, of which start-up {fixed:.2f} s; the query alone {query:.2f} s"
        )
        report.target("-", f"report {name}: net of start-up / its bare query", net, 1.5)


def balance_at_size(report: Report, small: Path, big: Path, contact: str, repeats: int) -> None:
    """One contact's balance at the big ledger against at the small one."""
    section(f"balance {contact}: {big.name} against {small.name} ({repeats} runs each, in turns)")
    medians = interleaved(
        {
            label: lambda db=db: timed([BENEFIT, "--db", str(db), "balance", contact])  # type: ignore[misc]
            for label, db in (("small", small), ("big", big))
        },
        repeats,
    )
    print(f"  {medians['small'] * 1000:.0f} ms against {medians['big'] * 1000:.0f} ms")
    report.target(
        "-", f"balance {contact}: big ledger / small ledger", medians["big"] / medians["small"], 1.2
    )
