"""A subscription's issue schedule: an RFC 5545 RRULE, evaluated with dateutil.

Without a DTSTART of its own a rule is anchored on 2000-01-01, so ``FREQ=MONTHLY;
BYMONTHDAY=15`` means the 15th of every month, whatever day the type was added. An issue
falls on a date: the date a DTSTART with a time shows, in its own zone if it names one.
"""

from __future__ import annotations

import datetime as dt

ANCHOR = dt.datetime(2000, 1, 1)


def check_schedule(text: str) -> str:
    """The rule as given, or ``ValueError`` saying why it is not an RRULE."""
    from dateutil.rrule import rrulestr

    try:
        rrulestr(text, dtstart=ANCHOR)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f'"{text}" is not an RFC 5545 RRULE ({exc}); e.g. FREQ=MONTHLY;BYMONTHDAY=1.'
        ) from exc
    if any(f"FREQ={unit}" in text.upper() for unit in ("HOURLY", "MINUTELY", "SECONDLY")):
        raise ValueError(f'"{text}" repeats within a day; an issue is dated, e.g. FREQ=DAILY or FREQ=WEEKLY.')
    return text


def issue_dates(text: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The issues the schedule ``text`` has dated from ``first`` to ``last``, both included."""
    from dateutil.rrule import rrulestr

    if last < first:
        return []
    rule = rrulestr(text, dtstart=ANCHOR)
    earliest = next(iter(rule), None)
    if earliest is None:
        return []
    # An issue falls on the date its DTSTART's clock shows there (a TZID's own zone).
    zone = earliest.tzinfo
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last, dt.time.max, tzinfo=zone)
    return [moment.date() for moment in rule.between(start, end, inc=True)]
