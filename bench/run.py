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
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - started


def startup(repetitions: int = 21) -> None:
    """Median wall time of short commands against ``python -c 'import typer'``."""
    demo = OUT / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo}{suffix}").unlink(missing_ok=True)
    subprocess.run([BENEFIT, "--db", str(demo), "demo"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
        verdict = "" if name.startswith("import") else (
            f"  target <= {target}  {'ok' if median / base <= target else 'MISSED'}")
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
        steps.append(["plan", "benefit", "add", plan, "ROOM", "--quantity", "300", "--per", "month",
                      "--begin", "2020-01-01"])
    for step in steps:
        subprocess.run([BENEFIT, "--db", str(db), *step], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def membership_import(count: int = 50_000) -> Path:
    db = OUT / f"members-{count}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subprocess.run([BENEFIT, "--db", str(db), "db", "init"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    catalog(db)
    contacts, memberships = write_members(count)
    contact_time = timed([BENEFIT, "--db", str(db), "contact", "import", str(contacts)])
    member_time = timed([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    again = timed([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    print(f"\nImport of {count:,} members")
    print(f"  contact import                   {contact_time:7.1f} s")
    print(f"  membership import (16 levels each) {member_time:5.1f} s   target: seconds, not minutes")
    print(f"  same membership file again        {again:6.1f} s   (adds nothing)")
    return db


def main() -> None:
    OUT.mkdir(exist_ok=True)
    os.environ.pop("BENEFIT_DB", None)
    which = set(sys.argv[1:]) or {"startup", "members"}
    if "startup" in which:
        startup()
    if "members" in which:
        membership_import()


if __name__ == "__main__":
    main()
