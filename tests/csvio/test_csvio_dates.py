"""Dates in CSV cells (csvio/dates.py): the accepted forms are read, a bad or ambiguous date is
refused with a hint, and a refusal is repeated from the cache."""

from __future__ import annotations

import datetime as dt

import pytest

from benefit_cli.csvio.dates import parse_date


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("2026-03-04", None, dt.date(2026, 3, 4)),
        ("2026-03-04", True, dt.date(2026, 3, 4)),
        (" 2026-03-04 ", None, dt.date(2026, 3, 4)),
        ("04/03/2026", True, dt.date(2026, 3, 4)),
        ("4/3/2026", True, dt.date(2026, 3, 4)),
        ("03/04/2026", False, dt.date(2026, 3, 4)),
        ("3/4/2026", False, dt.date(2026, 3, 4)),
        ("25/12/2026", None, dt.date(2026, 12, 25)),
        ("12/25/2026", None, dt.date(2026, 12, 25)),
        ("05/05/2026", None, dt.date(2026, 5, 5)),
        ("04.03.2026", None, dt.date(2026, 3, 4)),
        ("04.03.2026", False, dt.date(2026, 3, 4)),
        ("04/03/26", True, dt.date(2026, 3, 4)),
        ("29/02/2028", None, dt.date(2028, 2, 29)),
    ],
)
def test_dates_in_accepted_forms_are_read(
    text: str, dayfirst: bool | None, expected: dt.date
) -> None:
    assert parse_date(text, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "dayfirst", "words"),
    [
        ("2026-02-30", None, ["'2026-02-30' is not a valid date", "YYYY-MM-DD"]),
        ("20230523", None, ["2023-05-23"]),
        ("13/13/2026", None, ["not a valid date"]),
        ("03/04/2026", None, ["--dayfirst", "--monthfirst", "3 April", "March 4"]),
        ("12/25/2026", True, ["day first"]),
        ("25/12/2026", False, ["month first"]),
        ("29/02/2026", None, ["not a valid date"]),
        ("tomorrow", None, ["not a valid date"]),
        ("", None, ["empty"]),
        ("   ", None, ["empty"]),
        ("2026-3-4", None, ["not a valid date"]),
        ("04/03/026", True, ["not a valid date"]),
        ("2026/03/04", None, ["not a valid date"]),
        ("2026-W10-3", None, ["not a valid date"]),
        ("０４/03/2026", True, ["not a valid date"]),
    ],
)
def test_bad_or_ambiguous_dates_are_refused_with_a_hint(
    text: str, dayfirst: bool | None, words: list[str]
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text, dayfirst=dayfirst)
    for word in words:
        assert word in str(caught.value)


def test_a_refused_date_is_refused_again_from_the_cache() -> None:
    for _ in range(3):
        with pytest.raises(ValueError, match="not a valid date"):
            parse_date("2026-02-31")
    assert parse_date("2026-01-31") is parse_date("2026-01-31")
