"""The one rule of a holder's balance as of a date, and of what a use may draw
(domain/balance.py), case by case."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.domain.balance import (
    CURRENT,
    EXPIRED,
    UPCOMING,
    AllocationFacts,
    EntryFacts,
    Figures,
    LevelFacts,
    holders_of,
)

D = dt.date.fromisoformat
LEVEL = LevelFacts(1, owner_id=10, type_id=1, quantity=5, priority=50, starts_on=D("2026-01-01"),
                   last_day=D("2026-12-31"))


def entry(entry_id: int, on: str, kind: str, quantity: int, allocation_id: int | None = None,
          voided: bool = False) -> EntryFacts:
    return EntryFacts(entry_id, allocation_id, D(on), kind, quantity, voided)


def own_and(allocations=(), entries=()):
    holders = holders_of(LEVEL, list(allocations), list(entries))
    return holders[0], {h.allocation_id: h for h in holders[1:]}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2025-12-31", Figures(UPCOMING, 5, 0, 0, 0, 0, 0)),
        ("2026-01-01", Figures(CURRENT, 5, 0, 0, 0, 0, 5)),
        ("2026-03-10", Figures(CURRENT, 5, 0, 2, 0, 0, 3)),
        ("2026-12-31", Figures(CURRENT, 5, 0, 2, 0, 0, 3)),
        # what it still had expires the day after its last day, recorded or not
        ("2027-01-01", Figures(EXPIRED, 5, 0, 2, 0, 3, 0)),
    ],
)
def test_a_level_as_of_each_date(on: str, expected: Figures) -> None:
    own, _ = own_and(entries=[entry(1, "2026-03-10", "use", -2)])
    assert own.figures_on(D(on)) == expected


def test_the_expiry_run_changes_no_figure_of_the_level_it_closes_whatever_it_rolls_over() -> None:
    use = entry(1, "2026-03-10", "use", -2)
    unrecorded, _ = own_and(entries=[use])
    recorded, _ = own_and(entries=[use, entry(2, "2027-01-01", "expire", -3)])
    rolled, _ = own_and(
        entries=[use, entry(2, "2027-01-01", "rollover", -2), entry(3, "2027-01-01", "expire", -1)])
    after = D("2027-01-01")
    # what moved on by rollover still counts as what the level had left at its end
    assert unrecorded.figures_on(after) == recorded.figures_on(after) == Figures(EXPIRED, 5, 0, 2, 0, 3, 0)
    assert rolled.figures_on(after) == Figures(EXPIRED, 5, 0, 2, 0, 3, 0)
    assert unrecorded.expiry() is not None and recorded.expiry() is None and rolled.expiry() is None


def test_an_allocation_ended_early_gives_back_what_it_did_not_use_the_day_after() -> None:
    allocation = AllocationFacts(7, contact_id=20, number=3, starts_on=D("2026-01-01"),
                                 last_day=D("2026-03-31"))
    own, parts = own_and([allocation], [entry(1, "2026-02-01", "use", -1, allocation_id=7)])
    given = parts[7]
    assert own.figures_on(D("2026-03-31")) == Figures(CURRENT, 5, 3, 0, 0, 0, 2)
    assert given.figures_on(D("2026-03-31")) == Figures(CURRENT, 3, 0, 1, 0, 0, 2)
    # from 04-01 the two it did not use are the owner's again; it keeps what it consumed
    assert own.figures_on(D("2026-04-01")) == Figures(CURRENT, 5, 1, 0, 0, 0, 4)
    assert given.figures_on(D("2026-04-01")) == Figures(EXPIRED, 1, 0, 1, 0, 0, 0)
    # and the owner may use them only from then: a use before would take them twice
    assert own.available_on(D("2026-03-15")) == 2
    assert own.available_on(D("2026-04-01")) == 4


def test_an_allocation_that_starts_later_is_kept_free_from_today() -> None:
    later = AllocationFacts(7, contact_id=20, number=2, starts_on=D("2026-06-01"), last_day=D("2026-12-31"))
    own, _ = own_and([later])
    assert own.figures_on(D("2026-03-01")).remaining == 5  # not allocated yet on that day
    assert own.available_on(D("2026-03-01")) == 3  # but a use then must leave room for it


def test_a_declined_allocation_never_took_effect_if_declined_before_it_started() -> None:
    declined = AllocationFacts(7, contact_id=20, number=2, starts_on=D("2026-06-01"),
                               last_day=D("2026-04-30"))
    own, parts = own_and([declined])
    assert parts == {}
    assert own.available_on(D("2026-03-01")) == 5


def test_a_back_dated_use_replacing_a_voided_one_may_draw_and_shows_no_less_than_zero() -> None:
    entries = [
        entry(1, "2026-03-01", "use", -5, voided=True),  # recorded by mistake, then voided
        entry(2, "2026-07-01", "void", 5, voided=True),
        entry(3, "2026-03-01", "use", -5),  # recorded again, on its day
    ]
    own, _ = own_and(entries=entries[:2])
    assert own.available_on(D("2026-03-01")) == 5  # the voided use does not hold the balance
    replaced, _ = own_and(entries=[entries[0], entries[2], entries[1]])
    # between the use's day and the void's, the ledger held both: shown as nothing left
    assert replaced.figures_on(D("2026-05-01")).remaining == 0
    assert replaced.figures_on(D("2026-07-01")).remaining == 0
    assert replaced.figures_on(D("2026-07-01")).used == 5


def test_a_use_recorded_for_later_is_not_drawn_twice() -> None:
    own, _ = own_and(entries=[entry(1, "2026-11-01", "use", -3)])
    assert own.figures_on(D("2026-03-01")).remaining == 5  # not used yet on that day
    assert own.available_on(D("2026-03-01")) == 2


def test_an_adjustment_adds_only_from_its_day() -> None:
    own, _ = own_and(entries=[entry(1, "2026-06-01", "adjust", 10)])
    assert own.available_on(D("2026-03-01")) == 5
    assert own.available_on(D("2026-06-01")) == 15


def test_a_use_and_an_adjustment_on_one_day_net_out_whatever_order_they_came_in() -> None:
    # entered in this order, the use alone would leave 1 for a moment: a day's end counts
    own, _ = own_and(entries=[entry(1, "2026-06-01", "use", -4), entry(2, "2026-06-01", "adjust", 10)])
    assert own.available_on(D("2026-03-01")) == 5
    assert own.available_on(D("2026-06-01")) == 11


def test_taking_a_use_is_seen_by_the_next_question() -> None:
    own, _ = own_and(entries=[entry(1, "2026-06-01", "adjust", 10)])
    own.take(D("2026-07-01"), 12)
    assert own.available_on(D("2026-07-01")) == 3
    assert own.available_on(D("2026-03-01")) == 3  # what July takes was there in March too
