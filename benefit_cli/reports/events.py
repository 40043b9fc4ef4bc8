"""The rows of ``event list`` and ``event registrations`` (the latter's columns are SPEC §2's)."""

from __future__ import annotations

from benefit_cli.db.events import Event
from benefit_cli.db.store import Store
from benefit_cli.domain.units import show_amount
from benefit_cli.render import Rows

EVENT_COLUMNS = ["code", "name", "date", "regtypes", "registrations", "covered"]
REGISTRATION_COLUMNS = ["id", "contact_ref", "regtype", "covered", "entry_id", "cancelled_on"]


def event_rows(store: Store) -> Rows:
    """Every event, soonest first: its registration types (with what each uses), and how
    many registrations stand and how many of those a benefit covered."""
    regtypes: dict[int, list[str]] = {}
    for row in store.events.regtype_rows():
        uses = (
            f" ({show_amount(row.quantity, row.unit)} {row.type})"
            if row.type is not None and row.unit is not None and row.quantity is not None
            else ""
        )
        regtypes.setdefault(row.event_id, []).append(row.name + uses)
    rows = [
        [
            counts.event.code,
            counts.event.name,
            counts.event.held_on,
            "; ".join(regtypes.get(counts.event.id, [])),
            counts.registrations,
            counts.covered,
        ]
        for counts in store.events.events()
    ]
    return Rows(EVENT_COLUMNS, rows, "Events")


def registration_rows(store: Store, event: Event) -> Rows:
    """Every registration of the event, cancelled ones included (with their date)."""
    return Rows(
        REGISTRATION_COLUMNS,
        store.events.registration_rows(event.id),
        f"Registrations for {event.code} ({event.name}) on {event.held_on}",
    )
