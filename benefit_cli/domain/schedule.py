"""A subscription's issue schedule: an RFC 5545 RRULE, evaluated with dateutil.

Without a DTSTART of its own a rule is anchored on 2000-01-01, so ``FREQ=MONTHLY;
BYMONTHDAY=15`` means the 15th of every month, whatever day the type was added.
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
    return text
