"""Real processes against one database file: racing writers and a kill -9 mid-write.

SPEC 3 "Concurrency" and "Nothing lost": writes queue behind each other, no balance is
overdrawn by a race, no "database is locked" reaches a user, and a killed command leaves
nothing half-written. Every child process is bounded by a timeout.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

BENEFIT = Path(sys.executable).with_name("benefit")
ON = "2026-06-01"
TIMEOUT = 60

# A worker: wait at the start line, then try ``attempts`` uses of 1 through the service.
SERVICE_WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import datetime as dt
    from benefit_cli.db.connection import connect
    from benefit_cli.db.store import Store
    from benefit_cli.domain.errors import BenefitError
    from benefit_cli.services.ledger import record_use

    db, go, ready, attempts = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
    store = Store(connect(db))
    ready.touch()
    deadline = time.monotonic() + 30
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("never started")
        time.sleep(0.001)
    done = {"ok": 0, "refused": [], "other": []}
    for i in range(attempts):
        try:
            with store.transaction() as tx:
                contact, benefit_type = tx.contacts.get("C1"), tx.catalog.type("PASS")
                record_use(tx, contact, benefit_type, 1, dt.date(2026, 6, 1), description=f"try {i}")
            done["ok"] += 1
        except BenefitError as error:
            done["refused"].append(error.message)
        except Exception as error:  # what must never happen: reported, not raised
            done["other"].append(f"{type(error).__name__}: {error}")
    print(json.dumps(done))
    """
)

# A worker that goes through the real console script, as staff at a terminal would.
CLI_WORKER = textwrap.dedent(
    """
    import json, subprocess, sys, time
    from pathlib import Path

    benefit, go, ready = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    attempts = int(sys.argv[4])
    ready.touch()
    deadline = time.monotonic() + 30
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("never started")
        time.sleep(0.001)
    runs = []
    for i in range(attempts):
        run = subprocess.run(
            [benefit, "use", "C1", "PASS", "--on", "2026-06-01", "--description", f"cli {i}"],
            capture_output=True, text=True, timeout=30,
        )
        runs.append({"code": run.returncode, "stdout": run.stdout, "stderr": run.stderr})
    print(json.dumps(runs))
    """
)

# A use that spans two levels, made to stop between its two entries.
CRASH_WORKER = textwrap.dedent(
    """
    import sys, time
    import datetime as dt
    from pathlib import Path
    from benefit_cli.db.connection import connect
    from benefit_cli.db.ledger import Ledger
    from benefit_cli.db.store import Store
    from benefit_cli.services.ledger import record_use

    db, ready = sys.argv[1], Path(sys.argv[2])
    original = Ledger.append

    def stalled(self, rows):
        ids = original(self, rows[:1])
        ready.write_text(str(len(rows)))
        time.sleep(60)
        return ids + original(self, rows[1:])

    Ledger.append = stalled
    with Store(connect(db)).transaction() as tx:
        contact, benefit_type = tx.contacts.get("C1"), tx.catalog.type("PASS")
        record_use(tx, contact, benefit_type, 3, dt.date(2026, 6, 1), ref="CRASHED-REF")
    """
)


def child_env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENEFIT_")}
    env.update(BENEFIT_DB=str(db), BENEFIT_OPERATOR="racer", PYTHONDONTWRITEBYTECODE="1")
    return env


def use_entries(db: Path) -> list[tuple[int, int, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT level_id, quantity, ref FROM entries WHERE kind = 'use' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def db_check(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BENEFIT), "--db", str(db), "db", "check"], capture_output=True,
                          text=True, timeout=TIMEOUT, env=child_env(db))


