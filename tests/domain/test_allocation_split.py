"""Splitting a level between its owner and allocations (domain/allocation.py, invariant 1):
the allocations never hold more than the level on any day, an ended one keeps only what it
used, and a new card stops the earlier cards of its group. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.domain.allocation import allocatable, cards_to_stop
from benefit_cli.domain.models import Allocation

D = dt.date.fromisoformat



def allocation(allocation_id: int, number: int, *, active: bool = True, contact: int = 2,
               starts: str = "2026-01-01", stops: str = "2026-12-31") -> Allocation:
    return Allocation(allocation_id, 1, contact, number, D(starts), D(stops), None, None, None,
                      None, active, None if active else D(stops))


def others(*allocations: tuple[str, str, int, int]) -> list[tuple[dt.date, dt.date, int, int]]:
    return [(D(begins), D(last), number, used) for begins, last, number, used in allocations]


@pytest.mark.parametrize(
    ("allocations", "start", "stop", "room"),
    [
        pytest.param([], "2026-01-01", "2026-12-31", 5, id="nothing allocated"),
        pytest.param([("2026-01-01", "2026-12-31", 2, 0), ("2026-01-01", "2026-12-31", 1, 0),
                      ("2026-01-01", "2026-12-31", 1, 0)], "2026-01-01", "2026-12-31", 1,
                     id="family: two, then one each"),
        pytest.param([("2026-01-01", "2026-03-31", 3, 1)], "2026-04-01", "2026-12-31", 4,
                     id="an ended allocation holds only what it used"),
        pytest.param([("2026-01-01", "2026-03-31", 3, 1)], "2026-02-01", "2026-12-31", 2,
                     id="while it runs it holds its whole number"),
        pytest.param([("2026-06-01", "2026-12-31", 4, 0)], "2026-01-01", "2026-03-31", 5,
                     id="one that starts after the new one stops is not in its way"),
        pytest.param([("2026-06-01", "2026-12-31", 4, 0)], "2026-01-01", "2026-12-31", 1,
                     id="one that starts before the new one stops is"),
    ],
)
def test_allocations_never_hold_more_of_a_level_than_its_quantity_on_any_day(allocations, start, stop, room):
    assert allocatable(5, others(*allocations), D(start), D(stop)) == room


@pytest.mark.parametrize(
    ("earlier", "new_start", "expected"),
    [
        pytest.param([allocation(1, 1)], "2026-05-01", [(1, "2026-04-30")],
                     id="ends the day before"),
        pytest.param([allocation(1, 1, active=False)], "2026-05-01", [], id="ended cards stay"),
        pytest.param([allocation(1, 1, starts="2026-05-01")], "2026-05-01", [(1, "2026-05-01")],
                     id="never stops before it started"),
        pytest.param([allocation(1, 1), allocation(2, 1, active=False), allocation(3, 1)],
                     "2026-03-01", [(1, "2026-02-28"), (3, "2026-02-28")], id="every active one"),
        pytest.param([], "2026-03-01", [], id="no earlier card"),
    ],
)
def test_a_new_card_stops_the_earlier_active_cards_of_its_group(earlier, new_start, expected):
    stopped = cards_to_stop(earlier, D(new_start))
    assert [(a.id, stop) for a, stop in stopped] == [(i, D(s)) for i, s in expected]
