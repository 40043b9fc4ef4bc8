"""Every number a command takes has a range (issue 17 item 7): a huge, a negative and a
non-number value of each is one ``Error:`` line with exit 2, and the database is left as it
was. ``report expiring --within 99999999`` used to overflow the calendar deep inside the
report, and a twenty-digit id SQLite's integer ("an unexpected internal error").

The corpus below is checked against the command tree: a whole-number option or argument
added later without a range (Click's plain ``int``), or a quantity-like option without a
line here, fails ``test_the_corpus_covers_every_number_the_commands_take``.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import COMMAND, Cli, refused

from benefit_cli.cli.values import MAX_ID, Whole

HUGE = "99999999999999999999999"
BAD = {"huge": HUGE, "negative": "-5", "not a number": "abc"}

RULE = ["plan", "benefit", "add", "FAMILY", "GUESTPASS", "--begin", "2027-01-01"]
LEVEL = ["level", "add", "O", "REDUCED", "--expires", "2026-12-31"]
ADD_TYPE = ["type", "add", "NEWTYPE", "--name", "New", "--unit", "money", "--category", "c"]

# The whole numbers, as (command, parameter): the arguments around it ("{}" is the value),
# and the line that refuses any value out of its range.
WHOLE: dict[tuple[str, str], tuple[list[str], str]] = {
    ("report expiring", "within"): (
        ["report", "expiring", "--within", "{}"],
        '--within must be a whole number of days from 0 to 36500, got "{}".'),
    **{(f"run {verb}", "window"): (
        ["run", verb, "--window", "{}"],
        '--window must be a whole number of days from 0 to 3660, got "{}".')
       for verb in ("renew", "scheduled")},
    ("plan add", "term"): (
        ["plan", "add", "NEW", "--name", "New", "--term", "{}"],
        '--term must be a whole number of months from 1 to 1200, got "{}".'),
    ("plan add", "grace"): (
        ["plan", "add", "NEW", "--name", "New", "--term", "12", "--grace", "{}"],
        '--grace must be a whole number of days from 0 to 3650, got "{}".'),
    ("plan benefit add", "priority"): (
        [*RULE, "--quantity", "1", "--priority", "{}"],
        '--priority must be a whole number from 1 to 100 (1 is drawn first), got "{}".'),
    ("plan benefit add", "rollover_percent"): (
        [*RULE, "--quantity", "1", "--rollover-percent", "{}"],
        '--rollover-percent must be a whole number from 0 to 100, got "{}".'),
    ("level add", "priority"): (
        [*LEVEL, "--quantity", "1", "--priority", "{}"],
        '--priority must be a whole number from 1 to 100 (1 is drawn first), got "{}".'),
}


def _id(what: str, thing: str, listing: str) -> str:
    return (f'{what} "{{}}" is not {thing} id: ids are whole numbers from 1 to {MAX_ID}.'
            f" Find it with: benefit {listing} list --contact C.")


# Ids: as options, and as arguments (where "-5" reads as an option to Click: see below).
IDS: dict[tuple[str, str], tuple[list[str], str]] = {
    ("adjust", "level"): (["adjust", "O", "REDUCED", "--by", "1", "--reason", "x", "--level", "{}"],
                          _id("--level", "a level", "level")),
    ("level add", "membership"): ([*LEVEL, "--quantity", "1", "--membership", "{}"],
                                  _id("--membership", "a membership", "membership")),
    ("allocation list", "level"): (["allocation", "list", "--level", "{}"],
                                   _id("--level", "a level", "level")),
    ("allocate", "level"): (["allocate", "{}", "A"], _id("LEVEL", "a level", "level")),
    ("membership show", "membership"): (["membership", "show", "{}"],
                                        _id("MEMBERSHIP", "a membership", "membership")),
    ("membership cancel", "membership"): (["membership", "cancel", "{}"],
                                          _id("MEMBERSHIP", "a membership", "membership")),
    ("membership renew", "membership"): (["membership", "renew", "{}"],
                                         _id("MEMBERSHIP", "a membership", "membership")),
    ("delegate list", "level"): (["delegate", "list", "--level", "{}"], _id("--level", "a level", "level")),
    ("delegate list", "membership"): (["delegate", "list", "--membership", "{}"],
                                      _id("--membership", "a membership", "membership")),
    **{(f"delegate {verb}", "membership"): (["delegate", verb, "--membership", "{}", "X"],
                                             _id("--membership", "a membership", "membership"))
       for verb in ("add", "remove")},
    **{(f"allocation {verb}", "allocation"): (["allocation", verb, "{}"],
                                              _id("ALLOCATION", "an allocation", "allocation"))
       for verb in ("accept", "decline", "deliver", "end")},
    ("usage void", "entry"): (["usage", "void", "{}", "--reason", "x"],
                              _id("ENTRY", "a ledger entry", "usage")),
    ("event cancel", "registration"): (
        ["event", "cancel", "{}"],
        f'REGISTRATION "{{}}" is not an event registration id: ids are whole numbers from 1 to {MAX_ID}.'
        " Find it with: benefit event registrations EVENT."),
}
ARGUMENTS = {key for key, (args, _) in IDS.items() if "{}" in args and args[args.index("{}") - 1][:2] != "--"}
NEGATIVE_ARGUMENT = ('No such option: -5. An id, a count or a number of days is never negative; a contact'
                     ' ref that starts with "-" goes after --, as in: benefit balance -- -5')

# --limit, on every command that prints rows: the arguments each needs besides it.
LIMITED = {
    "balance": ["balance", "O"],
    "contact list": ["contact", "list"],
    "contact show": ["contact", "show", "O"],
    "type list": ["type", "list"],
    "plan list": ["plan", "list"],
    "plan benefit list": ["plan", "benefit", "list", "FAMILY"],
    "membership list": ["membership", "list"],
    "membership show": ["membership", "show", "1"],
    "level list": ["level", "list"],
    "allocation list": ["allocation", "list"],
    "usage list": ["usage", "list"],
    "usage bulk": ["usage", "bulk", "REDUCED", "--contacts", "O"],
    **{f"report {name}": ["report", name] for name in ("history", "usage", "balances", "allocations",
                                                      "expiring")},
    "report statement": ["report", "statement", "O"],
    **{f"run {verb}": ["run", verb, "--dry-run"] for verb in ("renew", "expire", "scheduled")},
    "membership renew": ["membership", "renew", "1", "--dry-run"],
    "subscription deliveries": ["subscription", "deliveries"],
    "delegate list": ["delegate", "list"],
    "subscription fulfil": ["subscription", "fulfil", "MAG", "--through", "2026-12-31", "--dry-run"],
    "event list": ["event", "list"],
    "event registrations": ["event", "registrations", "GALA"],
}
LIMIT = '--limit must be a whole number of rows from 0 to 1000000000 (0 shows every row), got "{}".'

# Quantities typed as text and read in the unit of the type they are for (cents for money).
COUNT = {"huge": f"quantity '{HUGE}' is too large; check the number.",
         "negative": "quantity must be a positive whole number, got '-5'.",
         "not a number": "quantity must be a positive whole number, got 'abc'."}
MONEY = {"huge": f"quantity '{HUGE}' is too large; check the number.",
         "negative": "quantity must be a positive amount with at most two decimals, like 12.50, got '-5'.",
         "not a number": "quantity must be a positive amount with at most two decimals, like 12.50,"
                         " got 'abc'."}
QUANTITIES: dict[tuple[str, str], tuple[list[str], str, dict[str, str]]] = {
    ("use", "quantity"): (["use", "O", "REDUCED", "--quantity", "{}"], "--quantity", COUNT),
    ("usage bulk", "quantity"): (["usage", "bulk", "REDUCED", "--contacts", "O", "--quantity", "{}"],
                                 "--quantity", COUNT),
    ("allocate", "number"): (["allocate", "1", "A", "--number", "{}"], "--number", COUNT),
    ("level add", "quantity"): ([*LEVEL, "--quantity", "{}"], "--quantity", COUNT),
    ("plan benefit add", "quantity"): ([*RULE, "--quantity", "{}"], "--quantity", COUNT),
    ("plan benefit add", "price_portion"): ([*RULE, "--quantity", "1", "--price-portion", "{}"],
                                            "--price-portion", MONEY),
    ("plan benefit add", "rollover_max"): ([*RULE, "--quantity", "1", "--rollover-max", "{}"],
                                           "--rollover-max", COUNT),
    ("plan add", "price"): (["plan", "add", "NEW", "--name", "New", "--term", "12", "--price", "{}"],
                            "--price", MONEY),
    ("type add", "value"): ([*ADD_TYPE, "--value", "{}"], "--value", MONEY),
    ("type update", "value"): (["type", "update", "REDUCED", "--value", "{}"], "--value", MONEY),
    # A change may be negative (take away): a huge one, either way, is still refused.
    ("event regtype add", "quantity"): (["event", "regtype", "add", "GALA", "Member", "--type", "REDUCED",
                                         "--quantity", "{}"], "--quantity", COUNT),
    ("adjust", "by"): (["adjust", "O", "REDUCED", "--reason", "x", "--by", "{}"], "--by",
                       {"huge": f"quantity '{HUGE}' is too large; check the number.",
                        "negative": f"quantity '-{HUGE}' is too large; check the number.",
                        "not a number": "quantity must be a whole number with a sign, like +3 or -2,"
                                        " got 'abc'."}),
}
# Text options that are numbers once read: a new option of one of these names needs a line above.
NUMERIC_TEXT = {"quantity", "number", "by", "value", "price", "price_portion", "rollover_max"}
NOT_NUMBERS = {("report usage", "by")}  # what to group by


def fill(args: list[str], value: str) -> list[str]:
    return [value if arg == "{}" else arg for arg in args]


def parameters(group: Any = COMMAND, path: tuple[str, ...] = ()) -> dict[tuple[str, str], Any]:
    """Every parameter of every command, by (command path, parameter name)."""
    if hasattr(group, "commands"):  # a group (Typer bundles its own Click)
        return {key: param for name, sub in group.commands.items()
                for key, param in parameters(sub, (*path, name)).items()}
    return {(" ".join(path), str(param.name)): param for param in group.params}


def test_the_corpus_covers_every_number_the_commands_take() -> None:
    found = parameters()
    whole = {key for key, param in found.items()
             if param.type.name.lower() in ("integer", "integer range", "float", "float range")}
    # Each is read by a Whole (a range and one Error line), not by Click's int.
    assert {key for key in whole if not isinstance(getattr(found[key].type, "func", None), Whole)} == set()
    limits = {key for key in whole if key[1] == "limit"}
    assert limits == {(command, "limit") for command in LIMITED}
    assert whole - limits == WHOLE.keys() | IDS.keys()
    assert {key for key in found if key[1] in NUMERIC_TEXT} - NOT_NUMBERS == QUANTITIES.keys()
    assert len(whole) >= 37  # the walk found the commands (37 when this was written)


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("key", list(WHOLE), ids=" --".join)
def test_a_whole_number_out_of_its_range_is_one_error_line(cli: Cli, family_world, key, kind) -> None:
    args, line = WHOLE[key]
    value = BAD[kind]
    assert refused(cli, family_world, *fill(args, value), code=2) == "Error: " + line.format(value)


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("key", list(IDS), ids=" ".join)
def test_an_id_that_cannot_be_one_is_one_error_line(cli: Cli, family_world, key, kind) -> None:
    args, line = IDS[key]
    value = BAD[kind]
    expected = NEGATIVE_ARGUMENT if kind == "negative" and key in ARGUMENTS else line.format(value)
    assert refused(cli, family_world, *fill(args, value), code=2) == "Error: " + expected


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", list(LIMITED))
def test_a_limit_out_of_its_range_is_one_error_line(cli: Cli, family_world, command, kind) -> None:
    value = BAD[kind]
    line = refused(cli, family_world, *LIMITED[command], "--limit", value, code=2)
    assert line == "Error: " + LIMIT.format(value)


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("key", list(QUANTITIES), ids=" --".join)
def test_a_quantity_out_of_its_range_is_one_error_line(cli: Cli, family_world, key, kind) -> None:
    args, option, reasons = QUANTITIES[key]
    value = f"-{HUGE}" if key == ("adjust", "by") and kind == "negative" else BAD[kind]
    line = refused(cli, family_world, *fill(args, value), code=2)
    assert line == f"Error: {option}: {reasons[kind]}"


@pytest.mark.parametrize("value", ["1_000", "²", "1e3", "0x10", "٣", "1.0", " "])
def test_only_plain_digits_are_a_whole_number(cli: Cli, family_world, value: str) -> None:
    """Python's int() reads the first five; no person types them meaning a number of days."""
    line = refused(cli, family_world, "report", "expiring", "--within", value, code=2)
    assert line == f'Error: --within must be a whole number of days from 0 to 36500, got "{value}".'


