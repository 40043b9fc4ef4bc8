"""``make bench``: start-up and import figures, each as a ratio to a baseline measured
in the same run (absolute times drift too much on shared machines to compare).

Everything it needs is generated under bench/out/ at run time, deterministically.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
BENEFIT = str(BIN / "benefit")
PYTHON = sys.executable


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def remove_db(db: Path) -> None:
    """Delete a database and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def new_db(db: Path, *command: str) -> None:
    """A database made afresh by ``benefit db init`` (or another command, e.g. demo)."""
    remove_db(db)
    subprocess.run(
        [BENEFIT, "--db", str(db), *(command or ("db", "init"))],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def startup(repetitions: int = 21) -> None:
    """Median wall time of short commands against ``python -c 'import typer'``."""
    demo = OUT / "demo.db"
    new_db(demo, "demo")
    commands = {
        "import typer (baseline)": [PYTHON, "-c", "import typer"],
        "benefit --version": [BENEFIT, "--version"],
        "benefit contact show C000116": [BENEFIT, "--db", str(demo), "contact", "show", "C000116"],
        "benefit balance C000116": [BENEFIT, "--db", str(demo), "balance", "C000116"],
    }
    targets = {"benefit --version": 1.5}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repetitions):  # interleaved, so drift hits every command alike
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    base = statistics.median(samples["import typer (baseline)"])
    print(f"\nStart-up: median of {repetitions} runs each")
    for name, values in samples.items():
        median = statistics.median(values)
        target = targets.get(name, 2.0)
        verdict = (
            ""
            if name.startswith("import")
            else (f"  target <= {target}  {'ok' if median / base <= target else 'MISSED'}")
        )
        print(f"  {name:32} {median * 1000:7.1f} ms  ratio {median / base:4.2f}{verdict}")


def write_members(count: int) -> tuple[Path, Path]:
    """Contacts and memberships CSVs of ``count`` members, start dates over two years."""
    import datetime as dt
    import random

    rng = random.Random(20261123)
    contacts, memberships = OUT / f"contacts-{count}.csv", OUT / f"memberships-{count}.csv"
    first = dt.date(2025, 1, 1)
    with open(contacts, "w", encoding="utf-8") as c, open(memberships, "w", encoding="utf-8") as m:
        c.write("ref,name,kind,business_ref,email,joined_on\n")
        m.write("contact,plan,start_on\n")
        for n in range(count):
            ref = f"M{n:07d}"
            start = first + dt.timedelta(days=rng.randrange(700))
            c.write(f"{ref},Member {n},person,,m{n}@example.org,{start}\n")
            m.write(f"{ref},{rng.choice(['INDIVIDUAL', 'FAMILY', 'BUSINESS'])},{start}\n")
    return contacts, memberships


