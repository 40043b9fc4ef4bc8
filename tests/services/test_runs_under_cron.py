"""Runs are safe under cron (SPEC §1): killed at any moment (kill -9) they leave whole
batches only and the next run finishes the work exactly once; two at once renew nothing
twice; beside staff recording uses, nobody meets a lock error and nothing is overdrawn."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import copy_db, run_on

BENEFIT = str(Path(sys.executable).with_name("benefit"))
MEMBERS = 5_000  # a renewal of 5,000 memberships
MONTHLY_MEMBERS = 8_400  # an expiry of 100,800 monthly levels
TRIALS = 20


def env(db: Path, today: str = "2027-03-01") -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("BENEFIT_")}
    values.update(
        BENEFIT_DB=str(db), BENEFIT_OPERATOR="cron", BENEFIT_TODAY=today, PYTHONDONTWRITEBYTECODE="1"
    )
    return values


def build(path: Path, per: str, members: int) -> None:
    """Members of a twelve-month plan that gives 10 minutes a ``per``, starting over 2026."""
    folder = path.parent
    with (
        open(folder / "contacts.csv", "w", encoding="utf-8") as contacts,
        open(folder / "memberships.csv", "w", encoding="utf-8") as memberships,
    ):
        contacts.write("ref,name\n")
        memberships.write("contact,plan,start_on\n")
        for n in range(members):
            contacts.write(f"M{n:05d},Member {n}\n")
            memberships.write(f"M{n:05d},P,2026-{1 + n % 12:02d}-01\n")
    run_on(path, "db", "init")
    run_on(path, "type", "add", "ROOM", "--name", "Room", "--unit", "minutes", "--category", "rooms")
    run_on(path, "plan", "add", "P", "--name", "Plan", "--term", "12")
    run_on(
        path,
        "plan",
        "benefit",
        "add",
        "P",
        "ROOM",
        "--quantity",
        "10",
        "--per",
        per,
        "--begin",
        "2020-01-01",
        "--rollover-percent",
        "50",
    )
    run_on(path, "contact", "import", folder / "contacts.csv")
    run_on(path, "membership", "import", folder / "memberships.csv")


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    made = {}
    for per, members in (("term", MEMBERS), ("month", MONTHLY_MEMBERS)):
        path = tmp_path_factory.mktemp(f"cron-{per}") / "template.db"
        build(path, per, members)
        made[per] = path
    return made


def counts(db: Path) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    try:
        return {
            "memberships": conn.execute("SELECT count(*) FROM memberships").fetchone()[0],
            "renewed twice": conn.execute(
                "SELECT count(*) FROM (SELECT renewed_from FROM memberships WHERE renewed_from IS NOT NULL"
                " GROUP BY renewed_from HAVING count(*) > 1)"
            ).fetchone()[0],
            "renewals without levels": conn.execute(
                "SELECT count(*) FROM memberships m WHERE renewed_from IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM levels l WHERE l.membership_id = m.id)"
            ).fetchone()[0],
            "closing entries": conn.execute(
                "SELECT count(*) FROM entries WHERE kind = 'expire' OR (kind = 'rollover' AND quantity < 0)"
            ).fetchone()[0],
            # a level settled with its closing written only in part, or written twice
            "torn levels": conn.execute(
                "SELECT count(*) FROM (SELECT level_id FROM entries WHERE kind IN ('expire', 'rollover')"
                " AND quantity < 0 GROUP BY level_id, kind HAVING count(*) > 1)"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def check_clean(db: Path) -> None:
    result = subprocess.run(
        [BENEFIT, "db", "check"], env=env(db), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def kill_trials(template: Path, folder: Path, command: list[str], expected: Reference) -> None:
    """Kill the run at a random moment of its life, then check what it left and that the
    next run finishes it; trials run side by side, one per core."""
    rng = random.Random(20261128)
    moments = [rng.uniform(0.05, 1.0) * expected.seconds for _ in range(TRIALS)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for outcome in pool.map(lambda trial: kill_trial(template, folder, command, expected, *trial),
                                enumerate(moments)):  # fmt: skip
            assert outcome is None


def kill_trial(
    template: Path, folder: Path, command: list[str], expected: Reference, trial: int, moment: float
) -> None:
    db = folder / f"trial-{trial}.db"
    copy_db(template, db)
    process = subprocess.Popen(
        [BENEFIT, *command], env=env(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(moment)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    partial = counts(db)
    assert partial["renewed twice"] == 0 and partial["renewals without levels"] == 0, (trial, partial)
    assert partial["torn levels"] == 0, (trial, partial)
    check_clean(db)
    finish = subprocess.run([BENEFIT, *command], env=env(db), capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr
    assert counts(db) == expected.counts, (trial, moment, counts(db), expected.counts)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


class Reference(NamedTuple):
    counts: dict[str, Any]  # what a run left, uninterrupted
    seconds: float  # how long it took


def reference(template: Path, folder: Path, command: list[str]) -> Reference:
    db = folder / "reference.db"
    copy_db(template, db)
    started = time.perf_counter()
    result = subprocess.run([BENEFIT, *command], env=env(db), capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    return Reference(counts(db), seconds)


def test_a_renewal_killed_at_any_moment_leaves_whole_batches_and_the_next_run_finishes_it(
    templates, tmp_path
):
    command = ["run", "renew", "--as-of", "2027-03-01", "--window", "300"]
    expected = reference(templates["term"], tmp_path, command)
    assert expected.counts["memberships"] >= 2 * MEMBERS  # every one, some twice over
    kill_trials(templates["term"], tmp_path, command, expected)


def test_an_expiry_killed_at_any_moment_leaves_whole_batches_and_the_next_run_finishes_it(
    templates, tmp_path
):
    # 100,800 monthly levels, most past their last day on 2027-03-01; half of what they
    # had rolls over into the next month's
    command = ["run", "expire", "--as-of", "2027-03-01"]
    expected = reference(templates["month"], tmp_path, command)
    assert expected.counts["closing entries"] > 50_000
    kill_trials(templates["month"], tmp_path, command, expected)


def test_two_runs_at_once_both_succeed_and_renew_each_membership_once(templates, tmp_path):
    db = tmp_path / "race.db"
    copy_db(templates["term"], db)
    runs = [
        subprocess.Popen(
            [BENEFIT, "run", "renew", "--as-of", "2027-03-01", "--window", "300"],
            env=env(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert (
        counts(db)["memberships"]
        == reference(
            templates["term"], tmp_path, ["run", "renew", "--as-of", "2027-03-01", "--window", "300"]
        ).counts["memberships"]
    )
    assert counts(db)["renewed twice"] == 0
    check_clean(db)


USER = """
import json, subprocess, sys
benefit, attempts, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = []
for i in range(attempts):
    run = subprocess.run([benefit, "use", who, "ROOM", "--on", "2027-02-20"], capture_output=True, text=True)
    runs.append([run.returncode, run.stderr])
