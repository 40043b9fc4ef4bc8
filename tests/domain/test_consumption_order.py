"""The consumption order (domain/consumption.py): a use draws from the balances valid on its
date, lowest priority number first, then soonest expiry, oldest start, lowest id; it takes
exactly the quantity or overdraws with the total available. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benefit_cli.domain.balance import GRANT, Event, Holder
from benefit_cli.domain.consumption import Overdraw, plan_draw

D = dt.date.fromisoformat

DAY = D("2026-06-15")


def holder(level_id: int, allocation_id: int | None, priority: int, starts: dt.date, expires: dt.date,
           remaining: int) -> Holder:
    """A balance that holds ``remaining`` from its start to its last day."""
    return Holder(level_id, allocation_id, 1, 1, 1, priority, starts, expires,
                  [Event(starts, GRANT, level_id, "grant", remaining)])


def balance(level_id: int, remaining: int, *, priority: int = 50, starts: str = "2026-01-01",
            expires: str = "2026-12-31", allocation_id: int | None = None) -> Holder:
    return holder(level_id, allocation_id, priority, D(starts), D(expires), remaining)


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
        holder(index + 1, index + 100 if is_allocation else None, priority,
               DAY + dt.timedelta(days=start), DAY + dt.timedelta(days=start + length), remaining)
        for index, (priority, start, length, remaining, is_allocation) in enumerate(specs)
    ]
    valid_total = sum(b.available_on(DAY) for b in balances if b.valid_on(DAY))
    if quantity > valid_total:
        with pytest.raises(Overdraw) as raised:
            plan_draw(balances, quantity, DAY)
        assert raised.value.total == valid_total
        assert raised.value.wanted == quantity
        return
    draws = plan_draw(balances, quantity, DAY)
    assert sum(d.quantity for d in draws) == quantity
    assert all(0 < d.quantity <= d.balance.available_on(DAY) for d in draws)
    assert all(d.left >= 0 for d in draws)
    assert all(d.balance.valid_on(DAY) for d in draws)
    # Greedy in consumption order: a prefix of the usable balances, all but the last emptied.
    usable = sorted((b for b in balances if b.valid_on(DAY) and b.available_on(DAY) > 0),
                    key=lambda b: b.order)
    assert [d.balance for d in draws] == usable[: len(draws)]
    assert all(d.left == 0 for d in draws[:-1])
