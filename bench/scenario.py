"""The databases and files the bench measures, generated under bench/out/ at run time,
deterministically, with the commands staff use (``contact import``, ``membership import``).

- **Wide** (issues 11, 13, 14, 15, 17): N members ``C000001..`` (the contacts of
  ``../shared/bench/gen_csv.py``), each holding one 36-month membership from 2022-01-01 of
  a plan granting 1,000 of each of the generator's 20 count types — 20 levels a member,
  1,000,000 at 50,000 members — and the generator's million uses of 2022–2024, the header
  renamed to the import's columns. 1,000 per term and type never run out: each member
  uses about 50 of a type in the file.
- **One type** (the bench's older scenario, kept): 50,000 members ``M0000000..`` of three
  plans granting 16 levels of 4 types, every third giving 2 admissions to the next, and
  uses of one type (GUEST), each inside its member's term.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from measure import (
    BENEFIT,
    OUT,
    PYTHON,
    Measured,
    benefit,
    checkpoint,
    copy_db,
    measured,
    remove_db,
    run,
    up_to_date,
)

GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_csv.py"
TYPES = [  # gen_csv.py's codes
    *("GUESTPASS", "PARKING", "LOUNGE", "CAFE10", "SPA", "TOWEL", "LOCKER", "PTSESSION", "CLASSDROP"),
    *("MERCH15", "SAUNA", "POOLLANE", "KIDSCLUB", "NUTRITION", "MASSAGE", "BIKEHIRE", "COWORK"),
    *("EVENTTIX", "PHYSIO", "LATECHECK"),
]
PLAN = "GYM"
PER_TERM = 1000
START = "2022-01-01"
USAGE_HEADER = "ref,contact,type,used_on,quantity,description\n"
GENERATED_ROWS = 1_000_000


@dataclass
class Wide:
    """A wide database built, and what its build measured."""

    members: int
    db: Path
    usage: Path  # the generator's rows for these members, under the import's header
    contact_import: Measured
    membership_import: Measured


def wide(members: int) -> Wide:
    """The wide scenario with ``members`` members, built afresh (no entries yet)."""
    catalog = wide_catalog()
    db = OUT / f"wide-{members}.db"
    copy_db(catalog, db)
    contacts, memberships = OUT / f"wide-contacts-{members}.csv", OUT / f"wide-memberships-{members}.csv"
    with open(contacts, "w", encoding="utf-8") as c, open(memberships, "w", encoding="utf-8") as m:
        c.write("ref,name,email\n")
        m.write("contact,plan,start_on\n")
        for number in range(1, members + 1):
            c.write(f"C{number:06d},Member {number},m{number}@example.org\n")
            m.write(f"C{number:06d},{PLAN},{START}\n")
    contact_import = measured([BENEFIT, "--db", str(db), "contact", "import", str(contacts)])
    membership_import = measured([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    checkpoint(db)
    return Wide(members, db, usage_of(members), contact_import, membership_import)


def wide_catalog() -> Path:
    """The catalog alone — 20 count types worth 1.00 each, one plan of 36 months granting
    1,000 of each per term — made once with the catalog commands and copied for each size."""
    db = OUT / "wide-catalog.db"
    if db.exists():
        return up_to_date(db)
    building = OUT / "wide-catalog.building.db"
    remove_db(building)
    benefit(building, "db", "init")
    benefit(building, "plan", "add", PLAN, "--name", "Gym", "--term", "36")
    for code in TYPES:
        benefit(
            building,
            "type",
            "add",
            code,
            "--name",
            code.title(),
            "--unit",
            "count",
            "--category",
            "gym",
            "--value",
            "1.00",
        )
        benefit(
            building,
            "plan",
            "benefit",
            "add",
            PLAN,
            code,
            "--quantity",
            str(PER_TERM),
            "--begin",
            "2020-01-01",
        )
    checkpoint(building)
    building.rename(db)
    return db


def generated() -> Path:
    """The generator's file of a million uses, as it writes it (made once)."""
    path = OUT / f"gen-{GENERATED_ROWS}.csv"
    if not path.exists():
        partial = path.with_suffix(".partial")
        run([PYTHON, str(GENERATOR), str(GENERATED_ROWS), str(partial)])
        partial.rename(path)
    return path


def usage_of(members: int) -> Path:
    """The generator's rows of contacts ``C000001..`` up to ``members``, with the header
    renamed to the usage import's columns (all million rows for 50,000 members)."""
    path = OUT / f"wide-usage-{members}.csv"
    if path.exists() and path.stat().st_mtime >= generated().stat().st_mtime:
        return path
    last = f"C{members:06d}"
    with (
        open(generated(), encoding="utf-8", newline="") as source,
        open(path, "w", encoding="utf-8", newline="") as target,
    ):
        source.readline()  # ref,contact_id,benefit_code,used_on,quantity,description
        target.write(USAGE_HEADER)
        for line in source:
            # The contact is the second cell, after a ref that never holds a comma.
            if line[12:19] <= last:
                target.write(line)
    return path


