"""Idempotency by ref (invariant 5): what a use carrying an already-seen ref means.

A ref names one use. Repeating it with the same content records nothing — so a retried
command or a re-imported file never counts twice, even if that use was voided since.
Repeating it with other content is refused while the first use stands; once every use
under the ref has been voided, the ref is free for the corrected use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NEW, ALREADY, CONFLICT = "new", "already", "conflict"


@dataclass(frozen=True)
class RefUse:
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
