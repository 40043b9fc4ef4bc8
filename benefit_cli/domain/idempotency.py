"""Idempotency by ref (invariant 5): what a use carrying an already-seen ref means.

A ref names one use. Repeating it with the same content records nothing — so a retried
command or a re-imported file never counts twice, even if that use was voided since.
Repeating it with other content is refused while the first use stands; once every use
under the ref has been voided, the ref is free for the corrected use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

NEW, ALREADY, CONFLICT = "new", "already", "conflict"


class RefUse(NamedTuple):
    """A use entry recorded under a ref."""

    entry_id: int
    fingerprint: str | None
    voided: bool


def ref_decision(recorded: Sequence[RefUse], fingerprint: str) -> str:
    """NEW (record it), ALREADY (a repeat: record nothing) or CONFLICT (refuse)."""
    if not recorded:
        return NEW
    standing = [use for use in recorded if not use.voided]
    if standing:
        return ALREADY if standing[0].fingerprint == fingerprint else CONFLICT
    return ALREADY if recorded[-1].fingerprint == fingerprint else NEW


FINGERPRINT_LENGTH = 20  # hex digits: 80 bits tell two uses under one ref apart


def fingerprint(
    contact_id: int, type_id: int, total: int, on: str, description: str | None, note: str | None
) -> str:
    """What makes two uses "the same" for idempotency by ref; ``on`` is the ISO date.

    An import calls this for every row, hence the plain f-string. Entries written before
    the fingerprint was shortened hold all 40 digits; ``Store.ref_uses`` compares their
    first 20.
    """
    text = f"{contact_id}\x1f{type_id}\x1f{total}\x1f{on}\x1f{description or ''}\x1f{note or ''}"
    sha1 = _SHA1 or _load_sha1()
    return sha1(text.encode()).digest()[: FINGERPRINT_LENGTH // 2].hex()  # hexdigest()[:20]


# hashlib loads OpenSSL (about 5 ms): only commands that record a use pay for it.
_SHA1: Callable[[bytes], Any] | None = None


def _load_sha1() -> Callable[[bytes], Any]:
    global _SHA1
    import hashlib

    _SHA1 = hashlib.sha1
    return _SHA1
