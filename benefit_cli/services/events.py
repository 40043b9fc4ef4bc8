"""Events and their registrations (SPEC §1 "Events").

A registration type of an event may draw on a benefit: registering a contact with it
records a use of that benefit on the event's day, in the consumption order, from whatever
the contact may use (``ledger.record_use``: levels it owns, allocations to it, levels it
is a delegate of, and its business's levels shared with associates), in the same
transaction as the registration. When too little is left the registration is still
recorded, not covered, and nothing is drawn.

The use is recorded under the registration's ref (the one the user gave, else one made
here), so a use spread over several balances is found whole: cancelling voids every
entry of it, and each balance gets back what it gave. A ref given by the user makes a
registration safe to repeat, as ``use --ref`` is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from benefit_cli.db.events import Event, Registration, RegistrationType
from benefit_cli.db.store import Tx
from benefit_cli.domain.consumption import available
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import BenefitType, Contact
from benefit_cli.services.balances import usable_by
from benefit_cli.services.ledger import Used, Voided, record_use, void


def add_event(tx: Tx, code: str, name: str, held_on: dt.date) -> Event:
    """A new event; ``code`` already upper-case."""
    if tx.events.event_exists(code):
        raise Invalid(f'An event "{code}" already exists; see it with: benefit event list.')
    tx.events.add_event(code, name, held_on)
    return tx.events.event(code)


def add_regtype(
    tx: Tx, event: Event, name: str, benefit_type: BenefitType | None = None, quantity: int | None = None
) -> RegistrationType:
    """A registration type of ``event``; with a benefit type, each registration of it uses
    ``quantity`` of that type (in its unit's storage: cents for money)."""
    if (benefit_type is None) != (quantity is None):
        raise Invalid("A registration type that draws on a benefit names both the type and the quantity.")
    existing = tx.events.find_regtype(event.id, name)
    if existing is not None:
        raise Invalid(
            f'Event {event.code} already has a registration type "{existing.name}"; give this one another'
            " name."
        )
    if benefit_type is not None:
        if not benefit_type.active:
            raise Invalid(
                f'"{benefit_type.code}" is retired and can no longer be used; tie the registration type'
                " to an active benefit type (see: benefit type list)."
            )
        if benefit_type.kind == "subscription":
            raise Invalid(
                f'"{benefit_type.code}" is a subscription, delivered issue by issue rather than used;'
                " tie the registration type to a benefit that is used, such as an event ticket."
            )
    regtype_id = tx.events.add_regtype(event.id, name, benefit_type.id if benefit_type else None, quantity)
    return tx.events.regtype_by_id(regtype_id)


@dataclass(frozen=True)
class Registered:
    registration: Registration
    event: Event
    regtype: RegistrationType
    contact: Contact
    benefit_type: BenefitType | None  # None: the registration type uses no benefit
    used: Used | None  # None: not covered, no benefit, or ``already``
    left: int  # of the benefit, what the contact could use on the event's day before this
    already: bool = False  # the ref was registered before with the same details: nothing added


def register(
    tx: Tx, event: Event, contact: Contact, regtype: RegistrationType, ref: str | None = None
) -> Registered:
    """Register ``contact`` for ``event`` with ``regtype``, recording the use its benefit
    (if any) asks for; not covered, and recorded all the same, when too little is left.
    A ``ref`` registered before with the same details records nothing (``already``); with
    other details it is refused."""
    if regtype.event_id != event.id:
        raise Invalid(f'Registration type "{regtype.name}" is not one of event {event.code}.')
    benefit_type = tx.catalog.type_by_id(regtype.type_id) if regtype.type_id is not None else None
    if ref is not None:
        earlier = tx.events.registration_with_ref(ref)
        if earlier is not None:
            if earlier[1:4] != (event.id, contact.id, regtype.id):  # event, contact, registration type
                raise Invalid(
                    f'The ref "{ref}" was already given to registration {earlier.id} with other details;'
                    " use a new ref for a new registration."
                )
            return Registered(earlier, event, regtype, contact, benefit_type, None, 0, already=True)
        taken = tx.ledger.with_ref(ref)
        if taken:
            raise Invalid(
                f'The ref "{ref}" is already the ref of ledger entry {taken[0].id}, which no registration'
                " made; give this registration another ref."
            )
    if benefit_type is not None and not benefit_type.active:
        raise Invalid(
            f'Registration type "{regtype.name}" of {event.code} uses "{benefit_type.code}", which is'
            " retired and can no longer be used; register with another registration type, or add one"
            f" with: benefit event regtype add {event.code} NAME."
        )
    ref = ref or f"registration-{uuid.uuid4().hex[:12]}"
    used, left = None, 0
    if benefit_type is not None and regtype.quantity is not None:
        left = available(usable_by(tx, contact.id, benefit_type.id), event.held_on)
        if left >= regtype.quantity:
            # The one way a use is drawn and written: the consumption order, every balance
            # the contact may use, one entry per balance under the ref.
            used = record_use(
                tx,
                contact,
                benefit_type,
                regtype.quantity,
                event.held_on,
                description=f"{event.name} ({regtype.name})",
                ref=ref,
                source="event",
            )
    registration_id = tx.events.add_registration(
        event.id, contact.id, regtype.id, used.entry_ids[0] if used else None, ref
    )
    registration = tx.events.registration(registration_id)
    return Registered(registration, event, regtype, contact, benefit_type, used, left)


@dataclass(frozen=True)
class Cancelled:
    registration: Registration
    event: Event
    contact: Contact
    voided: tuple[Voided, ...]  # one per entry of the use that still stood

    @property
    def returned(self) -> int:
        return sum(v.quantity for v in self.voided)


def cancel_registration(tx: Tx, registration_id: int, today: dt.date) -> Cancelled:
    """Cancel a registration today, voiding every entry of its use that still stands (an
    entry voided by hand before is left as it is). Refused whole if a balance the use drew
    from has ended, since what it gave cannot be given back."""
    registration = tx.events.registration(registration_id)
    event = tx.events.event_by_id(registration.event_id)
    if registration.cancelled_on is not None:
        raise Invalid(
            f"Registration {registration.id} for {event.code} was already cancelled on"
            f" {registration.cancelled_on}; there is nothing left to cancel."
        )
    voided = []
    if registration.covered:
        reason = f"Registration {registration.id} for {event.code} cancelled"
        for entry in tx.ledger.with_ref(registration.ref):
            if entry.kind != "use" or tx.ledger.void_of(entry.id) is not None:
                continue
            try:
                voided.append(void(tx, entry.id, reason, today))
            except Invalid as error:
                raise Invalid(
                    f"Registration {registration.id} cannot be cancelled: {error.message[:1].lower()}"
                    f"{error.message[1:]}"
                ) from None
    tx.events.cancel(registration.id, today)
    return Cancelled(
        tx.events.registration(registration.id),
        event,
        tx.contacts.by_id(registration.contact_id),
        tuple(voided),
    )