@pytest.mark.parametrize(("value", "found"), [("+89", True), ("88", False), (" 36500 ", True), ("0", False)])
def test_a_whole_number_in_range_is_read(cli: Cli, family_world, monkeypatch, value: str,
                                         found: bool) -> None:
    """The family's levels expire on 2027-02-28, 89 days after the pinned today."""
    monkeypatch.setenv("BENEFIT_TODAY", "2026-12-01")
    rows = cli("report", "expiring", "--within", value, "-f", "json").json()
    assert {row["days_left"] for row in rows} == ({89} if found else set())


def test_an_id_as_large_as_sqlite_allows_is_looked_up(cli: Cli, family_world) -> None:
    line = refused(cli, family_world, "allocate", str(MAX_ID), "A", code=1)
    assert line == f"Error: No level {MAX_ID}. Find it with: benefit level list --contact C."


@pytest.mark.parametrize("key", [HUGE, str(MAX_ID), "²"])
def test_a_contact_key_too_large_or_odd_for_an_id_is_looked_up_as_a_ref(cli: Cli, family_world, key) -> None:
    line = refused(cli, family_world, "balance", "--", key, code=1)
    # (a one-character key is one keystroke from the world's one-letter refs)
    guess = " Did you mean A, B or C?" if len(key) == 1 else ""
    assert line == (f'Error: No contact "{key}".{guess} Find it with: benefit contact list --name TEXT,'
                    " or add it with: benefit contact add.")


