"""The database as Datasette shows it: ``benefit db datasette-metadata > metadata.json``,
then ``datasette benefits.db -m metadata.json``.

Datasette shows tables as they are stored. The metadata says what a person browsing needs
to read them: a title and a description for every table and view, what each column
holds, which column names a row (so a level or a membership shows its contact's, type's
and plan's names where it refers to them, not bare ids), and where a number is not what
it looks like -- money is stored in cents (a price of 6500 is 65.00) and a quantity in
its benefit's unit (admissions, minutes, pages, or cents). The ``balances`` and
``history`` views are where to start: they already carry names and codes, and
``remaining_amount`` in the unit people read.
"""

from __future__ import annotations

from typing import Any

CENTS = "in cents: 6500 is 65.00"
QUANTITY = "in the benefit's unit: admissions, minutes, pages, or cents for money"
STAMPS = {
    "created_at": "When the row was made (UTC)",
    "created_by": "Who made it (the operator)",
    "updated_at": "When it was last changed (UTC)",
    "updated_by": "Who last changed it",
}

# How many of STAMPS (in that order) each table has: invariant 4 on every row.
STAMPED = {"contacts": 4, "benefit_types": 4, "plans": 2, "plan_benefits": 4, "memberships": 4, "levels": 2,
           "allocations": 4, "delegates": 2, "entries": 1, "deliveries": 2,
           "subscription_optouts": 4, "events": 2, "registration_types": 2, "registrations": 4}  # fmt: skip

