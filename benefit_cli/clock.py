"""The edges of the pure core: who is acting and what time it is.

Domain functions never call these (they take the date they reason about as an argument);
services, the store and the command line do, and pass the values in.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os

_operator_override: str | None = None


def set_operator(name: str | None) -> None:
    """Set by the global ``--operator`` option for this process."""
    global _operator_override
    _operator_override = name or None


def operator_name() -> str:
    """``--operator``, else ``$BENEFIT_OPERATOR``, else the OS user (invariant 4)."""
    if _operator_override:
        return _operator_override
    env = os.environ.get("BENEFIT_OPERATOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container: still name someone
        return "unknown"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def today() -> dt.date:
    """Today's local date (``BENEFIT_TODAY`` pins it for demos and tests)."""
    pinned = os.environ.get("BENEFIT_TODAY")
    if pinned:
        return dt.date.fromisoformat(pinned)
    return dt.date.today()
