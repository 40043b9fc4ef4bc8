"""Splitting a level between its owner and allocations (domain/allocation.py, invariant 1):
active allocations never exceed the level, an ended one keeps only what it used, and a new
card stops the earlier cards of its group. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.domain.allocation import (
    allocation_remaining,
    cards_to_stop,
    split,
)
from benefit_cli.domain.models import Allocation

D = dt.date.fromisoformat

OWNER = 1


def allocation(allocation_id: int, number: int, *, active: bool = True, contact: int = 2,
               starts: str = "2026-01-01", stops: str = "2026-12-31") -> Allocation:
    return Allocation(allocation_id, 1, contact, number, D(starts), D(stops), None, None, None,
                      None, active, None if active else D(stops))


@pytest.mark.parametrize(
    ("quantity", "own_change", "allocations", "unallocated", "own_remaining", "to_others"),
    [
        pytest.param(5, 0, [], 5, 5, 0, id="nothing allocated"),
        pytest.param(5, 0, [(2, True, 0, OWNER), (1, True, 0, 2), (1, True, 0, 3), (1, True, 0, 4)],
                     0, 0, 3, id="family: two to the owner, one to each of three"),
        pytest.param(5, -2, [], 3, 3, 0, id="the owner used two"),
        pytest.param(5, 0, [(2, True, -1, 2)], 3, 3, 2,
                     id="an active allocation holds its whole number"),
        pytest.param(5, 0, [(2, False, -1, 2)], 4, 4, 0,
                     id="an ended allocation holds only what it used"),
        pytest.param(5, 0, [(2, False, 0, 2)], 5, 5, 0, id="a declined allocation holds nothing"),
        pytest.param(5, -3, [(2, True, 0, 2)], 0, 0, 2, id="uses and allocations exhaust it"),
        pytest.param(5, 2, [], 5, 7, 0, id="an adjustment up is usable but not allocatable"),
        pytest.param(5, -5, [], 0, 0, 0, id="expired"),
        pytest.param(5, 0, [(3, False, -3, 2), (2, True, 0, 3)], 0, 0, 2,
                     id="an ended allocation that used all it had"),
    ],
)
def test_split_never_lets_active_allocations_exceed_the_quantity(
    quantity, own_change, allocations, unallocated, own_remaining, to_others
):
    pairs = [(allocation(i, n, active=a, contact=c), change)
             for i, (n, a, change, c) in enumerate(allocations, start=1)]
    result = split(quantity, own_change, pairs, OWNER)
    assert (result.unallocated, result.own_remaining, result.held_active_to_others) == (
        unallocated, own_remaining, to_others)
    assert 0 <= result.unallocated <= max(0, result.own_remaining)
    assert result.held_active + result.unallocated <= quantity


@pytest.mark.parametrize(
    ("quantity", "requests", "granted"),
    [
        (5, [2, 1, 1, 1, 1], [2, 1, 1, 1]),
        (5, [6], []),
        (5, [3, 3, 2], [3, 2]),
        (1, [1, 1], [1]),
    ],
)
def test_allocating_only_the_unallocated_never_exceeds_the_level(quantity, requests, granted):
    pairs: list[tuple[Allocation, int]] = []
    for number in requests:
        if number <= split(quantity, 0, pairs, OWNER).unallocated:
            pairs.append((allocation(len(pairs) + 1, number, contact=len(pairs) + 2), 0))
    assert [a.number for a, _ in pairs] == granted
    assert sum(a.number for a, _ in pairs if a.active) <= quantity


@pytest.mark.parametrize(
    ("number", "active", "change", "remaining"),
    [(3, True, 0, 3), (3, True, -2, 1), (3, False, -1, 0), (3, False, 0, 0)],
)
def test_an_allocation_keeps_its_balance_only_while_active(number, active, change, remaining):
    assert allocation_remaining(allocation(1, number, active=active), change) == remaining


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