TABLES: dict[str, dict[str, Any]] = {
    "balances": {
        "title": "Balances (start here)",
        "description": "What each member has of each benefit today: one row per level (its own,"
        " unallocated part) and per allocation, with its status (upcoming, current or expired).",
        "columns": {
            "level_id": "The level (grant) the balance belongs to",
            "allocation_id": "The allocation, when this part of the level was given to someone",
            "contact_ref": "Who holds it (their ref)",
            "contact": "Who holds it",
            "type": "Benefit type code",
            "type_name": "Benefit type",
            "unit": "count, minutes, pages or money",
            "status": "upcoming (not started), current, or expired, as of today",
            "starts_on": "First day it can be used",
            "expires_on": "Last day it can be used",
            "granted": f"Granted, {QUANTITY}",
            "allocated_out": f"Given to other people, {QUANTITY}",
            "used": f"Used, less voided uses, {QUANTITY}",
            "adjusted": f"Added (+) or taken (-) by adjustments and rollovers, {QUANTITY}",
            "expired": f"Lost at expiry, {QUANTITY}",
            "remaining": f"Left to use today, {QUANTITY}",
            "remaining_amount": "Left to use today, as people read it (money in currency units)",
        },
        "facets": ["type", "status"],
    },
    "history": {
        "title": "History",
        "description": "Every grant, allocation, use, void, adjustment and expiry up to today, with"
        " the running balance of its member and benefit (as benefit report history shows it).",
        "columns": {
            "entry_id": "The ledger entry (empty for a grant or an allocation)",
            "date": "When it took effect",
            "contact_ref": "Whose balance it changed (their ref)",
            "contact": "Whose balance it changed",
            "type": "Benefit type code",
            "unit": "count, minutes, pages or money",
            "kind": "grant, allocate, allocation end, use, void, adjust, expire or rollover",
            "quantity": f"How much it added (+) or took (-), {QUANTITY}",
            "balance_after": f"What could be used right after it, {QUANTITY}",
            "status": "Of the balance as of today: upcoming, current or expired",
            "used_by": "Who used it (their ref), when someone else used a shared balance",
            "source": "Where it came from: plan, manual, cli, import, bulk, expiry, ...",
            "description": "What the member sees on statements",
            "operator": "Who recorded it",
        },
        "facets": ["kind", "type"],
    },
    "contacts": {
        "title": "Contacts",
        "description": "People and businesses; a person may belong to a business.",
        "label_column": "name",
        "sort": "ref",
        "columns": {
            "id": "Number used by the other tables",
            "ref": "The contact's id in the organization's other systems",
            "name": "Name",
            "kind": "person or business",
            "business_id": "The business this person belongs to",
            "email": "Email address",
            "joined_on": "Date joined",
        },
    },
    "benefit_types": {
        "title": "Benefit types",
        "description": "The catalog: what can be granted, in which unit, and what one unit is worth.",
        "label_column": "name",
        "sort": "code",
        "columns": {
            "code": "Code, as typed in commands",
            "name": "Name",
            "category": "Category, for reports",
            "unit": "count, minutes, pages or money",
            "unit_value": f"Value of one unit, {CENTS}",
            "kind": "standard, event, subscription or card",
            "exclusive_group": "Cards of one group: a member holds one at a time",
            "description": "What members are told about it",
            "schedule": "Issue dates of a subscription (RFC 5545 RRULE)",
            "active": "1 while it can be granted and used, 0 once retired",
        },
    },
    "plans": {
        "title": "Plans",
        "description": "Membership types: their term, grace period and price.",
        "label_column": "name",
        "sort": "code",
        "columns": {
            "code": "Code, as typed in commands",
            "name": "Name",
            "term_months": "Length of a membership",
            "grace_days": "Days after the end that subscriptions still run",
            "price": f"Price, {CENTS}",
        },
        "units": {"term_months": "month", "grace_days": "day"},
    },
    "plan_benefits": {
        "title": "Plan benefits",
        "description": "What each plan gives, per period, from begin_on to end_on.",
        "columns": {
            "plan_id": "The plan",
            "type_id": "The benefit type",
            "quantity": f"Granted each period, {QUANTITY}",
            "per": "term, month, quarter or year",
            "begin_on": "First day it applies to new memberships",
            "end_on": "Last day (empty: open-ended)",
            "priority": "1-100; lower is used first",
            "associates": "1 when the people of a business member may use it too",
            "price_portion": f"Part of the plan price allocated to it, {CENTS}",
            "rollover_percent": "Part of what is left at expiry that moves to the next level",
            "rollover_max": f"Most that moves at expiry, {QUANTITY}",
        },
    },
    "memberships": {
        "title": "Memberships",
        "description": "Who holds which plan, from when to when.",
        "sort_desc": "start_on",
        "columns": {
            "contact_id": "The member",
            "plan_id": "The plan",
            "start_on": "First day",
            "end_on": "Last day of the term",
            "grace_end_on": "Last day of the grace period",
            "renewed_from": "The membership this one renews",
            "cancelled_on": "Cancelled from this day",
            "renewed_by": "The membership that renewed this one",
        },
    },
    "levels": {
        "title": "Levels",
        "description": "Grants of a benefit to a contact, by a membership or by hand;"
        " see the balances view for what is left of them.",
        "columns": {
            "contact_id": "Who owns it",
            "type_id": "The benefit type",
            "quantity": f"Granted, {QUANTITY}",
            "starts_on": "First day it can be used",
            "expires_on": "Last day it can be used",
            "source": "plan, product or manual",
            "priority": "1-100; lower is used first",
            "unit_value": f"Value of one unit when granted, {CENTS}",
            "membership_id": "The membership that granted it",
            "plan_benefit_id": "The plan benefit it was granted by",
            "cancelled_on": "Cancelled with its membership from this day",
            "settled_on": "When the expiry run recorded what it had left",
        },
    },
    "allocations": {
        "title": "Allocations",
        "description": "Parts of levels given to other contacts (a family member, an employee).",
        "columns": {
            "level_id": "The level it is part of",
            "contact_id": "Who received it",
            "number": f"How much, {QUANTITY}",
            "starts_on": "First day it can be used",
            "stops_on": "Last day it can be used",
            "response": "accepted or declined (empty: offered)",
            "response_on": "When they answered",
            "delivered_on": "When it was handed over",
            "comment": "Comment",
            "active": "1 unless declined",
            "ended_on": "When it was ended early",
        },
    },
    "delegates": {
        "title": "Delegates",
        "description": "Contacts allowed to use a level's balance for its owner.",
        "columns": {
            "level_id": "The level (or, empty, every level of the membership)",
            "membership_id": "The membership whose levels, and its renewals', they may use",
            "contact_id": "Who may use it",
            "removed_at": "When the permission was taken back",
            "removed_by": "Who took it back",
        },
    },
    "deliveries": {
        "title": "Subscription deliveries",
        "description": "Each issue of a subscription sent to a member: never sent twice.",
        "sort_desc": "issue_date",
        "columns": {
            "contact_id": "Who received it",
            "type_id": "The subscription (a benefit type)",
            "issue_date": "The issue's date",
            "level_id": "The level that entitled them to it",
            "delivered_on": "When the fulfilment run sent it",
        },
        "facets": ["type_id"],
    },
    "subscription_issues": {
        "title": "Subscription issues",
        "description": "The past issues of each subscription, as fulfilment runs handled them.",
        "columns": {
            "type_id": "The subscription (a benefit type)",
            "issue_date": "The issue's date",
            "levels_through": "The last level the run looked at (later ones are owed it as a back issue)",
        },
    },
    "subscription_optouts": {
        "title": "Subscription opt-outs",
        "description": "Members who asked not to receive a subscription, from a day until they opt back in.",
        "columns": {
            "contact_id": "The member",
            "type_id": "The subscription (a benefit type)",
            "opted_out_on": "From this day they receive nothing",
            "opted_in_on": "They receive the issues dated after this day (empty: still out)",
        },
    },
    "entries": {
        "title": "Ledger entries",
        "description": "The append-only ledger: uses, voids, adjustments, expiries and rollovers."
        " Nothing here is ever changed or deleted.",
        "sort_desc": "id",
        "columns": {
            "kind": "use, void, adjust, expire or rollover",
            "level_id": "The level drawn from or credited",
            "allocation_id": "The allocation, when the balance was one",
            "contact_id": "Who used it",
            "entry_on": "When it took effect",
            "quantity": f"Taken (-) or added (+), {QUANTITY}",
            "voids_id": "The use this entry voids",
            "description": "What the member sees on statements",
            "note": "Internal note, never shown to members",
            "source": "cli, import, bulk, event, expiry, ...",
            "ref": "The key that makes a repeat record nothing",
            "fingerprint": "What a repeat with the same ref must match",
            "operator": "Who recorded it",
        },
        "facets": ["kind"],
    },
    "events": {
        "title": "Events",
        "description": "Events members register for; a registration may use a benefit.",
        "label_column": "name",
        "sort": "held_on",
        "columns": {
            "code": "Code, as typed in commands",
            "name": "Name",
            "held_on": "The day it is held: the day its registrations use benefits",
        },
    },
    "registration_types": {
        "title": "Registration types",
        "description": "The ways to register for an event; each may use a quantity of a benefit.",
        "label_column": "name",
        "columns": {
            "event_id": "The event",
            "name": "Name, as typed in commands (in any case)",
            "type_id": "The benefit type a registration uses (empty: none)",
            "quantity": f"How much of it a registration uses, {QUANTITY}",
        },
    },
    "registrations": {
        "title": "Registrations",
        "description": "Contacts registered for events. A covered registration's use is in the ledger"
        " under its ref (one entry per balance drawn from); cancelling voids them.",
        "columns": {
            "event_id": "The event",
            "contact_id": "Who registered",
            "regtype_id": "The registration type",
            "covered": "1 when a benefit paid for it, 0 when none was left or none applies",
            "entry_id": "The (first) ledger entry of its use",
            "ref": "The ref of its use in the ledger; also the key that makes a repeat register nothing",
            "cancelled_on": "Cancelled on this day (its use voided)",
        },
        "facets": ["covered"],
    },
    "migrations": {
        "title": "Schema versions",
        "description": "The schema changes applied to this file (benefit-cli's own bookkeeping).",
        "hidden": True,
    },
}


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for the database it will call ``database`` (its file's stem)."""
    tables = {}
    for table, about in TABLES.items():
        stamps = list(STAMPS.items())[: STAMPED.get(table, 0)]
        tables[table] = {**about, "columns": {**about.get("columns", {}), **dict(stamps)}}
    return {
        "title": "Membership benefits",
        "description": "Kept by benefit-cli. Start with the balances and history views. Money is"
        " stored in cents (6500 is 65.00); quantities in their benefit's unit.",
        "databases": {database: {"tables": tables}},
    }
