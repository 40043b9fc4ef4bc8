"""Quantities as English and European spreadsheets write them (issue 17 item 3).

One rule for every unit: ``.`` and ``,`` are decimal marks, and one of them followed by
exactly three digits could be a thousands separator, so it is refused with both readings
rather than guessed. Plain numbers and real decimals keep working.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefit_cli.csvio.quantities import UNITS, parse_quantity, parse_signed_quantity

WHOLE_UNITS = ("count", "minutes", "pages")


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1", "count", 1),
        ("1000", "count", 1000),
        ("1000", "minutes", 1000),
        ("1234.000", "pages", 1234),  # four digits before the mark: no thousands group
        ("1.00", "count", 1),
        ("1,00", "count", 1),  # a decimal comma with nothing after it, as for money
        ("3,0", "minutes", 3),
        ("12.50", "money", 1250),
        ("12,50", "money", 1250),
        ("1000", "money", 100000),
        ("1000.5", "money", 100050),
        ("0,75", "money", 75),
    ],
)
def test_plain_numbers_and_real_decimals_are_read(text: str, unit: str, expected: int) -> None:
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("1.000", "count",
         "quantity '1.000' is ambiguous (1 or 1000?); write it without a thousands separator, like 1000,"
         " or as 1."),
        ("1,000", "pages",
         "quantity '1,000' is ambiguous (1 or 1000?); write it without a thousands separator, like 1000,"
         " or as 1."),
        ("1.500", "minutes",
         "quantity '1.500' is ambiguous (1.5 or 1500?); write it without a thousands separator, like 1500."),
        ("999,000", "count",
         "quantity '999,000' is ambiguous (999 or 999000?); write it without a thousands separator, like"
         " 999000, or as 999."),
        ("1.000", "money",
         "quantity '1.000' is ambiguous (1 or 1000?); write it without a thousands separator, like 1000,"
         " or as 1."),
        ("1,250", "money",
         "quantity '1,250' is ambiguous (1.25 or 1250?); write it without a thousands separator, like"
         " 1250, or as 1.25."),
        ("12.505", "money",
         "quantity '12.505' is ambiguous (12.505 or 12505?); write it without a thousands separator, like"
         " 12505, or with at most two decimals."),
        ("-1.000", "count",
         "quantity '-1.000' is ambiguous (1 or 1000?); write it without a thousands separator, like 1000,"
         " or as 1."),
    ],
)
def test_a_mark_followed_by_three_digits_is_ambiguous_in_every_unit(
    text: str, unit: str, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quantity(text, unit)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "unit", "words"),
    [
        ("1.000.000", "count", ["without thousands separators", "'1.000.000'"]),
        ("1,000,000", "pages", ["without thousands separators"]),
        ("1.000,50", "money", ["without thousands separators"]),
        ("1,000.50", "money", ["without thousands separators"]),
        ("1 000", "count", ["without thousands separators"]),
        ("1\u00a0000", "count", ["without thousands separators"]),  # French Excel
        ("1\u202f000", "money", ["without thousands separators"]),
        ("1'000", "count", ["without thousands separators"]),  # Swiss
        ("1,5", "count", ["must be a whole number", "'1,5'"]),
        ("0,500", "count", ["must be a whole number"]),  # a leading 0 is never a thousands group
        ("0.005", "money", ["more than two decimals"]),
        ("1.0005", "money", ["more than two decimals"]),
    ],
)
def test_other_separators_are_refused_with_a_sentence(text: str, unit: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quantity(text, unit)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1.000", "quantity '-1.000' is ambiguous (-1 or -1000?); write it without a thousands separator,"
                   " like -1000, or as -1."),
        ("+2,500", "quantity '+2,500' is ambiguous (2.5 or 2500?); write it without a thousands separator,"
                   " like 2500."),
    ],
)
def test_a_signed_change_is_refused_with_its_sign(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_signed_quantity(text, "count")
    assert str(caught.value) == message


@given(
    whole=st.integers(min_value=1, max_value=999),
    frac=st.integers(min_value=0, max_value=999),
    mark=st.sampled_from(".,"),
    unit=st.sampled_from(UNITS),
)
def test_no_thousands_shaped_number_is_ever_read(whole: int, frac: int, mark: str, unit: str) -> None:
    text = f"{whole}{mark}{frac:03d}"
    with pytest.raises(ValueError, match="is ambiguous"):
        parse_quantity(text, unit)
    with pytest.raises(ValueError, match="is ambiguous"):
        parse_signed_quantity(text, unit)


@given(value=st.integers(min_value=1, max_value=10**9), unit=st.sampled_from(WHOLE_UNITS))
def test_plain_whole_numbers_read_as_themselves(value: int, unit: str) -> None:
    assert parse_quantity(str(value), unit) == value
