"""How the bench measures: wall time and peak memory of whole processes, medians of
interleaved repeats, and the verdict on each target.

This machine's speed drifts (up to 1.7x within an hour, more while other work shares it),
so every figure is a ratio to a baseline measured in the same run, and short figures are
the medians of repeats run in turns (``interleaved``), so that drift hits both sides alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
BENEFIT = str(BIN / "benefit")
PYTHON = sys.executable


@dataclass
class Target:
    """One figure held to a limit: ``value <= limit`` is met."""

    issue: str
    name: str
    value: float
    limit: float
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.value <= self.limit

    def line(self) -> str:
        shown = f"{self.value:.2f}{self.unit}" if self.unit == "x" else f"{self.value:.0f} {self.unit}"
        limit = f"{self.limit:g}{self.unit}" if self.unit == "x" else f"{self.limit:g} {self.unit}"
        return f"  {self.issue:9} {self.name:58} {shown:>9}  target <= {limit:8} {verdict(self.met)}"


@dataclass
class Report:
    """Every target of the run, said as they are measured and summed up at the end."""

    targets: list[Target] = field(default_factory=list)

    def target(self, issue: str, name: str, value: float, limit: float, unit: str = "x") -> Target:
        target = Target(issue, name, value, limit, unit)
        self.targets.append(target)
        print(f"    -> {name}: {target.line().split(name, 1)[1].strip()}")
        return target

    def summary(self) -> str:
        met = sum(t.met for t in self.targets)
        lines = ["", f"Targets: {met} of {len(self.targets)} met"]
        lines += [t.line() for t in self.targets]
        return "\n".join(lines)


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def section(title: str) -> None:
    print(f"\n{title}", flush=True)


def remove_db(db: Path) -> None:
    """Delete a database and its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def copy_db(source: Path, target: Path) -> None:
    """A copy of a database whose WAL was checkpointed (the bench's own files are), on
    disk before it returns: otherwise the copy's writeback lands in whichever command is
    timed next (seen here: a 0.15 s statement took 0.3 s right after two 100 MB copies)."""
    import os
    import shutil

    remove_db(target)
    shutil.copyfile(source, target)
    os.sync()


def checkpoint(db: Path) -> None:
    """Fold the WAL into the file, so that a copy of the file alone is the whole database."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def run(cmd: Sequence[str], env: Mapping[str, str] | None = None, stdout: int | None = None) -> None:
    """Run a step that is not measured; stop the bench, saying why, if it fails."""
    done = subprocess.run(
        list(cmd), env=env, stdout=subprocess.DEVNULL if stdout is None else stdout, stderr=subprocess.PIPE
    )
    if done.returncode != 0:
        raise SystemExit(f"bench step failed: {' '.join(cmd)}\n{done.stderr.decode(errors='replace')}")


def benefit(db: Path, *args: str, env: Mapping[str, str] | None = None) -> None:
    run([BENEFIT, "--db", str(db), *args], env=env)


def up_to_date(db: Path) -> Path:
    """A database the bench made on an earlier run, brought to the schema of the code being
    measured, untimed, and checkpointed for copying: otherwise the first command timed on
    it, or on every copy of it, would migrate it first (seen here: a new index on 600,000
    levels doubled the time of a fulfilment)."""
    benefit(db, "db", "migrate")
    checkpoint(db)
    return db


def timed(
    cmd: Sequence[str], env: Mapping[str, str] | None = None, stdout: Path | None = None, ok: int = 0
) -> float:
    """Wall time of one command (its output to ``stdout`` if given, else discarded)."""
    target = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        done = subprocess.run(list(cmd), env=env, stdout=target, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - started
    finally:
        if stdout:
            target.close()  # type: ignore[union-attr]
    if done.returncode not in (0, ok):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr.decode(errors='replace')}")
    return elapsed


@dataclass
class Measured:
    seconds: float
    peak_mb: int  # peak resident memory of the process and its children together
    stderr: str


def measured(
    cmd: Sequence[str], env: Mapping[str, str] | None = None, stdout: Path | None = None, ok: int = 0
) -> Measured:
    """Wall time and peak RSS of one command: of all its processes together (a large import
    has a writer process), sampled every 10 ms, or of the largest alone if that is more."""
    target = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(list(cmd), env=env, stdout=target, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kib(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    err = process.stderr.read().decode(errors="replace")  # until it ends (no pipe fills up)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        target.close()  # type: ignore[union-attr]
    if process.returncode not in (0, ok):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return Measured(elapsed, max(peak[0], usage.ru_maxrss) // 1024, err)


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


def interleaved(commands: Mapping[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """The median time of each command over ``repeats`` rounds, the commands run in turns."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, command in commands.items():
            samples[name].append(command())
    return {name: statistics.median(values) for name, values in samples.items()}


def median_ratio(ours: Sequence[float], base: Sequence[float]) -> float:
    """The median of the ratios of paired runs (run k of ours against run k of the base)."""
    return statistics.median(o / b for o, b in zip(ours, base, strict=True))


def env_today(today: str) -> dict[str, str]:
    """The environment of a measured command: today pinned, no BENEFIT_DB from outside."""
    env = {key: value for key, value in os.environ.items() if key != "BENEFIT_DB"}
    return {**env, "BENEFIT_TODAY": today}
