"""Dates and periods (domain/dates.py): a term ends the day before its anchored anniversary,
periods are anchored on the start and tile the term, and a command-line date is a real ISO
date. No CLI, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import MONTHLY_FROM_JAN_31

from benefit_cli.domain.dates import parse_iso, periods, term_end
from benefit_cli.domain.errors import UsageError

D = dt.date.fromisoformat
ONE_DAY = dt.timedelta(days=1)


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
