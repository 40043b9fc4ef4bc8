"""kill -9 in the middle of a large usage import: the import runs in one transaction held by a
writer process, so killing it leaves every table as it was, the writer ends on its own, and
the rerun imports every row."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import assert_db_ok, entry_count, snapshot

KILL_ROWS = 300_000


def benefit_command() -> list[str]:
    script = Path(sys.executable).with_name("benefit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "benefit_cli"]


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(f"{db}-wal")
    except OSError:
        return 0


def read_position(pid: int, path: Path) -> int:
    """How far process ``pid`` has read into ``path`` (Linux /proc; 0 if unknown)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    for line in info:
                        if line.startswith("pos:"):
                            return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc; none if unknown)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@pytest.fixture
def big_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("contact,type,quantity,used_on,description,ref\n")
        pad = "x" * 80
        handle.writelines(
            f"C1,GUEST,1,2026-{1 + i % 12:02d}-{1 + i % 28:02d},visit {i} {pad},B{i}\n"
            for i in range(KILL_ROWS))
    yield path


def test_kill_9_during_a_large_import_leaves_nothing_and_the_rerun_completes(
    cli, usage_world, big_file
):
    cli("level", "add", "C1", "GUEST", "--quantity", "1000000", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    conn = sqlite3.connect(usage_world)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = snapshot(usage_world)
    env = {**os.environ, "BENEFIT_DB": str(usage_world), "BENEFIT_OPERATOR": "tester"}

    process = subprocess.Popen([*benefit_command(), "usage", "import", str(big_file)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # Well inside the transaction: pages of the import spilling into the WAL, or (should
        # a bigger page cache keep them in memory) three quarters of the rows read, which
        # happens only inside it.
        deadline = time.monotonic() + 30
        most = big_file.stat().st_size * 3 // 4
        while (wal_size(usage_world) < 4 * 1024 * 1024
               and read_position(process.pid, big_file) < most):
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import never got far enough to kill it"
            time.sleep(0.02)
        writers = children(process.pid)
        assert writers or not os.path.exists("/proc"), "a file this large has a writer process"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
        # Left alone, the writer reads the end of its input, rolls back and ends.
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not zombie(pid) for pid in writers):
            assert time.monotonic() < deadline, "the writer process outlived the import"
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()

    check = cli("db", "check")
    assert "no problems found" in check.stdout + check.stderr
    assert entry_count(usage_world) == 0
    assert snapshot(usage_world) == before

    # A bound on the wait, however busy the machine, not a speed claim: make bench has those.
    rerun = subprocess.run([*benefit_command(), "usage", "import", str(big_file)], env=env,
                           capture_output=True, text=True, timeout=180)
    assert rerun.returncode == 0, rerun.stderr
    assert f"rows read {KILL_ROWS}, imported {KILL_ROWS}, skipped as already present 0" in (
        rerun.stderr)
    assert entry_count(usage_world) == KILL_ROWS
    assert_db_ok(cli)