def wait_for(paths: list[Path], procs: list[subprocess.Popen[str]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not all(p.exists() for p in paths):
        for proc in procs:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"a worker exited early ({proc.returncode}):\n{out}\n{err}")
        assert time.monotonic() < deadline, "workers did not get ready in time"
        time.sleep(0.01)


def kill_all(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def pass_db(cli: Callable[..., Any], db: Path) -> Path:
    """C1 holds exactly 100 PASS on 2026-06-01, split over two levels."""
    cli("type", "add", "PASS", "--name", "Day pass", "--unit", "count", "--category", "passes")
    cli("contact", "add", "Racer", "--ref", "C1")
    cli("level", "add", "C1", "PASS", "--quantity", "60", "--start", "2026-01-01", "--expires",
        "2026-06-30")
    cli("level", "add", "C1", "PASS", "--quantity", "40", "--start", "2026-01-01", "--expires",
        "2026-12-31")
    [row] = cli("balance", "C1", "--type", "PASS", "--on", ON, "-f", "json").json()
    assert row["remaining"] == 100
    return db


def test_racing_writers_never_overdraw_and_never_see_a_lock(pass_db: Path, tmp_path: Path):
    go = tmp_path / "go"
    services, attempts = 8, 40
    cli_attempts = 6
    ready = [tmp_path / f"ready-{n}" for n in range(services + 1)]
    env = child_env(pass_db)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SERVICE_WORKER, str(pass_db), str(go), str(ready[n]),
             str(attempts)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for n in range(services)
    ]
    procs.append(subprocess.Popen(
        [sys.executable, "-c", CLI_WORKER, str(BENEFIT), str(go), str(ready[-1]),
         str(cli_attempts)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ))
    try:
        wait_for(ready, procs, 30)
        go.touch()
        outputs = [proc.communicate(timeout=TIMEOUT) for proc in procs]
    finally:
        kill_all(procs)

    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "locked" not in out + err and "busy" not in out + err, err
        assert "Traceback" not in err, err

    results = [json.loads(out) for out, _ in outputs[:-1]]
    cli_runs = json.loads(outputs[-1][0])
    assert [r["other"] for r in results] == [[]] * services
    granted = sum(r["ok"] for r in results) + sum(run["code"] == 0 for run in cli_runs)
    refused = [m for r in results for m in r["refused"]]
    assert granted == 100
    assert len(refused) + sum(run["code"] != 0 for run in cli_runs) == (
        services * attempts + cli_attempts - 100)
    assert all(m.startswith("Cannot use 1 of PASS for") for m in refused), set(refused)

    for run in cli_runs:
        assert run["code"] in (0, 1), run
        assert "locked" not in run["stderr"] and "busy" not in run["stderr"], run
        assert "Traceback" not in run["stderr"], run
        if run["code"] == 0:
            assert run["stdout"].strip().isdigit(), run
        else:
            [line] = [x for x in run["stderr"].splitlines() if x.startswith("Error:")]
            assert line.startswith('Error: Cannot use 1 of PASS for "C1" (Racer) on 2026-06-01:'), (
                run)
            assert run["stdout"] == ""

    entries = use_entries(pass_db)
    assert len(entries) == 100
    assert sum(quantity for _, quantity, _ in entries) == -100
    per_level: dict[int, int] = {}
    for level_id, quantity, _ in entries:
        per_level[level_id] = per_level.get(level_id, 0) - quantity
    assert sorted(per_level.values()) == [40, 60]

    check = db_check(pass_db)
    assert check.returncode == 0, check.stdout + check.stderr
    final = subprocess.run(
        [str(BENEFIT), "balance", "C1", "--type", "PASS", "--on", ON, "-f", "json"],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert json.loads(final.stdout)[0]["remaining"] == 0


def test_a_use_killed_between_its_entries_leaves_nothing_behind(pass_db: Path,
                                                                tmp_path: Path):
    env = child_env(pass_db)
    # Leave 1 in the first level so a use of 3 spans both levels (two entries, one ref).
    spend = subprocess.run(
        [str(BENEFIT), "use", "C1", "PASS", "--quantity", "59", "--on", ON],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert spend.returncode == 0, spend.stderr
    before = use_entries(pass_db)

    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", CRASH_WORKER, str(pass_db), str(ready)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for([ready], [proc], 30)
        assert ready.read_text() == "2"  # the first of two entries is written, uncommitted
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        kill_all([proc])
    assert proc.returncode == -signal.SIGKILL

    check = db_check(pass_db)
    assert check.returncode == 0, check.stdout + check.stderr
    after = use_entries(pass_db)
    assert after == before
    assert not [e for e in after if e[2] == "CRASHED-REF"]

    again = subprocess.run(
        [str(BENEFIT), "use", "C1", "PASS", "--quantity", "3", "--on", ON, "--ref", "CRASHED-REF"],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert again.returncode == 0, again.stderr
    assert len(again.stdout.split()) == 2
    assert "Already recorded" not in again.stderr
    assert [e[1] for e in use_entries(pass_db) if e[2] == "CRASHED-REF"] == [-1, -2]
    balance = subprocess.run(
        [str(BENEFIT), "balance", "C1", "--type", "PASS", "--on", ON, "-f", "json"],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert json.loads(balance.stdout)[0]["remaining"] == 100 - 59 - 3
    assert db_check(pass_db).returncode == 0