def test_a_negative_contact_ref_is_read_after_the_double_dash(cli: Cli, family_world) -> None:
    """What the refusal of "-5" as an argument advises."""
    line = refused(cli, family_world, "balance", "--", "-5", code=1)
    assert line.startswith('Error: No contact "-5".')


# -- dates at the ends of the calendar -----------------------------------------------------------

# A date near 9999-12-31 or 0001-01-01 ran a term, a grace period or a look ahead off the
# calendar ("an unexpected internal error"): every date option has a range too.
DATE_NAMES = {"on", "start", "stop", "expires", "begin", "end", "joined", "joined_from", "joined_to",
              "active_on", "from_", "to", "as_of", "through", "date"}
DATED = {
    "allocate": ["allocate", "1", "A"],
    "use": ["use", "O", "REDUCED"],
    "adjust": ["adjust", "O", "REDUCED", "--by", "1", "--reason", "x"],
    "balance": ["balance", "O"],
    "contact add": ["contact", "add", "Dora"],
    "contact update": ["contact", "update", "O"],
    "contact list": ["contact", "list"],
    "plan benefit add": [*RULE[:5], "--quantity", "1"],
    "plan benefit end": ["plan", "benefit", "end", "FAMILY", "REDUCED"],
    "membership add": ["membership", "add", "B", "FAMILY"],
    "membership list": ["membership", "list"],
    "membership cancel": ["membership", "cancel", "1"],
    "level add": ["level", "add", "O", "REDUCED", "--quantity", "1"],
    **{f"allocation {verb}": ["allocation", verb, "1"] for verb in ("accept", "decline", "deliver", "end")},
    "usage list": ["usage", "list"],
    "usage bulk": ["usage", "bulk", "REDUCED"],
    **{f"report {name}": ["report", name] for name in ("history", "usage", "balances", "allocations",
                                                      "expiring")},
    "report statement": ["report", "statement", "O"],
    **{f"run {verb}": ["run", verb] for verb in ("renew", "expire", "scheduled")},
    "subscription fulfil": ["subscription", "fulfil", "MAG"],
    "event add": ["event", "add", "NEW", "--name", "New"],
}
OPTION = {"from_": "--from", "to": "--to"}


