"""The usage ledger: use, adjust and void (invariants 2-5).

Each function runs inside the transaction it is given: it reads the balances, decides, and
appends entries, so concurrent writers queue on the write lock instead of both reading the
same balance. Nothing written here is ever updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from benefit_cli.db.store import Tx
from benefit_cli.domain.consumption import (
    Draw,
    Drawable,
    Overdraw,
    available,
    draw_order,
    plan_draw,
    use_entry,
    use_rows,
)
from benefit_cli.domain.errors import BenefitError, Invalid, NotFound, RowErrors
from benefit_cli.domain.idempotency import ALREADY, CONFLICT, fingerprint, ref_decision
from benefit_cli.domain.models import BenefitType, Contact, NewEntry
from benefit_cli.domain.units import show_amount
from benefit_cli.services.balances import holders_of_levels, own_part, usable_by


@dataclass(frozen=True)
class Used:
    contact: Contact
    benefit_type: BenefitType
    draws: tuple[Draw, ...]
    entry_ids: tuple[int, ...]
    ref: str
    remaining: int  # left on the date, over every balance the contact may draw from
    already: bool = False


def overdraw_message(
    contact: Contact,
    benefit_type: BenefitType,
    wanted: int,
    on: dt.date,
    error: Overdraw,
    all_balances: Sequence[Drawable],
) -> str:
    unit = benefit_type.unit
    want = f"Cannot use {show_amount(wanted, unit)} of {benefit_type.code} for {contact.label} on {on}"
    if error.available:
        where = "; ".join(
            f"{show_amount(left, unit)} in {b.label}, expires {b.last_day}" for b, left in error.available
        )
        return f"{want}: only {show_amount(error.total, unit)} remain ({where})."
    later = sorted(
        (b for b in all_balances if b.starts_on > on and b.available_on(b.starts_on) > 0),
        key=lambda b: b.starts_on,
    )
    hint = (
        f" The next balance starts on {later[0].starts_on}."
        if later
        else (f" Grant some with: benefit level add {contact.ref} {benefit_type.code} --quantity N.")
    )
    if any(b.valid_on(on) for b in all_balances):
        return f"{want}: 0 remain on that date.{hint}"
    return f"{want}: no {benefit_type.code} balance is valid on that date.{hint}"


def record_use(
    tx: Tx,
    contact: Contact,
    benefit_type: BenefitType,
    wanted: int,
    on: dt.date,
    description: str | None = None,
    note: str | None = None,
    ref: str | None = None,
    source: str = "cli",
) -> Used:
    """Record a use of ``wanted`` (in the unit's storage), drawing in consumption order;
    refuse an overdraw whole. A ``ref`` already recorded with the same details records
    nothing (``Used.already``)."""
    if not benefit_type.active:
        raise Invalid(f'"{benefit_type.code}" is retired and can no longer be used.')
    print_ = fingerprint(contact.id, benefit_type.id, wanted, on.isoformat(), description, note)
    balances = usable_by(tx, contact.id, benefit_type.id)
    if ref:
        recorded = tx.ledger.ref_uses([ref]).get(ref, [])
        decision = ref_decision(recorded, print_)
        if decision == ALREADY:
            ids = tuple(u.entry_id for u in recorded)
            return Used(contact, benefit_type, (), ids, ref, available(balances, on), already=True)
        if decision == CONFLICT:
            raise Invalid(
                f'The ref "{ref}" was already recorded (entry {recorded[0].entry_id}) with other'
                " details; use a new ref for a new use, or void the old one first."
            )
    try:
        draws = plan_draw(balances, wanted, on)
    except Overdraw as error:
        raise Invalid(overdraw_message(contact, benefit_type, wanted, on, error, balances)) from None
    ref = ref or f"use-{uuid.uuid4().hex[:12]}"
    lines = use_rows(draws, contact.id, on.isoformat(), description, note, source, ref, print_)
    entries = list(map(use_entry, lines))
    written = tuple(tx.ledger.append(entries))
    return Used(contact, benefit_type, tuple(draws), written, ref, available(balances, on) - wanted)


@dataclass(frozen=True)
class BulkResult:
    uses: tuple[Used, ...]
    total: int  # stored quantity drawn over all contacts


def bulk_use(
    tx: Tx,
    contact_keys: Sequence[str],
    benefit_type: BenefitType,
    wanted: int,
    on: dt.date,
    description: str | None = None,
    ref_prefix: str | None = None,
) -> BulkResult:
    """The same use for many contacts, all or nothing: one contact who may not use it
    refuses the whole (the caller's transaction rolls back), and every such contact is named.
    With ``ref_prefix``, each contact's use has the ref ``PREFIX-<contact ref>``, so the same
    bulk run again records nothing twice (``Used.already``)."""
    if not contact_keys:
        raise Invalid("No contacts were chosen, so nothing was recorded.")
    uses, problems = [], []
    for key in dict.fromkeys(contact_keys):
        try:
            contact = tx.contacts.get(key)
            ref = f"{ref_prefix}-{contact.ref}" if ref_prefix else None
            uses.append(record_use(tx, contact, benefit_type, wanted, on, description, None, ref, "bulk"))
        except BenefitError as error:
            problems.append(error)
    if problems:
        raise RowErrors(problems, what="contact", done="nothing was recorded")
    return BulkResult(tuple(uses), wanted * sum(not used.already for used in uses))


@dataclass(frozen=True)
class Adjusted:
    contact: Contact
    benefit_type: BenefitType
    level_id: int
    entry_id: int
    by: int
    remaining: int


def adjust(
    tx: Tx,
    contact: Contact,
    benefit_type: BenefitType,
    by: int,
    reason: str,
    on: dt.date,
    level_id: int | None = None,
) -> Adjusted:
    """Add to or take from a contact's own level, with a reason; never below zero. Without
    ``level_id``, the level the next use would draw from."""
    if not reason.strip():
        raise Invalid("Every correction says why: give a reason.")
    if level_id is not None:
        level = tx.memberships.level(level_id)
        if level.contact_id != contact.id or level.type_id != benefit_type.id:
            raise Invalid(f"Level {level_id} is not a {benefit_type.code} level of {contact.label}.")
        holder = own_part(tx, level)
    else:
        owned = [lv.id for lv in tx.memberships.levels(contact.id, benefit_type.id)]
        candidates = draw_order((holders[0] for holders in holders_of_levels(tx, owned).values()), on)
        if by < 0:
            candidates = [b for b in candidates if b.available_on(on) >= -by] or candidates
        if not candidates:
            raise NotFound(
                f"{contact.label} owns no {benefit_type.code} level valid on {on}; name one"
                " with --level ID (see: benefit level list --contact"
                f" {contact.ref} --type {benefit_type.code})."
            )
        holder = candidates[0]
        level = tx.memberships.level(holder.level_id)
    if not holder.valid_on(on):
        raise Invalid(
            f"Level {level.id} can be used from {holder.starts_on} to {holder.last_day}; an adjustment"
            f" on {on} falls outside that. Adjust a level that is current on that day."
        )
    remaining = holder.available_on(on)
    if remaining + by < 0:
        unit = benefit_type.unit
        raise Invalid(
            f"Cannot take {show_amount(-by, unit)} from level {level.id}: only"
            f" {show_amount(remaining, unit)} remain and a balance never goes below zero."
        )
    adjustment = NewEntry(
        "adjust",
        level.id,
        None,
        contact.id,
        on.isoformat(),
        by,
        None,
        reason.strip(),
        None,
        "cli",
        None,
        None,
    )
    [entry_id] = tx.ledger.append([adjustment])
    return Adjusted(contact, benefit_type, level.id, entry_id, by, remaining + by)


@dataclass(frozen=True)
class Voided:
    entry_id: int
    void_id: int
    quantity: int
    unit: str
    level_id: int
    allocation_id: int | None
    siblings: tuple[int, ...]  # other entries of the same use (same ref), not voided


def void(tx: Tx, entry_id: int, reason: str, today: dt.date) -> Voided:
    """Reverse one use entry exactly; refuse what cannot be reversed, saying why. The void
    is dated ``today`` — or, for a use booked ahead, the day of that use (or the day its
    balance starts, if later), since what it gives back exists only from then: dated
    today, it would count before the use it reverses, and the balance would show more
    than was ever granted until that day (an event registration cancelled weeks ahead)."""
    if not reason.strip():
        raise Invalid("Every correction says why: give a reason.")
    entry = tx.ledger.get(entry_id)
    if entry.kind == "void":
        raise Invalid(
            f"Entry {entry_id} is itself a void (of entry {entry.voids_id}); a void"
            " cannot be voided. Record the use again instead."
        )
    if entry.kind != "use":
        raise Invalid(
            f"Entry {entry_id} is an {entry.kind}, not a use; only uses can be voided."
            " Correct it with: benefit adjust."
        )
    already = tx.ledger.void_of(entry_id)
    if already is not None:
        raise Invalid(f"Entry {entry_id} was already voided by entry {already}.")
    level = tx.memberships.level(entry.level_id)
    holder = next(
        h for h in holders_of_levels(tx, [level.id])[level.id] if h.allocation_id == entry.allocation_id
    )
    if holder.last_day < today:
        if entry.allocation_id is not None:
            raise Invalid(
                f"Entry {entry_id} drew from allocation {entry.allocation_id}, which ended on"
                f" {holder.last_day}; its balance cannot be restored. Grant a new level instead."
            )
        raise Invalid(
            f"Entry {entry_id} drew from level {level.id}, which expired on"
            f" {holder.last_day}; an expired balance cannot be restored. Grant a new level"
            " with: benefit level add."
        )
    [void_id] = tx.ledger.append(
        [
            NewEntry(
                "void",
                entry.level_id,
                entry.allocation_id,
                entry.contact_id,
                max(today, holder.starts_on, dt.date.fromisoformat(entry.entry_on)).isoformat(),
                -entry.quantity,
                entry_id,
                reason.strip(),
                None,
                "cli",
                entry.ref,
                None,
            )
        ]
    )
    siblings = (
        tuple(e.id for e in tx.ledger.with_ref(entry.ref) if e.kind == "use" and e.id != entry_id)
        if entry.ref
        else ()
    )
    unit = tx.catalog.type_by_id(level.type_id).unit
    return Voided(entry_id, void_id, -entry.quantity, unit, entry.level_id, entry.allocation_id, siblings)
