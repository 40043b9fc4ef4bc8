"""The pure core of the foundation: dates and periods, effective-dated plan rules, granting,
splitting a level, and the consumption order. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import MONTHLY_FROM_JAN_31, rule
from hypothesis import given, settings
from hypothesis import strategies as st

from benefit_cli.domain.allocation import (
    allocation_remaining,
    cards_to_stop,
    split,
)
from benefit_cli.domain.consumption import ALLOCATED, OWN, Balance, Overdraw, plan_draw
from benefit_cli.domain.dates import parse_iso, periods, term_end
from benefit_cli.domain.errors import Invalid, UsageError
from benefit_cli.domain.granting import grants_for, membership_term
from benefit_cli.domain.models import Allocation, BenefitType, Plan
from benefit_cli.domain.planrules import Closure, place_rule

D = dt.date.fromisoformat
ONE_DAY = dt.timedelta(days=1)


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2026-01-01", 12, "2026-12-31"),
        ("2026-01-31", 12, "2027-01-30"),
        ("2026-03-31", 1, "2026-04-29"),
        ("2026-01-31", 1, "2026-02-27"),
        ("2024-01-31", 1, "2024-02-28"),  # leap year: Feb 29 is the anchor day
        ("2024-02-29", 12, "2025-02-27"),
        ("2026-01-15", 3, "2026-04-14"),
        ("2026-12-01", 24, "2028-11-30"),
    ],
)
def test_term_ends_the_day_before_the_anchored_anniversary(start, months, end):
    assert term_end(D(start), months) == D(end)


@pytest.mark.parametrize(
    ("start", "end", "per", "expected"),
    [
        pytest.param("2026-01-31", "2027-01-30", "month", MONTHLY_FROM_JAN_31,
                     id="month-end anchor"),
        pytest.param(
            "2026-01-01", "2026-12-31", "quarter",
            [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-06-30"),
             ("2026-07-01", "2026-09-30"), ("2026-10-01", "2026-12-31")],
            id="quarters",
        ),
        pytest.param(
            "2026-01-31", "2027-01-30", "quarter",
            [("2026-01-31", "2026-04-29"), ("2026-04-30", "2026-07-30"),
             ("2026-07-31", "2026-10-30"), ("2026-10-31", "2027-01-30")],
            id="quarters anchored on a month end",
        ),
        pytest.param(
            "2026-01-31", "2028-01-30", "year",
            [("2026-01-31", "2027-01-30"), ("2027-01-31", "2028-01-30")],
            id="years of a two-year term",
        ),
        pytest.param("2026-01-31", "2027-01-30", "year", [("2026-01-31", "2027-01-30")],
                     id="one year in a one-year term"),
        pytest.param("2026-01-31", "2027-01-30", "term", [("2026-01-31", "2027-01-30")], id="term"),
        pytest.param("2026-01-01", "2026-02-15", "month",
                     [("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-15")],
                     id="last month cut at the term end"),
        pytest.param("2026-01-01", "2026-05-10", "quarter",
                     [("2026-01-01", "2026-03-31"), ("2026-04-01", "2026-05-10")],
                     id="last quarter cut at the term end"),
        pytest.param("2026-01-01", "2026-06-30", "year", [("2026-01-01", "2026-06-30")],
                     id="a year longer than the term is cut to it"),
        pytest.param("2026-03-10", "2026-03-10", "month", [("2026-03-10", "2026-03-10")],
                     id="one-day term"),
    ],
)
def test_periods_are_anchored_on_the_start_and_cut_at_the_end(start, end, per, expected):
    assert periods(D(start), D(end), per) == [(D(a), D(b)) for a, b in expected]


@pytest.mark.parametrize("per", ["term", "month", "quarter", "year"])
@pytest.mark.parametrize(
    ("start", "months"),
    [("2026-01-01", 12), ("2026-01-31", 12), ("2024-02-29", 12), ("2026-08-31", 6),
     ("2026-05-30", 24), ("2026-11-30", 1), ("2026-12-31", 3)],
)
def test_periods_tile_the_term_without_gaps_or_overlaps(start, months, per):
    begin = D(start)
    end = term_end(begin, months)
    spans = periods(begin, end, per)
    assert spans[0][0] == begin
    assert spans[-1][1] == end
    for (_, previous_end), (next_start, _) in zip(spans, spans[1:], strict=False):
        assert next_start == previous_end + ONE_DAY
    assert all(a <= b for a, b in spans)


def test_a_twelve_month_term_has_twelve_monthly_periods_at_every_start_day():
    day = D("2026-01-01")
    while day.year == 2026:
        assert len(periods(day, term_end(day, 12), "month")) == 12, day
        day += ONE_DAY


@pytest.mark.parametrize("text", ["2026-13-01", "01/02/2026", "2026-02-30", "2026-1-1", "",
                                  "tomorrow", "20260101"])
def test_a_command_line_date_must_be_a_real_iso_date(text):
    with pytest.raises(UsageError) as raised:
        parse_iso(text, "--start")
    assert raised.value.exit_code == 2
    assert "--start" in raised.value.message


def test_a_command_line_iso_date_is_read():
    assert parse_iso(" 2026-02-28 ", "--start") == D("2026-02-28")


# -- plan rules (invariant 6) ------------------------------------------------------------------


CLOSED_H1 = rule(1, "2026-01-01", "2026-06-30")
OPEN_H2 = rule(2, "2026-07-01", None, quantity=6)
OPEN_FROM_JAN = rule(1, "2026-01-01", None)


@pytest.mark.parametrize(
    ("existing", "begin", "end", "closure"),
    [
        pytest.param([], "2026-01-01", None, None, id="first rule"),
        pytest.param([OPEN_FROM_JAN], "2026-07-01", None, Closure(1, D("2026-06-30")),
                     id="open-ended rule closed the day before"),
        pytest.param([OPEN_FROM_JAN], "2026-07-01", "2026-12-31", Closure(1, D("2026-06-30")),
                     id="closed by an end-dated rule"),
        pytest.param([OPEN_FROM_JAN], "2026-01-02", None, Closure(1, D("2026-01-01")),
                     id="closed after one day"),
        pytest.param([CLOSED_H1], "2026-07-01", None, None, id="right after a closed rule"),
        pytest.param([CLOSED_H1], "2025-01-01", "2025-12-31", None,
                     id="right before a closed rule"),
        pytest.param([rule(1, "2026-07-01", None)], "2026-01-01", "2026-06-30", None,
                     id="in the gap before an open-ended rule"),
        pytest.param([CLOSED_H1, OPEN_H2], "2026-09-01", None, Closure(2, D("2026-08-31")),
                     id="closes the open-ended one, leaves the closed one"),
    ],
)
def test_a_rule_that_fits_is_placed_and_closes_only_an_earlier_open_ended_one(
    existing, begin, end, closure
):
    assert place_rule(existing, D(begin), D(end) if end else None, "IND GUESTPASS") == closure


@pytest.mark.parametrize(
    ("existing", "begin", "end", "overlapped"),
    [
        pytest.param([OPEN_FROM_JAN], "2026-01-01", None, 1, id="same begin as an open-ended rule"),
        pytest.param([OPEN_FROM_JAN], "2025-06-01", None, 1,
                     id="open-ended, before an open-ended rule"),
        pytest.param([OPEN_FROM_JAN], "2025-06-01", "2026-01-01", 1,
                     id="ends on the first day of an open-ended rule"),
        pytest.param([OPEN_FROM_JAN], "2025-06-01", "2026-03-01", 1,
                     id="ends inside an open-ended rule"),
        pytest.param([CLOSED_H1], "2026-03-01", "2026-04-30", 1, id="inside a closed rule"),
        pytest.param([CLOSED_H1], "2025-12-01", "2026-12-31", 1, id="covers a closed rule"),
        pytest.param([CLOSED_H1], "2025-12-01", "2026-01-01", 1, id="overlaps its first day"),
        pytest.param([CLOSED_H1], "2026-06-30", None, 1, id="begins on its last day"),
        pytest.param([CLOSED_H1], "2026-05-01", None, 1, id="open-ended, begins inside it"),
        pytest.param([CLOSED_H1], "2026-01-01", "2026-06-30", 1, id="the same dates"),
        pytest.param([CLOSED_H1, OPEN_H2], "2026-05-01", "2026-06-15", 1,
                     id="inside the closed one of two"),
        pytest.param([CLOSED_H1, OPEN_H2], "2026-07-01", None, 2,
                     id="same begin as the open-ended one of two"),
        pytest.param([CLOSED_H1, OPEN_H2], "2026-06-15", "2026-07-15", 1, id="straddles both"),
        pytest.param([CLOSED_H1, OPEN_H2], "2025-01-01", None, 1, id="open-ended before both"),
    ],
)
def test_an_overlapping_rule_is_refused_naming_the_rule_it_overlaps(
    existing, begin, end, overlapped
):
    with pytest.raises(Invalid) as raised:
        place_rule(existing, D(begin), D(end) if end else None, "IND GUESTPASS")
    assert f"rule {overlapped} " in raised.value.message
    assert raised.value.exit_code == 1


def test_a_rule_that_ends_before_it_begins_is_refused():
    with pytest.raises(Invalid):
        place_rule([], D("2026-06-01"), D("2026-05-31"), "IND GUESTPASS")


# -- granting ----------------------------------------------------------------------------------

GUESTPASS, ADMIT, MAGAZINE, ROOM = 1, 2, 3, 4


def benefit_type(type_id: int, code: str, unit: str = "count", kind: str = "standard",
                 unit_value: int = 0) -> BenefitType:
    return BenefitType(type_id, code, code.title(), "c", unit, unit_value, kind, None, None, None,
                       True)


TYPES = {
    GUESTPASS: benefit_type(GUESTPASS, "GUESTPASS", unit_value=1800),
    ADMIT: benefit_type(ADMIT, "ADMIT", unit_value=1200),
    MAGAZINE: benefit_type(MAGAZINE, "MAGAZINE", kind="subscription"),
    ROOM: benefit_type(ROOM, "ROOM", unit="minutes"),
}
PLAN = Plan(1, "IND", "Individual", 12, 30, 6500)

EFFECTIVE_DATED = [
    rule(1, "2026-01-01", "2026-06-30", quantity=4, type_id=GUESTPASS),
    rule(2, "2026-07-01", None, quantity=6, type_id=GUESTPASS),
    rule(3, "2025-01-01", "2026-08-31", quantity=10, type_id=ADMIT),
    rule(4, "2026-09-01", None, quantity=12, type_id=ADMIT),
]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2025-12-31", [(ADMIT, 10, 3)]),
        ("2026-01-01", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-03-01", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-06-30", [(GUESTPASS, 4, 1), (ADMIT, 10, 3)]),
        ("2026-07-01", [(GUESTPASS, 6, 2), (ADMIT, 10, 3)]),
        ("2026-08-31", [(GUESTPASS, 6, 2), (ADMIT, 10, 3)]),
        ("2026-09-01", [(GUESTPASS, 6, 2), (ADMIT, 12, 4)]),
    ],
)
def test_only_rules_effective_on_the_start_date_are_granted(start, expected):
    term = membership_term(PLAN, D(start))
    grants = grants_for(term, EFFECTIVE_DATED, TYPES)
    assert sorted((g.type_id, g.quantity, g.plan_benefit_id) for g in grants) == sorted(expected)
    for grant in grants:
        assert (grant.starts_on, grant.expires_on) == (term.start_on, term.end_on)


def test_a_membership_term_ends_before_the_anniversary_and_grace_follows():
    term = membership_term(PLAN, D("2026-01-31"))
    assert (term.start_on, term.end_on, term.grace_end_on) == (
        D("2026-01-31"), D("2027-01-30"), D("2027-03-01"))


def test_a_monthly_rule_gives_one_level_per_month_of_the_term():
    monthly = [rule(9, "2026-01-01", None, quantity=300, type_id=ROOM, per="month")]
    grants = grants_for(membership_term(PLAN, D("2026-01-31")), monthly, TYPES)
    assert [(g.starts_on, g.expires_on) for g in grants] == [
        (D(a), D(b)) for a, b in MONTHLY_FROM_JAN_31]
    assert {g.quantity for g in grants} == {300}
    assert {g.plan_benefit_id for g in grants} == {9}


@pytest.mark.parametrize(
    ("per", "count"), [("term", 1), ("month", 12), ("quarter", 4), ("year", 1)]
)
def test_a_rule_gives_one_level_per_period(per, count):
    grants = grants_for(membership_term(PLAN, D("2026-02-15")),
                        [rule(1, "2026-01-01", None, type_id=ADMIT, per=per)], TYPES)
    assert len(grants) == count


@pytest.mark.parametrize("per", ["term", "month", "quarter"])
def test_subscription_levels_run_to_the_grace_end(per):
    term = membership_term(PLAN, D("2026-01-01"))
    rules = [rule(1, "2026-01-01", None, type_id=MAGAZINE, per=per),
             rule(2, "2026-01-01", None, type_id=ADMIT, per=per)]
    grants = grants_for(term, rules, TYPES)
    magazine = [g for g in grants if g.type_id == MAGAZINE]
    admit = [g for g in grants if g.type_id == ADMIT]
    assert magazine[-1].expires_on == term.grace_end_on == D("2027-01-30")
    assert max(g.expires_on for g in admit) == term.end_on == D("2026-12-31")
    assert all(g.starts_on <= g.expires_on for g in grants)


def test_a_grant_carries_the_rules_priority_and_the_types_unit_value():
    grants = grants_for(membership_term(PLAN, D("2026-03-01")),
                        [rule(7, "2026-01-01", None, quantity=2, type_id=GUESTPASS, priority=10)],
                        TYPES)
    assert [(g.priority, g.unit_value, g.plan_benefit_id) for g in grants] == [(10, 1800, 7)]


def test_skipped_types_are_not_granted():
    rules = [rule(1, "2026-01-01", None, type_id=MAGAZINE),
             rule(2, "2026-01-01", None, type_id=ADMIT)]
    grants = grants_for(membership_term(PLAN, D("2026-03-01")), rules, TYPES,
                        skip_type_ids=frozenset({MAGAZINE}))
    assert [g.type_id for g in grants] == [ADMIT]


# -- allocation (invariant 1) ------------------------------------------------------------------

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


# -- consumption order -------------------------------------------------------------------------

DAY = D("2026-06-15")


def balance(level_id: int, remaining: int, *, priority: int = 50, starts: str = "2026-01-01",
            expires: str = "2026-12-31", allocation_id: int | None = None) -> Balance:
    return Balance(level_id, allocation_id, ALLOCATED if allocation_id else OWN, priority,
                   D(starts), D(expires), remaining)


def drawn(draws) -> list[tuple[int, int | None, int]]:  # type: ignore[no-untyped-def]
    return [(d.balance.level_id, d.balance.allocation_id, d.quantity) for d in draws]


@pytest.mark.parametrize(
    ("balances", "quantity", "expected"),
    [
        pytest.param([balance(1, 5, expires="2026-07-01"), balance(2, 5, priority=10)], 1,
                     [(2, None, 1)], id="lowest priority number first"),
        pytest.param([balance(1, 5, expires="2026-12-31"), balance(2, 5, expires="2026-07-31")], 1,
                     [(2, None, 1)], id="then soonest expiry"),
        pytest.param([balance(1, 5, starts="2026-03-01", expires="2026-07-31"),
                      balance(2, 5, starts="2026-01-01", expires="2026-12-31")], 1,
                     [(1, None, 1)], id="expiry before start"),
        pytest.param([balance(1, 5, starts="2026-03-01"), balance(2, 5, starts="2026-02-01")], 1,
                     [(2, None, 1)], id="then oldest start"),
        pytest.param([balance(2, 5), balance(1, 5)], 1, [(1, None, 1)], id="then lowest id"),
        pytest.param([balance(1, 5, allocation_id=4), balance(1, 5, allocation_id=3)], 1,
                     [(1, 3, 1)], id="then lowest allocation id"),
        pytest.param([balance(1, 2), balance(2, 2), balance(3, 3)], 5,
                     [(1, None, 2), (2, None, 2), (3, None, 1)], id="spans several balances"),
        pytest.param([balance(1, 0), balance(2, 3)], 2, [(2, None, 2)], id="skips empty balances"),
        pytest.param([balance(1, 9, expires="2026-06-14"), balance(2, 9, starts="2026-06-16"),
                      balance(3, 1)], 1, [(3, None, 1)], id="never an expired or future balance"),
        pytest.param([balance(1, 1, starts="2026-06-15", expires="2026-06-15")], 1,
                     [(1, None, 1)], id="valid on its first and last day"),
    ],
)
def test_plan_draw_takes_balances_in_consumption_order(balances, quantity, expected):
    assert drawn(plan_draw(balances, quantity, DAY)) == expected


@pytest.mark.parametrize(
    ("balances", "quantity", "total"),
    [
        pytest.param([], 1, 0, id="nothing at all"),
        pytest.param([balance(1, 2), balance(2, 1)], 4, 3, id="not enough"),
        pytest.param([balance(1, 2), balance(2, 50, expires="2026-06-14"),
                      balance(3, 50, starts="2026-06-16")], 3, 2,
                     id="balances not valid on the date do not count"),
    ],
)
def test_overdraw_carries_the_available_total(balances, quantity, total):
    with pytest.raises(Overdraw) as raised:
        plan_draw(balances, quantity, DAY)
    assert (raised.value.wanted, raised.value.total) == (quantity, total)


@pytest.mark.parametrize("quantity", [0, -1])
def test_a_use_must_be_positive(quantity):
    with pytest.raises(ValueError):
        plan_draw([balance(1, 5)], quantity, DAY)


balance_specs = st.lists(
    st.tuples(
        st.integers(1, 100),  # priority
        st.integers(-40, 40),  # start, days from DAY
        st.integers(0, 60),  # length in days
        st.integers(0, 20),  # remaining
        st.booleans(),  # an allocation rather than the level's own part
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(specs=balance_specs, quantity=st.integers(1, 80))
def test_plan_draw_takes_exactly_the_quantity_or_overdraws_exactly_when_short(specs, quantity):
    balances = [
        Balance(index + 1, index + 100 if is_allocation else None,
                ALLOCATED if is_allocation else OWN, priority,
                DAY + dt.timedelta(days=start), DAY + dt.timedelta(days=start + length), remaining)
        for index, (priority, start, length, remaining, is_allocation) in enumerate(specs)
    ]
    valid_total = sum(b.remaining for b in balances if b.valid_on(DAY))
    if quantity > valid_total:
        with pytest.raises(Overdraw) as raised:
            plan_draw(balances, quantity, DAY)
        assert raised.value.total == valid_total
        assert raised.value.wanted == quantity
        return
    draws = plan_draw(balances, quantity, DAY)
    assert sum(d.quantity for d in draws) == quantity
    assert all(0 < d.quantity <= d.balance.remaining for d in draws)
    assert all(d.remaining_after >= 0 for d in draws)
    assert all(d.balance.valid_on(DAY) for d in draws)
    # Greedy in consumption order: a prefix of the usable balances, all but the last emptied.
    usable = sorted((b for b in balances if b.valid_on(DAY) and b.remaining > 0),
                    key=lambda b: b.order)
    assert [d.balance for d in draws] == usable[: len(draws)]
    assert all(d.remaining_after == 0 for d in draws[:-1])