def catalog(db: Path) -> None:
    """Three plans; each membership is granted 16 levels (BUSINESS: 12 of them monthly)."""
    steps = [
        ["type", "add", "ADMIT", "--name", "Admission", "--unit", "count", "--category", "admissions"],
        ["type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "admissions"],
        ["type", "add", "ROOM", "--name", "Meeting room", "--unit", "minutes", "--category", "rooms"],
        ["type", "add", "SHOP", "--name", "Shop credit", "--unit", "money", "--category", "shop"],
    ]
    for plan in ("INDIVIDUAL", "FAMILY", "BUSINESS"):
        steps.append(["plan", "add", plan, "--name", plan.title(), "--term", "12", "--grace", "30"])
        steps.append(["plan", "benefit", "add", plan, "ADMIT", "--quantity", "12", "--begin", "2020-01-01"])
        steps.append(["plan", "benefit", "add", plan, "GUEST", "--quantity", "100", "--begin", "2020-01-01"])
        steps.append(["plan", "benefit", "add", plan, "SHOP", "--quantity", "25.00", "--begin", "2020-01-01"])
        steps.append(
            [
                "plan",
                "benefit",
                "add",
                plan,
                "ROOM",
                "--quantity",
                "300",
                "--per",
                "month",
                "--begin",
                "2020-01-01",
            ]
        )
    for step in steps:
        subprocess.run(
            [BENEFIT, "--db", str(db), *step],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def membership_import(count: int = 50_000) -> Path:
    db = OUT / f"members-{count}.db"
    new_db(db)
    catalog(db)
    contacts, memberships = write_members(count)
    contact_time = timed([BENEFIT, "--db", str(db), "contact", "import", str(contacts)])
    member_time = timed([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    again = timed([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    families = allocate_admissions(db)
    print(f"\nImport of {count:,} members")
    print(f"  contact import                   {contact_time:7.1f} s")
    print(f"  membership import (16 levels each) {member_time:5.1f} s   target: seconds, not minutes")
    print(f"  same membership file again        {again:6.1f} s   (adds nothing)")
    print(f"  (then {families:,} members gave 2 admissions each to the next, for the reports)")
    return db


def allocate_admissions(db: Path) -> int:
    """Every third member (a family's share) allocates 2 of its first ADMIT level to the
    next member, through the same service as ``benefit allocate``: about 16,700
    allocations for the allocations report, the history and the balances."""
    from benefit_cli.db.connection import connect
    from benefit_cli.services.allocations import allocate

    conn = connect(db)
    first_levels = conn.execute(
        "SELECT c.ref, min(l.id) FROM levels l JOIN contacts c ON c.id = l.contact_id"
        " JOIN benefit_types t ON t.id = l.type_id WHERE t.code = 'ADMIT' GROUP BY c.ref"
    ).fetchall()
    levels = dict(first_levels)
    count = 0
    for ref, level_id in first_levels:
        number = int(ref[1:])
        receiver = f"M{number + 1:07d}"
        if number % 3 == 0 and receiver in levels:
            allocate(conn, level_id, receiver, "2", comment="for the family")
            count += 1
    conn.close()
    return count


def write_usage(rows: int, members: int) -> Path:
    """A usage CSV of ``rows`` GUEST uses spread over the members, each dated inside the
    member's term, with unique refs in random order."""
    import datetime as dt
    import random

    rng = random.Random(rows)
    path = OUT / f"usage-{rows}.csv"
    starts = member_starts(members)
    refs = list(range(rows))
    rng.shuffle(refs)
    with open(path, "w", encoding="utf-8") as out:
        out.write("contact,type,quantity,used_on,description,note,ref\n")
        for n in range(rows):
            member = rng.randrange(members)
            used_on = starts[member] + dt.timedelta(days=rng.randrange(360))
            out.write(f"M{member:07d},GUEST,1,{used_on},Guest visit {n % 97},,R{refs[n]:08d}\n")
    return path


def member_starts(count: int) -> list:  # type: ignore[type-arg]
    """The start dates write_members gave each member (same seed, same sequence)."""
    import datetime as dt
    import random

    rng = random.Random(20261123)
    first = dt.date(2025, 1, 1)
    starts = []
    for _ in range(count):
        starts.append(first + dt.timedelta(days=rng.randrange(700)))
        rng.choice(["INDIVIDUAL", "FAMILY", "BUSINESS"])
    return starts


def run_measured(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (MB) of one command: of all its processes together (a large
    import has a writer process), sampled every 20 ms, or of its largest if more."""
    import threading

    started = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample() -> None:
        while process.returncode is None:
            peak[0] = max(peak[0], tree_rss_kib(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    assert process.stderr is not None
    err = process.stderr.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return elapsed, max(peak[0], usage.ru_maxrss) // 1024


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            rss = next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            children = [int(child) for child in listing.read().split()]
    except OSError:
        return 0
    return rss + sum(tree_rss_kib(child) for child in children)


def floor_load(csv_path: Path, db: Path) -> float:
    """The floor: csv.reader and one executemany into a table with the ledger's columns
    and indexes, in one transaction, with a 64 MiB cache and no validation at all."""
    import csv
    import sqlite3

    from benefit_cli.db.migrations import migrations

    ledger = next(m for m in migrations() if m.name == "ledger").sql

    remove_db(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")
    conn.executescript(ledger)
    started = time.perf_counter()
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO entries (kind, level_id, allocation_id, contact_id, entry_on, quantity,"
            " description, note, source, ref, fingerprint, operator, created_at)"
            " VALUES ('use', ?, NULL, ?, ?, ?, ?, ?, 'import', ?, NULL, 'bench', '2026-11-23')",
            ((int(r[0][1:]), int(r[0][1:]), r[3], -int(r[2]), r[4], r[5] or None, r[6]) for r in reader),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def usage_import(members_db: Path, members: int = 50_000) -> None:
    """Our validated import against a plain sqlite-utils load and the bare floor. Each
    size is run three times, the three loads interleaved, and the medians compared: this
    machine drifts too much over the minutes a million-row round takes to trust one."""
    import shutil

    print("\nUsage import (GUEST uses of 50,000 members; every row validated; medians of 3 rounds)")
    results = {}
    for rows in (100_000, 1_000_000):
        csv_path = write_usage(rows, members)
        ours_db, plain_db = OUT / f"ours-{rows}.db", OUT / f"plain-{rows}.db"
        times: dict[str, list[float]] = {"ours": [], "plain": [], "floor": []}
        peak = 0
        for _ in range(3):
            remove_db(ours_db)
            shutil.copy(members_db, ours_db)
            ours, rss = run_measured([BENEFIT, "--db", str(ours_db), "usage", "import", str(csv_path)])
            times["ours"].append(ours)
            peak = max(peak, rss)
            remove_db(plain_db)
            sqlite_utils = [
                str(BIN / "sqlite-utils"),
                "insert",
                str(plain_db),
                "usage",
                str(csv_path),
                "--csv",
            ]
            times["plain"].append(run_measured(sqlite_utils)[0])
            times["floor"].append(floor_load(csv_path, OUT / f"floor-{rows}.db"))
        ours, plain, floor = results[rows] = tuple(statistics.median(t) for t in times.values())
        print(
            f"  {rows:>9,} rows: ours {ours:6.1f} s (peak RSS {peak} MB), sqlite-utils insert"
            f" {plain:6.1f} s, floor {floor:6.1f} s; ours/plain {ours / plain:4.2f},"
            f" ours/floor {ours / floor:4.2f}"
        )
    (o1, _, f1), (o2, _, f2) = results[100_000], results[1_000_000]
    print(f"  1M/100k time ratio: ours {o2 / o1:4.1f}, floor {f2 / f1:4.1f}")
    print(
        "  targets at 1M: ours/plain <= 0.5, ours/floor <= 2.0, peak RSS <= 250 MB,"
        " ours 1M/100k <= the floor's"
    )


def reports(db: Path) -> None:
    """Each report as CSV to a file against the bare query behind it (bench/bare_query.py,
    in a process of its own), over the 1M-entry database the usage import left; and one
    contact's balance at 1M against 10k entries.

    Both sides are processes and pay start-up, the report more of it (Typer, the CLI).
    So the report is also run against an empty database, and the bare script says how
    long its query alone took: the net ratio — the report less its start-up, to the
    query — tells what the report adds to the query, and it is the one held to the
    target. Each is run eleven times, three if its query takes seconds; interleaved,
    medians kept (of the report less its start-up, run by run, so that drift hits both
    alike).
    """
    print("\nReports over 1,000,000 ledger entries (CSV to a file vs the bare query)")
    empty = OUT / "empty.db"
    new_db(empty)
    env = {**os.environ, "BENEFIT_TODAY": "2026-11-23"}
    bare_script = str(HERE / "bare_query.py")
    for name in ("history", "usage --by month", "balances", "allocations --list", "expiring --within 30"):
        short = name.split()[0]
        out = OUT / f"report-{short}.csv"
        report = ["report", *name.split(), "-f", "csv", "-o", str(out)]
        times: dict[str, list[float]] = {"bare": [], "query": [], "ours": [], "fixed": []}
        for run in range(11):
            started = time.perf_counter()
            said = subprocess.run([PYTHON, bare_script, str(db), short], check=True, capture_output=True)
            times["bare"].append(time.perf_counter() - started)
            times["query"].append(float(said.stdout))
            times["ours"].append(timed([BENEFIT, "--db", str(db), *report], env=env))
            times["fixed"].append(timed([BENEFIT, "--db", str(empty), *report], env=env))
            if run == 2 and times["bare"][0] > 2:
                break  # a longer one drifts less against itself: three runs
        bare, query, ours, fixed = (statistics.median(t) for t in times.values())
        net = statistics.median(o - f for o, f in zip(times["ours"], times["fixed"], strict=True)) / query
        print(
            f"  report {name:22} {ours:6.2f} s   bare query {bare:6.2f} s   ratio {ours / bare:5.2f}"
            f"   net of our {fixed:.2f} s start-up, to the query's {query:.2f} s {net:5.2f}"
            f"  (target <= 1.5: {_verdict(net <= 1.5)})"
        )
    small, members = OUT / "ours-10000.db", OUT / "members-50000.db"
    if not small.exists() or small.stat().st_mtime < members.stat().st_mtime:
        import shutil

        remove_db(small)
        shutil.copy(members, small)
        subprocess.run(
            [BENEFIT, "--db", str(small), "usage", "import", str(write_usage(10_000, 50_000))],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    samples: dict[str, list[float]] = {"10k": [], "1M": []}
    for _ in range(21):  # interleaved, so drift hits both alike
        for label, path in (("10k", small), ("1M", db)):
            samples[label].append(timed([BENEFIT, "--db", str(path), "balance", "M0000042"]))
    medians = {label: statistics.median(values) for label, values in samples.items()}
    ratio = medians["1M"] / medians["10k"]
    print(
        f"  balance M0000042: {medians['10k'] * 1000:.0f} ms at 10k entries,"
        f" {medians['1M'] * 1000:.0f} ms at 1M: ratio {ratio:.2f} (target <= 1.2: {_verdict(ratio <= 1.2)})"
    )


def _verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    # As installed: a user's first run writes the package's bytecode, but a machine with
    # PYTHONDONTWRITEBYTECODE set would compile every module on every command we time.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(HERE.parent / "benefit_cli")], check=True)
    os.environ.pop("BENEFIT_DB", None)
    which = set(sys.argv[1:]) or {"startup", "members", "usage", "reports"}
    if "startup" in which:
        startup()
    members_db = OUT / "members-50000.db"
    if "members" in which or ("usage" in which and not members_db.exists()):
        members_db = membership_import()
    if "usage" in which:
        usage_import(members_db)
    big = OUT / "ours-1000000.db"
    if "reports" in which and not big.exists():
        usage_import(members_db)
    if "reports" in which:
        reports(big)


if __name__ == "__main__":
    main()
