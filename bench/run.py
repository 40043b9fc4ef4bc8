"""``make bench``: every figure the issues hold to a target, each a ratio to a baseline
measured in the same run (absolute times drift too much on shared machines to compare),
and at the end which targets were met (``ok``) or not (``MISSED``).

    python bench/run.py            the full bench: 50,000 members (about 15-20 minutes)
    python bench/run.py --quick    every measure at a tenth of the size, one round

Everything it needs is generated under bench/out/ at run time, deterministically; the
modules beside this one say what each part measures and against what.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import time
from dataclasses import dataclass

import imports
import reports
import runs
import scenario
import yardstick
from measure import (
    BENEFIT,
    HERE,
    OUT,
    PYTHON,
    Report,
    benefit,
    checkpoint,
    copy_db,
    interleaved,
    section,
    timed,
    up_to_date,
)


@dataclass(frozen=True)
class Size:
    members: int  # of the wide scenario (20 levels each) and of the one-type one (16 each)
    one_type_rows: int  # uses in the one-type scenario's file
    import_rounds: int  # of the long imports
    report_rounds: int  # of each report against the shell, and of db check
    repeats: int  # of the short commands (start-up, ten-row import, balance)


FULL = Size(members=50_000, one_type_rows=1_000_000, import_rounds=3, report_rounds=3, repeats=11)
QUICK = Size(members=5_000, one_type_rows=100_000, import_rounds=1, report_rounds=1, repeats=3)


def startup(report: Report, repeats: int) -> None:
    """Median wall time of short commands against ``python -c 'import typer'``."""
    section(f"Start-up: medians of {repeats * 2 - 1} runs each, in turns")
    demo = OUT / "demo.db"
    if not demo.exists():
        benefit(demo, "demo", "--replace")
    up_to_date(demo)
    commands = {
        "import typer (baseline)": [PYTHON, "-c", "import typer"],
        "benefit --version": [BENEFIT, "--version"],
        "benefit contact show C000116": [BENEFIT, "--db", str(demo), "contact", "show", "C000116"],
        "benefit balance C000116": [BENEFIT, "--db", str(demo), "balance", "C000116"],
    }
    medians = interleaved(
        {name: lambda cmd=cmd: timed(cmd) for name, cmd in commands.items()}, repeats * 2 - 1
    )
    base = medians["import typer (baseline)"]
    for name, median in medians.items():
        print(f"  {name:32} {median * 1000:7.1f} ms")
        if not name.startswith("import"):
            report.target(
                "start-up", f"{name} / import typer", median / base, 1.5 if "version" in name else 2.0
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every measure, smaller and once")
    options = parser.parse_args()
    size = QUICK if options.quick else FULL
    OUT.mkdir(exist_ok=True)
    # As installed: a user's first run writes the package's bytecode, but a machine with
    # PYTHONDONTWRITEBYTECODE set would compile every module on every command we time.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(HERE.parent / "benefit_cli")], check=True)
    os.environ.pop("BENEFIT_DB", None)
    started = time.perf_counter()
    today = dt.date.today()  # the reports' "as of": pinned for ours and the shell alike
    os.environ["BENEFIT_TODAY"] = today.isoformat()
    report = Report()
    if yardstick.shell() is None:
        raise SystemExit("The bench needs the sqlite3 command-line shell (e.g. apt-get install sqlite3).")
    print(f"Bench ({'quick' if options.quick else 'full'}): {size.members:,} members; as of {today}")
    startup(report, size.repeats)

    section(f"Wide scenario: {size.members:,} members x {len(scenario.TYPES)} types")
    big = scenario.wide(size.members)
    print(
        f"  contact import {big.contact_import.seconds:.1f} s; membership import"
        f" {big.membership_import.seconds:.1f} s ({size.members * len(scenario.TYPES):,} levels,"
        f" peak RSS {big.membership_import.peak_mb} MB)"
    )
    small = scenario.wide(1000)
    benefit(small.db, "usage", "import", str(small.usage))
    checkpoint(small.db)

    wide = imports.import_rounds(report, "wide", big.db, big.usage, size.import_rounds)
    imports.ten_row_import(report, wide.db, small.db, size.members, size.repeats)

    section(f"One-type scenario: {size.members:,} members of 3 plans (16 levels each)")
    members_db, membership_import = scenario.one_type(size.members)
    print(f"  membership import {membership_import.seconds:.1f} s")
    one = imports.import_rounds(
        report,
        "one type",
        members_db,
        scenario.one_type_usage(size.one_type_rows, size.members),
        size.import_rounds,
    )
    small_ledger = OUT / "one-type-small.db"
    copy_db(members_db, small_ledger)
    benefit(
        small_ledger, "usage", "import", str(scenario.one_type_usage(size.one_type_rows // 100, size.members))
    )
    reports.balance_at_size(report, small_ledger, one.db, "M0000042", size.repeats * 2 - 1)
    reports.reports_against_query(report, one.db, today, size.repeats)

    reports.verify_yardstick(today)
    reports.reports_against_shell(report, wide.db, today, size.report_rounds)
    reports.db_check(report, wide.db, size.report_rounds)
    runs.cron_runs(report, wide.db, big.membership_import.seconds, today, size.repeats, size.report_rounds)
    runs.fulfilment(report, size.members, today)

    print(report.summary())
    print(f"\nBench finished in {(time.perf_counter() - started) / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
