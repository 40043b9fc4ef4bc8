"""The cron runs of issues 14 and 15, on copies of the wide database after its import.
Each measure says "not yet" until its command exists.

Issue 14, in the order a cron night runs them: renewing all the members' memberships
(due at the end of 2024) against the ``membership import`` that made them; expiring the
first term's levels against the sqlite3 shell inserting the same ``expire`` entries with
one INSERT ... SELECT (written here from the SPEC: one entry per level past its last day
with something left, dated the day after, for what it holds); then, with nothing due any
more, ``run scheduled`` against ``benefit balance``. Issue 15: fulfilling one monthly
issue to every member against the shell doing the same work.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import yardstick
from measure import BENEFIT, OUT, Report, copy_db, env_today, interleaved, measured, section, timed


def exists(*command: str) -> bool:
    """Whether ``benefit COMMAND --help`` knows the command."""
    done = subprocess.run([BENEFIT, *command, "--help"], capture_output=True)
    return done.returncode == 0


def cron_runs(report: Report, db: Path, membership_import: float, today: dt.date, repeats: int) -> None:
    section("Cron runs (issue 14)")
    if not exists("run", "renew") or not exists("run", "expire") or not exists("run", "scheduled"):
        for name in (
            "renew every membership / membership import",
            "expire the levels / sqlite3 INSERT ... SELECT",
            "run scheduled, nothing due / balance",
        ):
            report.not_yet("14", name, "benefit run renew/expire/scheduled do not exist")
        return
    env = env_today(today.isoformat())
    runs = OUT / "runs.db"
    copy_db(db, runs)
    renewal = measured([BENEFIT, "--db", str(runs), "run", "renew", "--as-of", "2024-12-31"], env=env)
    print(f"  run renew: {renewal.seconds:.1f} s, against the membership import's {membership_import:.1f} s")
    report.target(
        "14", "renew every membership / membership import", renewal.seconds / membership_import, 1.5
    )

    shell_db = OUT / "expire-shell.db"
    copy_db(db, shell_db)
    shell = timed(yardstick.shell_command(shell_db, expire_sql(today)))
    expiry = measured([BENEFIT, "--db", str(runs), "run", "expire", "--as-of", today.isoformat()], env=env)
    print(f"  run expire: {expiry.seconds:.1f} s, the shell's INSERT ... SELECT {shell:.1f} s")
    report.target("14", "expire the levels / sqlite3 INSERT ... SELECT", expiry.seconds / shell, 2.0)

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
    holds something (the wide scenario has no allocations and no recorded expiry yet)."""
    d = as_of.isoformat()
    return f"""INSERT INTO entries
    (kind, level_id, contact_id, entry_on, quantity, source, operator, created_at)
SELECT 'expire', lv.id, lv.contact_id, date(lv.last_day, '+1 day'), -(lv.quantity + coalesce(s.total, 0)),
    'expiry', 'bench', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM (SELECT id, contact_id, quantity, CASE WHEN cancelled_on IS NOT NULL AND cancelled_on <= expires_on
        THEN date(cancelled_on, '-1 day') ELSE expires_on END AS last_day FROM levels) AS lv
LEFT JOIN (SELECT level_id, sum(quantity) AS total FROM entries GROUP BY level_id) AS s ON s.level_id = lv.id
WHERE lv.last_day < '{d}' AND lv.quantity + coalesce(s.total, 0) > 0;"""


def fulfilment(report: Report) -> None:
    """Issue 15. Its yardstick needs the deliveries table the issue adds: one INSERT ...
    SELECT of the delivery rows, and the mailing list written with ``.mode csv``. Until
    the command exists there is nothing to write it against."""
    section("Subscription fulfilment (issue 15)")
    why = (
        "benefit subscription does not exist"
        if not exists("subscription", "fulfil")
        else "the command exists: write its sqlite3 yardstick here, against its deliveries table"
    )
    report.not_yet("15", "fulfil one monthly issue to every member / sqlite3", why)
