"""A report written with ``--output`` goes to ``.NAME.PID.partial`` and is moved into place
when complete (issue 17): a killed writer leaves its partial behind, and the next write
to that path removes it — never the partial of a writer that still runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benefit_cli.render import Rows, render

ROWS = [[1, "a"], [2, "b"]]


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_the_partial_is_named_by_the_writing_process(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    seen: list[set[str]] = []

    def rows() -> Iterator[list[Any]]:
        seen.append(beside(out))
        yield from ROWS

    render(Rows(["id", "name"], rows()), "csv", out)
    assert seen == [{f".report.csv.{os.getpid()}.partial"}]
    assert beside(out) == {"report.csv"}


@pytest.mark.skipif(os.name == "nt", reason="process ids are probed with os.kill(pid, 0), POSIX only")
def test_abandoned_partials_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        leftovers = {
            f".report.csv.{dead_pid()}.partial": "abandoned",
            ".report.csv.partial": "from a version before partials carried a pid",
            f".report.csv.{live.pid}.partial": "another writer, still at work",
            f".report.csv.5.csv.{dead_pid()}.partial": "the partial of report.csv.5.csv",
            ".report.csv.99999999999999999999.partial": "no process id: not ours to judge",
            "notes.txt": "not a partial",
        }
        for name, text in leftovers.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        render(Rows(["id", "name"], ROWS), "csv", out)
        assert beside(out) == {
            "report.csv",
            f".report.csv.{live.pid}.partial",
            *(name for name in leftovers if name.startswith(".report.csv.5.csv.")),
            ".report.csv.99999999999999999999.partial",
            "notes.txt",
        }
        assert out.read_bytes() == b"id,name\r\n1,a\r\n2,b\r\n"
    finally:
        live.kill()
        live.wait()


WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from benefit_cli.render import Rows, render

    def rows():
        yield [1, "a"]
        sys.stderr.write("writing\\n")
        sys.stderr.flush()
        time.sleep(60)
        yield [2, "b"]

    render(Rows(["id", "name"], rows()), "csv", Path(sys.argv[1]))
    """
)


@pytest.mark.skipif(os.name == "nt", reason="kill -9 is POSIX")
def test_after_a_kill_9_the_next_write_cleans_up(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    out.write_text("the previous report\n", encoding="utf-8")
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(out)], stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stderr is not None
        assert writer.stderr.readline() == "writing\n"  # the partial is open and being written
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    partial = f".report.csv.{writer.pid}.partial"
    assert beside(out) == {"report.csv", partial}
    assert out.read_text(encoding="utf-8") == "the previous report\n"

    deadline = time.monotonic() + 5  # the killed process is reaped: its id no longer runs
    while time.monotonic() < deadline:
        try:
            os.kill(writer.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)

    render(Rows(["id", "name"], ROWS), "csv", out)
    assert beside(out) == {"report.csv"}
    assert out.read_bytes() == b"id,name\r\n1,a\r\n2,b\r\n"


def test_a_folder_that_cannot_be_written_is_one_clear_refusal(tmp_path: Path) -> None:
    from benefit_cli.domain.errors import BenefitError

    with pytest.raises(BenefitError) as refused:
        render(Rows(["id"], [[1]]), "csv", tmp_path / "missing" / "report.csv")
    assert refused.value.message == (
        f'Cannot write "{tmp_path / "missing" / "report.csv"}" (No such file or directory); check that'
        " the folder exists and that you may write there."
    )