def ten_rows(members: int, run_number: int) -> Path:
    """Ten uses of ten types by ten of the first members, under refs no other run has."""
    path = OUT / f"ten-{run_number}.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(USAGE_HEADER)
        for n in range(10):
            contact = 1 + (n * 97) % min(members, 1000)
            out.write(f"T{run_number:04d}-{n},C{contact:06d},{TYPES[n * 2]},2023-06-{10 + n},1,ten rows\n")
    return path


# -- the one-type scenario ------------------------------------------------------------------


def one_type(count: int) -> tuple[Path, Measured]:
    """The older scenario's members database and the time of its membership import."""
    db = OUT / f"members-{count}.db"
    remove_db(db)
    benefit(db, "db", "init")
    _one_type_catalog(db)
    contacts, memberships = _write_members(count)
    benefit(db, "contact", "import", str(contacts))
    imported = measured([BENEFIT, "--db", str(db), "membership", "import", str(memberships)])
    _allocate_admissions(db)
    checkpoint(db)
    return db, imported


def _one_type_catalog(db: Path) -> None:
    """Three plans; each membership is granted 16 levels (ROOM: 12 of them monthly)."""
    for code, name, unit, category in (
        ("ADMIT", "Admission", "count", "admissions"),
        ("GUEST", "Guest pass", "count", "admissions"),
        ("ROOM", "Meeting room", "minutes", "rooms"),
        ("SHOP", "Shop credit", "money", "shop"),
    ):
        benefit(db, "type", "add", code, "--name", name, "--unit", unit, "--category", category)
    for plan in ("INDIVIDUAL", "FAMILY", "BUSINESS"):
        benefit(db, "plan", "add", plan, "--name", plan.title(), "--term", "12", "--grace", "30")
        for code, quantity, per in (
            ("ADMIT", "12", "term"),
            ("GUEST", "100", "term"),
            ("SHOP", "25.00", "term"),
            ("ROOM", "300", "month"),
        ):
            benefit(
                db,
                "plan",
                "benefit",
                "add",
                plan,
                code,
                "--quantity",
                quantity,
                "--per",
                per,
                "--begin",
                "2020-01-01",
            )


def _write_members(count: int) -> tuple[Path, Path]:
    """Contacts and memberships CSVs of ``count`` members, start dates over two years."""
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


def _member_starts(count: int) -> list[dt.date]:
    """The start dates ``_write_members`` gave each member (same seed, same sequence)."""
    rng = random.Random(20261123)
    first = dt.date(2025, 1, 1)
    starts = []
    for _ in range(count):
        starts.append(first + dt.timedelta(days=rng.randrange(700)))
        rng.choice(["INDIVIDUAL", "FAMILY", "BUSINESS"])
    return starts


def _allocate_admissions(db: Path) -> int:
    """Every third member (a family's share) gives 2 of its first ADMIT level to the
    next member, through the service ``benefit allocate`` calls, in one transaction:
    about 16,700 allocations for the allocations report, the history and the balances."""
    from benefit_cli.db.connection import connect
    from benefit_cli.db.store import Store
    from benefit_cli.services.allocations import allocate

    store = Store(connect(db))
    first_levels = store.conn.execute(
        "SELECT c.ref, min(l.id) FROM levels l JOIN contacts c ON c.id = l.contact_id"
        " JOIN benefit_types t ON t.id = l.type_id WHERE t.code = 'ADMIT' GROUP BY c.ref"
    ).fetchall()
    levels = dict(first_levels)
    count = 0
    with store.transaction() as tx:
        for ref, level_id in first_levels:
            number = int(ref[1:])
            receiver = f"M{number + 1:07d}"
            if number % 3 == 0 and receiver in levels:
                allocate(
                    tx, tx.memberships.level(level_id), tx.contacts.get(receiver), 2, comment="for the family"
                )
                count += 1
    store.conn.close()
    return count


def one_type_usage(rows: int, members: int) -> Path:
    """A usage CSV of ``rows`` GUEST uses spread over the members, each dated inside the
    member's term, with unique refs in random order (the columns in the wide file's order,
    which the floor's loader takes as they come)."""
    rng = random.Random(rows)
    path = OUT / f"usage-{rows}.csv"
    starts = _member_starts(members)
    refs = list(range(rows))
    rng.shuffle(refs)
    with open(path, "w", encoding="utf-8") as out:
        out.write(USAGE_HEADER)
        for n in range(rows):
            member = rng.randrange(members)
            used_on = starts[member] + dt.timedelta(days=rng.randrange(360))
            out.write(f"R{refs[n]:08d},M{member:07d},GUEST,{used_on},1,Guest visit {n % 97}\n")
    return path
