"""Writing ``--output``: a report goes to a partial file beside the target and is moved
into place only when complete, so an interrupted report never leaves half a file, and a
partial whose writer was killed is removed by the next write to that path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def replacing(output: Path) -> Iterator[IO[str]]:
    """A file to write ``output`` through. Rows may stream from the database, so they go
    to ``.NAME.PID.partial`` beside it, moved into place only when complete: an
    interrupted report never leaves half a file. The process id keeps two writers of one
    path apart; a partial whose writer was killed (kill -9, a power cut) is removed by the
    next write to that path."""
    _remove_abandoned(output)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        out = open(partial, "w", encoding="utf-8", newline="")
    except OSError as exc:
        from benefit_cli.domain.errors import BenefitError

        raise BenefitError(
            f'Cannot write "{output}" ({exc.strerror}); check that the folder exists and that'
            " you may write there."
        ) from None
    try:
        with out:
            yield out
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def _remove_abandoned(output: Path) -> None:
    """Remove the partials of ``output`` whose writer is gone: ``.NAME.PID.partial`` of a
    process that no longer runs, and ``.NAME.partial`` (written before partials carried
    a process id)."""
    import glob

    prefix = f".{output.name}."
    try:
        found = list(output.parent.glob(glob.escape(prefix) + "*partial"))
    except OSError:  # the folder is missing or unreadable: opening the partial says so
        return
    for path in found:
        middle = path.name[len(prefix) : -len("partial")]
        if middle and not (middle.endswith(".") and middle[:-1].isascii() and middle[:-1].isdigit()):
            continue  # another file's partial (".NAME.5.csv.partial"), or not a partial
        if middle and _running(int(middle[:-1])):
            continue
        try:
            path.unlink()
        except OSError:  # in use (Windows will not delete an open file), or not ours
            pass


def _running(pid: int) -> bool:
    if os.name == "nt":
        # os.kill(pid, 0) would end the process on Windows; there, deleting a file that
        # another process has open fails, and that is the test.
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # it runs, as another user; or no pid this system makes
        return True
    return True
