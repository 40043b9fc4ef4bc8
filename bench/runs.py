"""The cron runs of issues 14 and 15, on copies of the wide database after its import.

Issue 14, in the order a cron night runs them: renewing all the members' memberships
(due at the end of 2024) against the ``membership import`` that made them; expiring the
first term's levels against the sqlite3 shell inserting the same ``expire`` entries with
one INSERT ... SELECT into a copy of the same renewed database (written here from the
SPEC: one entry per level past its last day with something left, dated the day after, for
what it holds); then, with nothing due any more, ``run scheduled`` against ``benefit
balance``. Issue 15: fulfilling one monthly issue of a magazine to every member of its own
scenario against the shell doing the same work.
"""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import yardstick
from measure import (
    BENEFIT,
    OUT,
    Report,
    benefit,
    checkpoint,
    copy_db,
    env_today,
    interleaved,
    measured,
    remove_db,
    section,
    timed,
    up_to_date,
)


def cron_runs(
    report: Report, db: Path, membership_import: float, today: dt.date, repeats: int, rounds: int
) -> None:
    section(f"Cron runs (issue 14; the expiry {rounds} round(s), in turns with the shell)")
    env = env_today(today.isoformat())
    runs = OUT / "runs.db"
    copy_db(db, runs)
    renewal = measured([BENEFIT, "--db", str(runs), "run", "renew", "--as-of", "2024-12-31"], env=env)
    print(f"  run renew: {renewal.seconds:.1f} s, against the membership import's {membership_import:.1f} s")
    report.target(
        "14", "renew every membership / membership import", renewal.seconds / membership_import, 1.5
    )

    # Each round on fresh copies of the renewed database: the same levels past their last
    # day and the same entries for both. The last round's expired copy is what the nightly
    # run below then finds.
    expired, shell_db = OUT / "expired.db", OUT / "expire-shell.db"
    expiries, shells = [], []
    for _ in range(rounds):
        copy_db(runs, shell_db)
        copy_db(runs, expired)
        shells.append(timed(yardstick.shell_command(shell_db, expire_sql(today))))
        expire = [BENEFIT, "--db", str(expired), "run", "expire", "--as-of", today.isoformat()]
        expiries.append(measured(expire, env=env).seconds)
    expiry, shell = statistics.median(expiries), statistics.median(shells)
    print(f"  run expire: {expiry:.1f} s, the shell's INSERT ... SELECT {shell:.1f} s (medians)")
    report.target("14", "expire the levels / sqlite3 INSERT ... SELECT", expiry / shell, 2.0)
    runs = expired

    medians = interleaved(
        {
            "scheduled": lambda: timed(
                [BENEFIT, "--db", str(runs), "run", "scheduled", "--as-of", today.isoformat()], env=env
            ),
            "balance": lambda: timed([BENEFIT, "--db", str(runs), "balance", "C000001"], env=env),
        },
        repeats,
    )
    print(
        f"  run scheduled with nothing due {medians['scheduled'] * 1000:.0f} ms,"
        f" balance C000001 {medians['balance'] * 1000:.0f} ms"
    )
    report.target(
        "14", "run scheduled, nothing due / balance", medians["scheduled"] / medians["balance"], 2.0
    )


def expire_sql(as_of: dt.date) -> str:
    """The expire entries of every level whose last day is before ``as_of`` and that still
    holds something (the wide scenario has no allocations and no recorded expiry yet; the
    renewal's levels end after ``as_of``)."""
    d = as_of.isoformat()
    return f"""INSERT INTO entries
    (kind, level_id, contact_id, entry_on, quantity, source, operator, created_at)
SELECT 'expire', lv.id, lv.contact_id, date(lv.last_day, '+1 day'), -(lv.quantity + coalesce(s.total, 0)),
    'expiry', 'bench', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM (SELECT id, contact_id, quantity, CASE WHEN cancelled_on IS NOT NULL AND cancelled_on <= expires_on
        THEN date(cancelled_on, '-1 day') ELSE expires_on END AS last_day FROM levels) AS lv
LEFT JOIN (SELECT level_id, sum(quantity) AS total FROM entries GROUP BY level_id) AS s ON s.level_id = lv.id
WHERE lv.last_day < '{d}' AND lv.quantity + coalesce(s.total, 0) > 0;"""


