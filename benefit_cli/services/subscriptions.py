"""Subscriptions (SPEC §1 "Subscriptions"): deliver each scheduled issue once to every
member entitled to it, and let members opt out and back in.

A member is entitled to an issue when they own a level of the subscription type valid on
its date (levels of a subscription run from the membership's start to its grace end) and
no opt-out of theirs covers it: an opt-out covers every issue while it runs, and every issue
dated up to the day they opt back in — back issues included. A fulfilment delivers every
issue up to a date, so a member entered after an issue went out receives it on the next
run, and records each delivery once, so a second run delivers nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benefit_cli.db.store import Tx
from benefit_cli.db.subscriptions import MailingRow
from benefit_cli.domain.dates import ONE_DAY
from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.models import BenefitType, Contact
from benefit_cli.domain.schedule import issue_dates

MAILING_COLUMNS = ["contact_ref", "name", "email", "type", "issue_date"]


def subscription_type(benefit_type: BenefitType) -> BenefitType:
    """The type, if it is a subscription with a schedule; else a refusal saying what to do."""
    if benefit_type.kind != "subscription":
        raise Invalid(
            f'"{benefit_type.code}" is a {benefit_type.kind} benefit, not a subscription; only a'
            " subscription has issues."
        )
    if not benefit_type.schedule:
        raise Invalid(
            f'Subscription "{benefit_type.code}" has no issue schedule. Give it one with:'
            f' benefit type update {benefit_type.code} --schedule "FREQ=MONTHLY;BYMONTHDAY=1".'
        )
    return benefit_type


# -- opting out and in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OptedOut:
    since: dt.date
    already: bool  # they were opted out before this command


def opt_out(tx: Tx, contact: Contact, benefit_type: BenefitType, today: dt.date) -> OptedOut:
    """From today the member receives no issue of the type, and a renewal leaves it out."""
    subscription_type(benefit_type)
    current = tx.subscriptions.current_optout(contact.id, benefit_type.id)
    if current is not None:
        return OptedOut(current.opted_out_on, already=True)
    tx.subscriptions.opt_out(contact.id, benefit_type.id, today)
    return OptedOut(today, already=False)


def opt_in(tx: Tx, contact: Contact, benefit_type: BenefitType, today: dt.date) -> bool:
    """From the next issue dated after today the member receives the type again, and the
    next renewal grants it again; False if they were not opted out."""
    subscription_type(benefit_type)
    current = tx.subscriptions.current_optout(contact.id, benefit_type.id)
    if current is None:
        return False
    tx.subscriptions.opt_in(current.id, max(today, current.opted_out_on))
    return True


# -- fulfilment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fulfilled:
    benefit_type: BenefitType
    issues: tuple[dt.date, ...]  # the scheduled issues looked at
    delivered: list[MailingRow]  # the mailing list (``MAILING_COLUMNS``)
    after: int  # the last delivery recorded before these (0 when it delivered nothing)


def fulfil(tx: Tx, benefit_type: BenefitType, through: dt.date, today: dt.date) -> Fulfilled:
    """Deliver every issue of the type dated up to ``through`` to every member entitled to
    it who has not had it.

    The issues a fulfilment has handled are the subscription's past issues: a member
    entered late is owed those, and the schedule gives only the issues after the last of
    them (a schedule changed later dates the issues to come, never the past ones again).
    A past issue is looked at again only for the levels created since it was handled, so
    a night with nothing new reads next to nothing."""
    subscription_type(benefit_type)
    assert benefit_type.schedule is not None
    store = tx.subscriptions
    handled = store.issues_handled(benefit_type.id)
    last_level = store.last_level_id()
    if handled:
        first = max(handled) + ONE_DAY
    else:
        first_start = store.first_start(benefit_type.id)
        if first_start is None:  # nobody has ever held it
            return Fulfilled(benefit_type, (), [], 0)
        first = first_start
    issues = {day: after for day, after in handled.items() if day <= through and after < last_level}
    issues.update((day, 0) for day in issue_dates(benefit_type.schedule, first, through))
    if not issues:
        return Fulfilled(benefit_type, (), [], 0)
    before = store.last_delivery_id()
    store.deliver(benefit_type.id, issues, today)
    # An issue dated after today is looked at whole again next time: a member who opts
    # back in before its date is owed it, and a schedule changed meanwhile may move it.
    store.mark_handled(benefit_type.id, [day for day in issues if day <= today], last_level)
    mailing = store.mailing_since(before, benefit_type.id, benefit_type.code, issues)
    return Fulfilled(benefit_type, tuple(sorted(issues)), mailing, before)
