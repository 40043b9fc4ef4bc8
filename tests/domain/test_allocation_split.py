"""Splitting a level between its owner and allocations (domain/allocation.py, invariant 1):
the allocations never hold more than the level on any day, an ended one keeps only what it
used, and a new card stops the earlier cards of its group. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.domain.allocation import allocatable, cards_to_stop
from benefit_cli.domain.models import Allocation

D = dt.date.fromisoformat



def allocation(allocation_id: int, number: int, *, contact: int = 2, starts: str = "2026-01-01",
               stops: str = "2026-12-31", ended: bool = False, declined_on: str | None = None) -> Allocation:
    return Allocation(allocation_id, 1, contact, number, D(starts), D(stops),
                      "declined" if declined_on else None, D(declined_on) if declined_on else None,
                      None, None, not ended and not declined_on, D(stops) if ended else None)


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
        pytest.param([allocation(1, 1, stops="2026-09-30", ended=True)], "2026-05-01",
                     [(1, "2026-04-30")], id="an end recorded for a later day comes earlier"),
        pytest.param([allocation(1, 1, stops="2026-04-30", ended=True)], "2026-05-01", [],
                     id="a card over the day before stays as it is"),
        pytest.param([allocation(1, 1, stops="2026-03-31")], "2026-05-01", [],
                     id="a card that stopped earlier stays as it is"),
        pytest.param([allocation(1, 1, declined_on="2026-01-01")], "2026-05-01", [],
                     id="a card declined before it started never took effect"),
        pytest.param([allocation(1, 1, declined_on="2026-06-01")], "2026-05-01", [(1, "2026-04-30")],
                     id="a card declined later still ends the day before"),
        pytest.param([allocation(1, 1), allocation(2, 1, stops="2026-02-28", ended=True),
                      allocation(3, 1)], "2026-03-01", [(1, "2026-02-28"), (3, "2026-02-28")],
                     id="every card in force"),
        pytest.param([], "2026-03-01", [], id="no earlier card"),
    ],
)
def test_a_new_card_ends_the_cards_in_force_the_day_before_it_starts(earlier, new_start, expected):
    change = cards_to_stop(earlier, D(new_start))
    assert [(a.id, stop) for a, stop in change.stop] == [(i, D(s)) for i, s in expected]
    assert change.blocking == ()


@pytest.mark.parametrize(
    ("earlier", "new_start"),
    [
        pytest.param(allocation(1, 1, starts="2026-05-01"), "2026-05-01", id="same day: no overlap"),
        pytest.param(allocation(1, 1, starts="2026-06-01"), "2026-05-01", id="back-dated"),
        pytest.param(allocation(1, 1, starts="2026-06-01", stops="2026-06-30", ended=True), "2026-05-01",
                     id="back-dated before a card with an end recorded"),
    ],
)
def test_a_new_card_never_ends_a_card_that_starts_on_or_after_it(earlier, new_start):
    change = cards_to_stop([earlier], D(new_start))
    assert change.stop == ()
    assert change.blocking == (earlier,)
