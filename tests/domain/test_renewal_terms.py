"""Renewal terms (domain/renewal.py): a renewal starts the day after its membership ends,
and its term and periods are reckoned from the chain's first start, so month ends and
leap days are kept across renewals rather than drifting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefit_cli.domain.dates import ONE_DAY, add_months, periods
from benefit_cli.domain.granting import Term, membership_term
from benefit_cli.domain.models import Plan
from benefit_cli.domain.renewal import Due, is_due, renewal_term

D = dt.date.fromisoformat


def plan(term_months: int, grace_days: int = 0) -> Plan:
    return Plan(1, "P", "Plan", term_months, grace_days, 0)


def chain(plan_: Plan, start: str, renewals: int) -> list[Term]:
    """The first term from ``start`` and each renewal's, as the run makes them."""
    first = membership_term(plan_, D(start))
    terms = [first]
    for depth in range(renewals):
        last = terms[-1]
        due = Due(depth + 1, 1, 1, last.start_on, last.end_on, first.start_on, depth)
        terms.append(renewal_term(plan_, due))
    return terms


def spans(terms: list[Term]) -> list[tuple[str, str]]:
    return [(t.start_on.isoformat(), t.end_on.isoformat()) for t in terms]


def test_the_specs_one_month_chain_from_the_31st():
    assert spans(chain(plan(1), "2026-01-31", 3)) == [
        ("2026-01-31", "2026-02-27"),
        ("2026-02-28", "2026-03-30"),
        ("2026-03-31", "2026-04-29"),
        ("2026-04-30", "2026-05-30"),
    ]


def test_a_twelve_month_membership_from_the_31st_renews_on_the_31st():
    assert spans(chain(plan(12), "2026-01-31", 2)) == [
        ("2026-01-31", "2027-01-30"),
        ("2027-01-31", "2028-01-30"),
        ("2028-01-31", "2029-01-30"),
    ]


def test_a_leap_day_chain_keeps_the_29th_when_february_has_one():
    assert spans(chain(plan(12), "2024-02-29", 4)) == [
        ("2024-02-29", "2025-02-27"),
        ("2025-02-28", "2026-02-27"),
        ("2026-02-28", "2027-02-27"),
        ("2027-02-28", "2028-02-28"),
        ("2028-02-29", "2029-02-27"),
    ]


def test_a_renewals_monthly_periods_keep_the_chains_day_of_month():
    second = chain(plan(12), "2026-01-31", 1)[1]
    months = periods(second.start_on, second.end_on, "month", second.anchor_on, second.offset)
    assert [begin.isoformat() for begin, _ in months[:4]] == [
        "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30",
    ]  # fmt: skip
    assert months[-1][1] == second.end_on


def test_a_plan_whose_term_changed_starts_a_chain_of_its_own():
    # a chain begun under a 12-month term, renewed after the plan moved to 6 months: the old
    # anchor no longer lands on the renewal's start, which becomes the new anchor
    due = Due(5, 1, 1, D("2026-01-31"), D("2027-01-30"), D("2025-01-31"), 1)
    term = renewal_term(plan(6), due)
    assert (term.start_on, term.end_on) == (D("2027-01-31"), D("2027-07-30"))


def test_grace_days_follow_the_renewals_end():
    term = chain(plan(12, grace_days=14), "2026-01-31", 1)[1]
    assert term.grace_end_on == D("2028-01-30") + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("end_on", "as_of", "window", "due"),
    [
        ("2026-12-31", "2026-12-01", 30, True),
        ("2026-12-31", "2026-12-01", 29, False),
        ("2026-11-01", "2026-12-01", 0, True),  # ended while no run ran: caught up
    ],
)
def test_a_membership_is_due_by_the_date_plus_the_window(end_on, as_of, window, due):
    assert is_due(D(end_on), D(as_of), window) is due


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2060, 12, 31)),
    months=st.sampled_from([1, 3, 6, 12, 24]),
    renewals=st.integers(min_value=1, max_value=8),
)
def test_a_chain_tiles_time_from_its_first_start_without_gaps_or_drift(start, months, renewals):
    terms = chain(plan(months), start.isoformat(), renewals)
    for before, after in zip(terms, terms[1:], strict=False):
        assert after.start_on == before.end_on + ONE_DAY
    # the n-th renewal ends where the anchor, n+1 terms on, says: no drift however long
    for n, term in enumerate(terms):
        assert term.end_on == add_months(start, (n + 1) * months) - ONE_DAY