print(json.dumps(runs))
"""


def test_a_run_beside_four_staff_recording_uses_makes_nobody_meet_a_lock(templates, tmp_path):
    db = tmp_path / "busy.db"
    copy_db(templates["term"], db)
    staff = [
        subprocess.Popen(
            [sys.executable, "-c", USER, BENEFIT, "15", f"M{n:05d}"],
            env=env(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 13, 25, 37)
    ]
    cron = subprocess.run(
        [BENEFIT, "run", "scheduled", "--as-of", "2027-03-01"],
        env=env(db),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cron.returncode == 0, cron.stderr
    for person in staff:
        out, err = person.communicate(timeout=300)
        for code, stderr in json.loads(out):
            assert "locked" not in stderr and "busy" not in stderr, stderr
            assert code in (0, 1), stderr  # 1: a use refused for want of balance, never a lock
    conn = sqlite3.connect(db)
    try:
        uses = dict(
            conn.execute(
                "SELECT contact_id, -sum(quantity) FROM entries WHERE kind IN ('use', 'void')"
                " GROUP BY contact_id"
            )
        )
    finally:
        conn.close()
    # the renewal's 10 minutes and half of the 10 the first term left, rolled over: none overdrawn
    assert uses and all(used <= 15 for used in uses.values())
    check_clean(db)
    shutil.rmtree(tmp_path, ignore_errors=True)
