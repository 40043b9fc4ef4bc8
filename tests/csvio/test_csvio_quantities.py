"""Quantities in CSV cells and options (csvio/quantities.py): read into integer storage units
per unit, money exact, signs kept where a change is signed, and formatted as users type them."""

from __future__ import annotations

import pytest

from benefit_cli.csvio.quantities import (
    format_quantity,
    parse_quantity,
    parse_signed_quantity,
)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("3", "count", 3),
        (" 3 ", "minutes", 3),
        ("+3", "pages", 3),
        ("3.0", "minutes", 3),
        ("45", "minutes", 45),
        ("12", "money", 1200),
        ("12.5", "money", 1250),
        ("12.50", "money", 1250),
        ("0.10", "money", 10),
        ("0.01", "money", 1),
        (".5", "money", 50),
        ("12,50", "money", 1250),
        ("1234567.89", "money", 123456789),
    ],
)
def test_quantities_are_read_into_integer_storage_units(
    text: str, unit: str, expected: int
) -> None:
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize("parse", [parse_quantity, parse_signed_quantity])
def test_an_unknown_unit_is_a_programming_error(parse: object) -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        parse("3", "litres")  # type: ignore[operator]


def test_money_sums_are_exact() -> None:
    assert parse_quantity("0.10", "money") + parse_quantity("0.20", "money") == 30
    assert format_quantity(parse_quantity("0.10", "money") + 20, "money") == "0.30"


@pytest.mark.parametrize(
    ("text", "unit", "words"),
    [
        ("0", "count", ["positive"]),
        ("-2", "count", ["positive", "'-2'"]),
        ("-2", "money", ["positive"]),
        ("", "minutes", ["empty"]),
        ("abc", "pages", ["'abc'"]),
        ("3.5", "minutes", ["whole number of minutes"]),
        ("2.5", "pages", ["whole number of pages"]),
        ("1,000", "count", ["thousands"]),
        ("1_000", "count", ["thousands"]),
        ("1,000.00", "money", ["thousands"]),
        ("12.505", "money", ["two decimals"]),
        ("0.00", "money", ["positive"]),
        ("$12", "money", ["'$12'"]),
        ("1e3", "count", ["'1e3'"]),
        ("٣", "count", ["'٣'"]),
        (".", "money", ["'.'"]),
        ("99999999999999999", "count", ["too large"]),
    ],
)
def test_bad_quantities_are_refused_with_a_sentence(text: str, unit: str, words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        parse_quantity(text, unit)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("+2", "count", 2),
        ("-2", "count", -2),
        ("5", "minutes", 5),
        ("-3.5", "money", -350),
        ("+0.05", "money", 5),
    ],
)
def test_signed_quantities_keep_their_sign(text: str, unit: str, expected: int) -> None:
    assert parse_signed_quantity(text, unit) == expected


@pytest.mark.parametrize("text", ["0", "-0", "+0.00", "", "+", "--2", "-2.5"])
def test_signed_quantities_refuse_zero_and_non_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_signed_quantity(text, "count")


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1250, "money", "12.50"),
        (5, "money", "0.05"),
        (-300, "money", "-3.00"),
        (-5, "money", "-0.05"),
        (0, "money", "0.00"),
        (7, "minutes", "7"),
        (-2, "count", "-2"),
    ],
)
def test_quantities_are_formatted_as_users_type_them(value: int, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text
    if value > 0:
        assert parse_quantity(text, unit) == value
