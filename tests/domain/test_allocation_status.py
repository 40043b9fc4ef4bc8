"""An allocation's status as of a day (domain/models.py, SPEC "An allocation's life"), and
quantities in the unit's words (domain/units.py). No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.domain.models import Allocation
from benefit_cli.domain.units import show_amount

D = dt.date.fromisoformat


def allocation(*, starts: str = "2026-03-01", stops: str = "2026-12-31", response: str | None = None,
               response_on: str | None = None, ended: bool = False) -> Allocation:
    return Allocation(1, 1, 2, 1, D(starts), D(stops), response, D(response_on) if response_on else None,
                      None, None, response != "declined" and not ended, D(stops) if ended else None)


@pytest.mark.parametrize(
    ("kwargs", "day", "status"),
    [
        pytest.param({}, "2026-01-01", "offered", id="offered before it starts"),
        pytest.param({}, "2026-12-31", "offered", id="offered through its stop date"),
        pytest.param({}, "2027-01-01", "expired", id="expired after a stop it was given"),
        pytest.param({"response": "accepted", "response_on": "2026-03-10"}, "2026-03-09", "offered",
                     id="offered until the day it is accepted"),
        pytest.param({"response": "accepted", "response_on": "2026-03-10"}, "2026-03-10", "accepted",
                     id="accepted from that day"),
        pytest.param({"response": "declined", "response_on": "2026-04-01"}, "2026-03-31", "offered",
                     id="offered the day before it is declined"),
        pytest.param({"response": "declined", "response_on": "2026-04-01"}, "2026-04-01", "declined",
                     id="declined from that day"),
        pytest.param({"response": "declined", "response_on": "2026-04-01"}, "2027-06-01", "declined",
                     id="declined for good"),
        pytest.param({"stops": "2026-06-30", "ended": True}, "2026-06-30", "offered",
                     id="an end is usable through its day"),
        pytest.param({"stops": "2026-06-30", "ended": True}, "2026-07-01", "ended",
                     id="ended the day after"),
        pytest.param({"stops": "2026-06-30", "ended": True, "response": "accepted",
                      "response_on": "2026-03-01"}, "2026-06-30", "accepted", id="accepted until it ends"),
    ],
)
def test_an_allocations_status_is_read_as_of_a_day(kwargs, day, status):
    assert allocation(**kwargs).status_on(D(day)) == status


@pytest.mark.parametrize(
    ("kwargs", "first", "last", "took_effect"),
    [
        pytest.param({}, "2026-03-01", "2026-12-31", True, id="from its start through its stop"),
        pytest.param({"response": "declined", "response_on": "2026-04-01"}, "2026-03-01", "2026-03-31",
                     True, id="through the day before a decline"),
        pytest.param({"response": "declined", "response_on": "2026-03-01"}, None, "2026-02-28", False,
                     id="declined on its first day: never"),
        pytest.param({"stops": "2026-06-30", "ended": True}, "2026-03-01", "2026-06-30", True,
                     id="through the day of an end"),
    ],
)
def test_an_allocation_is_usable_from_its_start_through_its_last_day(kwargs, first, last, took_effect):
    a = allocation(**kwargs)
    assert a.last_day == D(last) and a.took_effect() == took_effect
    usable = [day for day in (D("2026-02-28") + dt.timedelta(days=n) for n in range(320)) if a.usable_on(day)]
    assert (usable[0] if usable else None) == (D(first) if first else None)
    if usable:
        assert usable[-1] == D(last)
        assert all(a.status_on(day) in ("offered", "accepted") for day in usable)


def test_the_level_ending_first_ends_the_allocation_too():
    assert allocation().status_on(D("2026-09-01"), last_day=D("2026-08-31")) == "expired"


@pytest.mark.parametrize(
    ("value", "unit", "said"),
    [
        (1, "minutes", "1 minute"), (2, "minutes", "2 minutes"), (0, "minutes", "0 minutes"),
        (1, "pages", "1 page"), (40, "pages", "40 pages"), (1, "count", "1"), (3, "count", "3"),
        (100, "money", "1.00"), (1, "money", "0.01"),
    ],
)
def test_a_quantity_is_said_in_the_units_words(value, unit, said):
    assert show_amount(value, unit) == said