def dated() -> list[tuple[str, str]]:
    return sorted(key for key in parameters() if key[1] in DATE_NAMES)


def test_the_corpus_covers_every_date_option() -> None:
    assert {command for command, _ in dated()} == DATED.keys()


@pytest.mark.parametrize("value", ["9999-12-31", "3000-01-01", "1899-12-31", "0001-01-01"])
@pytest.mark.parametrize("key", dated(), ids=" --".join)
def test_a_date_off_the_calendar_is_one_error_line(cli: Cli, family_world, key, value) -> None:
    command, name = key
    option = OPTION.get(name, "--" + name.replace("_", "-"))
    line = refused(cli, family_world, *DATED[command], option, value, code=2)
    assert line == (f'Error: {option} "{value}" is out of range: dates run from 1900-01-01 to 2999-12-31'
                    " (for a benefit that never ends, 2999-12-31 will do).")


def test_a_membership_may_start_on_the_last_day_there_is(cli: Cli, family_world) -> None:
    cli("membership", "add", "B", "FAMILY", "--start", "2999-12-31")
    cli("report", "statement", "B", "--on", "2999-12-31")
    cli("db", "check")


IMPORTS = [
    ("usage", "contact,type,used_on\nO,REDUCED,{}\n", "used_on"),
    ("membership", "contact,plan,start_on\nB,FAMILY,{}\n", "start_on"),
    ("contact", "ref,name,joined_on\nZ,Zed,{}\n", "joined_on"),
]


@pytest.mark.parametrize("value", ["9999-06-01", "31.12.1899"])
@pytest.mark.parametrize(("kind", "lines", "column"), IMPORTS, ids=[kind for kind, *_ in IMPORTS])
def test_a_date_off_the_calendar_in_a_file_names_its_row(cli: Cli, family_world, tmp_path, kind, lines,
                                                          column, value) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(lines.format(value), encoding="utf-8")
    result = cli(f"{kind}", "import", path, code=1)
    assert f"  row 2, column {column}: '{value}' is out of range: dates run from 1900-01-01 to 2999-12-31" \
        " (for a benefit that never ends, 2999-12-31 will do)." in result.stderr.splitlines()
