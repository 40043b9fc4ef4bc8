"""Expiry and rollover (domain/expiry.py): what a holder had left at its end is recorded as
lost the day after, or — where its plan benefit rolls over — P% of it, rounded up and
capped, moves into the owner's next level as a pair of entries and only the rest expires."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefit_cli.domain.expiry import Left, closing_entries, rolled_over

ON = dt.date(2026, 2, 1)


def left(amount: int, percent: int | None = 50, most: int | None = 100, *, next_level: int | None = 2,
         pending: bool = False, allocation: int | None = None) -> Left:  # fmt: skip
    return Left(1, allocation, 7, 9, ON, amount, percent, most, next_level, pending)


def moves(entries) -> list[tuple[str, int, int]]:
    return [(e.kind, e.level_id, e.quantity) for e in entries]


@pytest.mark.parametrize(("amount", "moved"), [(180, 90), (250, 100), (5, 3), (1, 1)])
def test_the_specs_example_half_rounded_up_at_most_100(amount, moved):
    assert rolled_over(amount, 50, 100) == moved


def test_what_rolls_over_moves_as_a_pair_and_the_rest_expires_the_day_after():
    entries = closing_entries(left(180))
    assert moves(entries) == [("rollover", 1, -90), ("rollover", 2, 90), ("expire", 1, -90)]
    assert {e.entry_on for e in entries} == {"2026-02-01"}
    assert entries[0].contact_id == entries[1].contact_id == 9


def test_nothing_left_writes_nothing():
    assert closing_entries(left(0)) == []


def test_without_a_rollover_everything_expires():
    assert moves(closing_entries(left(180, percent=None, most=None))) == [("expire", 1, -180)]


def test_a_full_rollover_leaves_nothing_to_expire():
    entries = closing_entries(left(80, percent=100, most=None))
    assert moves(entries) == [("rollover", 1, -80), ("rollover", 2, 80)]


def test_a_rollover_waits_while_a_renewal_may_still_bring_the_next_level():
    assert closing_entries(left(180, next_level=None, pending=True)) is None


def test_with_no_next_level_to_come_everything_expires():
    assert moves(closing_entries(left(180, next_level=None, pending=False))) == [("expire", 1, -180)]


def test_an_allocations_unused_part_never_rolls_over():
    entries = closing_entries(left(40, allocation=5))
    assert [(e.kind, e.allocation_id, e.quantity) for e in entries] == [("expire", 5, -40)]


def test_what_rolled_in_from_a_level_closed_in_the_same_run_counts_as_left():
    assert moves(closing_entries(left(100), rolled_in=60)) == [
        ("rollover", 1, -80), ("rollover", 2, 80), ("expire", 1, -80),
    ]  # fmt: skip


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    percent=st.integers(min_value=1, max_value=100),
    most=st.none() | st.integers(min_value=1, max_value=10**9),
)
def test_every_closing_takes_exactly_what_was_left_and_moves_no_more_than_the_rule(amount, percent, most):
    entries = closing_entries(left(amount, percent, most))
    assert entries is not None
    assert sum(e.quantity for e in entries if e.level_id == 1) == -amount
    moved = sum(e.quantity for e in entries if e.level_id == 2)
    assert moved == rolled_over(amount, percent, most) if amount else moved == 0
    assert moved <= amount and (most is None or moved <= most)
    assert moved * 100 >= amount * percent or moved == most  # rounded up, unless capped
    assert all(e.quantity != 0 for e in entries)
