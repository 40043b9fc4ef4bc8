"""Effective-dated plan rules (domain/planrules.py, invariant 6): a new rule closes only an
earlier open-ended one and never overlaps another. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import rule

from benefit_cli.domain.errors import Invalid
from benefit_cli.domain.planrules import Closure, place_rule

D = dt.date.fromisoformat

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
