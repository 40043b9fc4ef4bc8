"""European dates in CSV imports (SPEC §4, issue 16 item 3): dotted dates are day first,
whatever --monthfirst says; two-digit years are read as 2000-2069 / 1970-1999; and an
import can tell which texts it read with a two-digit year (``DateReader``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Cli, rows, snapshot

from benefit_cli.csvio.dates import DateReader, century_of, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("05.03.2026", None, D(2026, 3, 5)),
        ("05.03.2026", True, D(2026, 3, 5)),
        ("05.03.2026", False, D(2026, 3, 5)),  # dots mean European: --monthfirst is for slashes
        ("5.3.2026", None, D(2026, 3, 5)),
        ("31.12.2026", False, D(2026, 12, 31)),
        ("05.03.26", None, D(2026, 3, 5)),
        ("05.03.26", False, D(2026, 3, 5)),
        ("5.3.26", None, D(2026, 3, 5)),
        ("01.01.00", None, D(2000, 1, 1)),
        ("31.12.69", None, D(2069, 12, 31)),
        ("01.01.70", None, D(1970, 1, 1)),
        ("24.12.99", None, D(1999, 12, 24)),
        ("29.02.28", None, D(2028, 2, 29)),
        ("05/03/26", True, D(2026, 3, 5)),
        ("05/03/26", False, D(2026, 5, 3)),
        ("25/12/26", None, D(2026, 12, 25)),  # reads only one way
        ("12/25/99", None, D(1999, 12, 25)),
        (" 05.03.26 ", None, D(2026, 3, 5)),
        ("2026-03-05", False, D(2026, 3, 5)),
    ],
)
def test_dotted_dates_are_day_first_and_two_digit_years_get_a_century(
    text: str, dayfirst: bool | None, expected: dt.date
) -> None:
    assert parse_date(text, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "dayfirst", "words"),
    [
        ("05/03/26", None, ["could be 5 March or May 3", "--dayfirst"]),
        ("12.31.2026", False, ["'12.31.2026' is not a valid date when read day first (DD.MM.YYYY)"]),
        ("31.02.26", None, ["'31.02.26' is not a valid date when read day first (DD.MM.YYYY)"]),
        ("29.02.27", None, ["not a valid date"]),
        ("05.03.6", None, ["not a valid date"]),
        ("05.03.026", None, ["not a valid date"]),
        ("05.03.20266", None, ["not a valid date"]),
        ("2026.03.05", None, ["not a valid date"]),
        ("05.03.", None, ["not a valid date"]),
        ("05.03.2026.", None, ["not a valid date"]),
        ("5-3-26", None, ["not a valid date"]),
        ("05.03.２６", None, ["not a valid date"]),
    ],
)
def test_malformed_european_dates_are_refused_with_a_sentence(
    text: str, dayfirst: bool | None, words: list[str]
) -> None:
    with pytest.raises(ValueError) as caught:
        parse_date(text, dayfirst=dayfirst)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(("two", "year"), [(0, 2000), (26, 2026), (69, 2069), (70, 1970), (99, 1999)])
def test_the_century_window_is_2000_to_2069_then_1970_to_1999(two: int, year: int) -> None:
    assert century_of(two) == year


def test_a_date_reader_remembers_only_texts_read_with_a_two_digit_year() -> None:
    reader = DateReader()
    for text in ["2026-03-05", "05.03.2026", "05.03.26", "05.03.26", "13/03/26", " 1.1.99 ", "25/12/2026"]:
        reader.parse(text)
    assert reader.two_digit_years == {
        "05.03.26": D(2026, 3, 5), "13/03/26": D(2026, 3, 13), "1.1.99": D(1999, 1, 1)
    }
    assert reader.two_digit_note() == (
        'two-digit years were read as 2000-2069 or 1970-1999 ("05.03.26" as 2026-03-05,'
        ' "13/03/26" as 2026-03-13, "1.1.99" as 1999-01-01)'
    )


def test_a_date_reader_note_is_short_for_many_dates_and_none_without_any() -> None:
    reader = DateReader(dayfirst=True)
    assert reader.two_digit_note() is None
    for day in range(1, 11):
        reader.parse(f"{day:02d}/03/26")
    assert reader.two_digit_note() == (
        'two-digit years were read as 2000-2069 or 1970-1999 ("01/03/26" as 2026-03-01,'
        ' "02/03/26" as 2026-03-02, "03/03/26" as 2026-03-03 and 7 more)'
    )


def test_a_date_reader_refuses_as_parse_date_does_and_remembers_nothing_then() -> None:
    reader = DateReader()
    with pytest.raises(ValueError, match="could be 5 March or May 3"):
        reader.parse("05/03/26")
    assert reader.two_digit_years == {}


# -- through the import commands ----------------------------------------------------------------


@pytest.fixture
def gold(cli: Cli, db: Path) -> Path:
    cli("type", "add", "GUEST", "--name", "Guest pass", "--unit", "count", "--category", "admissions")
    cli("plan", "add", "GOLD", "--name", "Gold", "--term", "12")
    cli("plan", "benefit", "add", "GOLD", "GUEST", "--quantity", "5", "--begin", "2020-01-01")
    cli("contact", "add", "Ann", "--ref", "C1")
    return db


def test_contact_import_reads_german_libreoffice_dates(cli, db, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"ref;name;joined_on\nC1;Ann;05.03.26\nC2;Bob;24.12.99\nC3;Cy;1.2.2026\n")
    cli("contact", "import", path)
    joined = {c["ref"]: c["joined_on"] for c in rows(cli, "contact", "list")}
    assert joined == {"C1": "2026-03-05", "C2": "1999-12-24", "C3": "2026-02-01"}


@pytest.mark.parametrize("order", [(), ("--dayfirst",), ("--monthfirst",)])
def test_membership_import_reads_dotted_dates_day_first_whatever_the_option(cli, gold, tmp_path, order):
    path = tmp_path / "memberships.csv"
    path.write_bytes(b"contact,plan,start_on\nC1,GOLD,05.03.26\n")
    cli("membership", "import", path, *order)
    assert [m["start_on"] for m in rows(cli, "membership", "list")] == ["2026-03-05"]


def test_usage_import_reads_two_digit_slash_dates_the_way_it_is_told(cli, gold, tmp_path):
    cli("membership", "add", "C1", "GOLD", "--start", "2026-01-01")
    path = tmp_path / "usage.csv"
    path.write_bytes(b"contact,type,used_on\nC1,GUEST,05/03/26\n")
    cli("usage", "import", path, "--monthfirst")
    assert [e["date"] for e in rows(cli, "usage", "list")] == ["2026-05-03"]


def test_an_ambiguous_two_digit_slash_date_is_refused_without_an_order(cli, gold, tmp_path):
    cli("membership", "add", "C1", "GOLD", "--start", "2026-01-01")
    path = tmp_path / "usage.csv"
    path.write_bytes(b"contact,type,used_on\nC1,GUEST,05/03/26\n")
    before = snapshot(gold)
    result = cli("usage", "import", path, code=1)
    assert (
        "  row 2, column used_on: '05/03/26' could be 5 March or May 3; write it as YYYY-MM-DD,"
        " or say how to read slash dates with --dayfirst or --monthfirst."
    ) in result.stderr.splitlines()
    assert result.error_lines == [
        "Error: 1 row has a problem, so nothing was imported; fix it and try again."
    ]
    assert snapshot(gold) == before


def test_each_import_says_in_its_summary_that_it_read_two_digit_years(cli, db, tmp_path):
    """SPEC §4: two-digit years are read as 2000-2069 / 1970-1999 "and said so"."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("ref;name;joined_on\nC1;Ann;05.03.26\nC2;Ben;2026-03-06\n", encoding="utf-8")
    said = cli("contact", "import", contacts).stderr
    assert '2 rows read: 2 added, 0 updated, 0 already present; two-digit years were read as' in said
    assert '"05.03.26" as 2026-03-05' in said
    cli("type", "add", "PASS", "--name", "Pass", "--unit", "count", "--category", "x")
    cli("plan", "add", "P", "--name", "P", "--term", "12")
    cli("plan", "benefit", "add", "P", "PASS", "--quantity", "5", "--begin", "2026-01-01")
    memberships = tmp_path / "memberships.csv"
    memberships.write_text("contact,plan,start_on\nC1,P,2026-03-01\n", encoding="utf-8")
    assert "two-digit" not in cli("membership", "import", memberships).stderr
    usage = tmp_path / "usage.csv"
    usage.write_text("contact,type,used_on\nC1,PASS,10.03.26\n", encoding="utf-8")
    said = cli("usage", "import", usage).stderr
    assert '; two-digit years were read as 2000-2069 or 1970-1999 ("10.03.26" as 2026-03-10).' in said
    assert cli("usage", "list", "-f", "json").json()[0]["date"] == "2026-03-10"