def fulfilment(report: Report, members: int, today: dt.date) -> None:
    """Issue 15: one monthly issue of a magazine to every member — its deliveries recorded
    and its mailing list written — against the sqlite3 shell doing the same: one INSERT ...
    SELECT of the delivery rows, and the mailing list with ``.mode csv``."""
    section(f"Subscription fulfilment (issue 15): one issue to {members:,} members")
    db = magazine(members)
    env = env_today(today.isoformat())
    ours, shells = OUT / "fulfil-ours.db", OUT / "fulfil-shell.db"
    ours_csv, shell_csv = OUT / "mailing-ours.csv", OUT / "mailing-shell.csv"
    script = OUT / "fulfil-shell.sql"
    script.write_text(FULFIL_SQL.format(output=shell_csv), encoding="utf-8")
    rounds = []
    for _ in range(3):
        copy_db(db, ours)
        copy_db(db, shells)
        fulfil = ["subscription", "fulfil", MAGAZINE, "--through", ISSUE_THROUGH, "-o", str(ours_csv)]
        mine = timed([BENEFIT, "--db", str(ours), *fulfil], env=env)
        theirs = timed([yardstick.shell() or "sqlite3", str(shells), f".read {script}"])
        rounds.append((mine, theirs))
    differs = yardstick.same_rows(ours_csv, shell_csv)
    if differs:
        raise SystemExit(f"the mailing lists differ: {differs}")
    mine, theirs = (statistics.median(side) for side in zip(*rounds, strict=True))
    print(f"  fulfil {mine:.2f} s, the shell {theirs:.2f} s ({members:,} rows each, the same)")
    report.target("15", "fulfil one monthly issue to every member / sqlite3", mine / theirs, 2.0)


MAGAZINE = "MAG"
ISSUE_THROUGH = "2026-01-20"  # the January issue (the 15th) alone
FULFIL_SQL = """INSERT INTO deliveries
    (contact_id, type_id, issue_date, level_id, delivered_on, created_at, created_by)
SELECT l.contact_id, l.type_id, '2026-01-15', min(l.id), date('now'),
    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'bench'
FROM levels l
WHERE l.type_id = (SELECT id FROM benefit_types WHERE code = 'MAG')
  AND l.starts_on <= '2026-01-15'
  AND '2026-01-15' <= CASE WHEN l.cancelled_on IS NOT NULL AND l.cancelled_on <= l.expires_on
      THEN date(l.cancelled_on, '-1 day') ELSE l.expires_on END
  AND NOT EXISTS (SELECT 1 FROM deliveries d
                  WHERE d.contact_id = l.contact_id AND d.type_id = l.type_id AND d.issue_date = '2026-01-15')
  AND NOT EXISTS (SELECT 1 FROM subscription_optouts o
                  WHERE o.contact_id = l.contact_id AND o.type_id = l.type_id)
GROUP BY l.contact_id;
.headers on
.mode csv
.output {output}
SELECT c.ref AS contact_ref, c.name, c.email, t.code AS type, d.issue_date
FROM deliveries d JOIN contacts c ON c.id = d.contact_id JOIN benefit_types t ON t.id = d.type_id
ORDER BY d.issue_date, c.ref;
"""


def magazine(members: int) -> Path:
    """``members`` members of a plan whose only benefit is a magazine out on the 15th of
    every month, given month by month (12 levels each), from 2026-01-01."""
    db = OUT / f"magazine-{members}.db"
    if db.exists():
        return up_to_date(db)
    building = OUT / f"magazine-{members}.building.db"
    remove_db(building)
    benefit(building, "db", "init")
    benefit(building, "type", "add", MAGAZINE, "--name", "Magazine", "--unit", "count", "--category", "post",
            "--kind", "subscription", "--schedule", "FREQ=MONTHLY;BYMONTHDAY=15")  # fmt: skip
    benefit(building, "plan", "add", "READER", "--name", "Reader", "--term", "12")
    benefit(building, "plan", "benefit", "add", "READER", MAGAZINE, "--quantity", "1", "--per", "month",
            "--begin", "2020-01-01")  # fmt: skip
    contacts = OUT / f"magazine-contacts-{members}.csv"
    memberships = OUT / f"magazine-memberships-{members}.csv"
    with open(contacts, "w", encoding="utf-8") as c, open(memberships, "w", encoding="utf-8") as m:
        c.write("ref,name,email\n")
        m.write("contact,plan,start_on\n")
        for number in range(1, members + 1):
            c.write(f"R{number:06d},Reader {number},r{number}@example.org\n")
            m.write(f"R{number:06d},READER,2026-01-01\n")
    benefit(building, "contact", "import", str(contacts))
    benefit(building, "membership", "import", str(memberships))
    checkpoint(building)
    building.rename(db)
    return db
