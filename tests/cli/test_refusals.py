"""Every command's unhappy paths, in the family world: an unknown thing is refused by name
(exit 1), a malformed date, quantity or option value is wrong usage (exit 2), a refused
command names the thing; each is exactly one ``Error:`` line and changes nothing."""

from __future__ import annotations

import pytest
from conftest import refused

ADD_TYPE = ["type", "add", "NEWTYPE", "--name", "New", "--unit", "count", "--category", "c"]
RULE = ["plan", "benefit", "add", "FAMILY", "GUESTPASS"]
LEVEL = ["level", "add", "O", "REDUCED"]
LEVEL_OK = [*LEVEL, "--quantity", "1", "--start", "2026-03-01", "--expires", "2026-12-31"]

UNKNOWN = [
    (["contact", "show", "NOPE"], '"NOPE"'),
    (["contact", "add", "Dora", "--of", "NOPE"], '"NOPE"'),
    (["type", "update", "NOPE", "--name", "x"], '"NOPE"'),
    (["type", "retire", "NOPE"], '"NOPE"'),
    (["type", "delete", "NOPE"], '"NOPE"'),
    (["plan", "benefit", "add", "NOPE", "REDUCED", "--quantity", "1"], '"NOPE"'),
    (["plan", "benefit", "add", "FAMILY", "NOPE", "--quantity", "1"], '"NOPE"'),
    (["plan", "benefit", "list", "NOPE"], '"NOPE"'),
    (["plan", "benefit", "end", "NOPE", "REDUCED", "--on", "2026-06-30"], '"NOPE"'),
    (["plan", "benefit", "end", "FAMILY", "NOPE", "--on", "2026-06-30"], '"NOPE"'),
    (["membership", "add", "NOPE", "FAMILY", "--start", "2026-05-01"], '"NOPE"'),
    (["membership", "add", "B", "NOPE", "--start", "2026-05-01"], '"NOPE"'),
    (["membership", "list", "--contact", "NOPE"], '"NOPE"'),
    (["membership", "list", "--plan", "NOPE"], '"NOPE"'),
    (["membership", "show", "99"], "99"),
    (["membership", "cancel", "99"], "99"),
    (["level", "add", "NOPE", "REDUCED", "--quantity", "1", "--expires", "2026-12-31"], '"NOPE"'),
    (["level", "add", "O", "NOPE", "--quantity", "1", "--expires", "2026-12-31"], '"NOPE"'),
    ([*LEVEL_OK, "--membership", "99"], "99"),
    (["level", "list", "--contact", "NOPE"], '"NOPE"'),
    (["level", "list", "--type", "NOPE"], '"NOPE"'),
    (["allocate", "99", "A"], "level 99"),
    (["allocate", "1", "NOPE"], '"NOPE"'),
    (["allocation", "list", "--contact", "NOPE"], '"NOPE"'),
    (["allocation", "list", "--level", "99"], "level 99"),
    (["allocation", "list", "--type", "NOPE"], '"NOPE"'),
    (["allocation", "accept", "99"], "99"),
    (["allocation", "decline", "99"], "99"),
    (["allocation", "deliver", "99"], "99"),
    (["allocation", "end", "99"], "99"),
    (["delegate", "add", "99", "B"], "level 99"),
    (["delegate", "add", "1", "NOPE"], '"NOPE"'),
    (["delegate", "remove", "99", "C"], "level 99"),
    (["delegate", "remove", "1", "NOPE"], '"NOPE"'),
    (["contact", "import", "no-such-file.csv"], "no-such-file.csv"),
    (["membership", "import", "no-such-file.csv"], "no-such-file.csv"),
]


@pytest.mark.parametrize(("args", "names"), UNKNOWN, ids=[" ".join(a) for a, _ in UNKNOWN])
def test_an_unknown_thing_is_refused_by_name(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=1)
    assert names in line


DATE_OPTIONS = [
    (["contact", "add", "Dora"], "--joined"),
    (["contact", "list"], "--joined-from"),
    (["contact", "list"], "--joined-to"),
    ([*RULE, "--quantity", "1"], "--begin"),
    ([*RULE, "--quantity", "1", "--begin", "2027-01-01"], "--end"),
    (["plan", "benefit", "end", "FAMILY", "REDUCED"], "--on"),
    (["membership", "add", "B", "FAMILY"], "--start"),
    (["membership", "list"], "--active-on"),
    (["membership", "cancel", "1"], "--on"),
    ([*LEVEL, "--quantity", "1", "--expires", "2026-12-31"], "--start"),
    ([*LEVEL, "--quantity", "1"], "--expires"),
    (["allocate", "1", "A"], "--start"),
    (["allocate", "1", "A"], "--stop"),
    (["allocation", "accept", "1"], "--on"),
    (["allocation", "decline", "1"], "--on"),
    (["allocation", "deliver", "1"], "--on"),
    (["allocation", "end", "1"], "--on"),
]


@pytest.mark.parametrize("bad", ["2026-13-01", "01/02/2026", "2026-02-30"])
@pytest.mark.parametrize(("args", "option"), DATE_OPTIONS,
                         ids=[f"{' '.join(a[:2])} {o}" for a, o in DATE_OPTIONS])
def test_a_bad_date_is_wrong_usage(cli, family_world, args, option, bad):
    line = refused(cli, family_world, *args, option, bad, code=2)
    assert option in line and bad in line


QUANTITY_OPTIONS = [
    ([*RULE, "--begin", "2027-01-01"], "--quantity"),
    ([*LEVEL, "--expires", "2026-12-31"], "--quantity"),
    (["allocate", "1", "A"], "--number"),
]


@pytest.mark.parametrize("bad", ["0", "-3", "1.5", "two", ""])
@pytest.mark.parametrize(("args", "option"), QUANTITY_OPTIONS,
                         ids=[f"{a[0]} {o}" for a, o in QUANTITY_OPTIONS])
def test_a_quantity_must_be_a_positive_whole_number(cli, family_world, args, option, bad):
    line = refused(cli, family_world, *args, option, bad, code=2)
    assert option in line


USAGE = [
    pytest.param([*ADD_TYPE[:6], "litres", *ADD_TYPE[7:]], "litres", id="type add --unit litres"),
    pytest.param([*ADD_TYPE, "--kind", "gift"], "gift", id="type add --kind gift"),
    pytest.param([*ADD_TYPE, "--value", "-5"], "--value", id="type add --value -5"),
    pytest.param([*ADD_TYPE, "--value", "1.234"], "--value", id="type add --value 1.234"),
    pytest.param([*ADD_TYPE, "--schedule", "EVERY TUESDAY"], "--schedule",
                 id="type add --schedule"),
    pytest.param(["type", "update", "REDUCED", "--unit", "litres"], "litres",
                 id="type update --unit"),
    pytest.param(["type", "update", "REDUCED", "--kind", "gift"], "gift", id="type update --kind"),
    pytest.param(["type", "update", "REDUCED"], "", id="type update with nothing to change"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "0"], "--term",
                 id="plan add --term 0"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "-12"], "--term",
                 id="plan add --term -12"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "12", "--grace", "-1"],
                 "--grace",
                 id="plan add --grace -1"),
    pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "12", "--price", "-1.00"],
                 "--price",
                 id="plan add --price -1.00"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--per", "week"], "week",
                 id="plan benefit add --per week"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--priority", "0"],
                 "--priority",
                 id="plan benefit add --priority 0"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--priority", "101"],
                 "--priority",
                 id="plan benefit add --priority 101"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2027-01-01", "--rollover-percent", "101"],
                 "--rollover-percent", id="plan benefit add --rollover-percent 101"),
    pytest.param([*LEVEL_OK, "--priority", "0"], "--priority", id="level add --priority 0"),
    pytest.param([*LEVEL_OK, "--source", "gift"], "gift", id="level add --source gift"),
    pytest.param([*LEVEL, "--quantity", "1"], "--expires", id="level add without --expires"),
    pytest.param(["contact", "add", " "], "name", id="contact add with an empty name"),
    pytest.param(["contact", "add", "Dora", "--business", "--of", "BIZ"], "--of",
                 id="contact add --business --of"),
]


@pytest.mark.parametrize(("args", "names"), USAGE)
def test_a_malformed_option_value_is_wrong_usage(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=2)
    assert names in line


REFUSED = [
    pytest.param(["contact", "add", "Dora", "--ref", "O"], '"O"', id="duplicate contact ref"),
    pytest.param(["contact", "add", "Dora", "--of", "A"], '"A"', id="--of a person"),
    pytest.param(["type", "add", "REDUCED", "--name", "x", "--unit", "count", "--category", "c"],
                 '"REDUCED"', id="duplicate type code"),
    pytest.param(["type", "add", "reduced", "--name", "x", "--unit", "count", "--category", "c"],
                 '"REDUCED"', id="duplicate type code in another case"),
    pytest.param(["type", "delete", "REDUCED"], "retire", id="delete a granted type"),
    pytest.param(["plan", "add", "FAMILY", "--name", "x", "--term", "12"], '"FAMILY"',
                 id="duplicate plan code"),
    pytest.param(["plan", "add", "family", "--name", "x", "--term", "12"], '"FAMILY"',
                 id="duplicate plan code in another case"),
    pytest.param(["plan", "benefit", "add", "FAMILY", "REDUCED", "--quantity", "3", "--begin",
                  "2026-01-01"], "rule 1 ", id="rule overlapping rule 1"),
    pytest.param([*RULE, "--quantity", "1", "--begin", "2026-06-01", "--end", "2026-05-01"],
                 "2026-05-01", id="rule ending before it begins"),
    pytest.param(["plan", "benefit", "add", "FAMILY", "OLD", "--quantity", "1"], '"OLD"',
                 id="rule of a retired type"),
    pytest.param(["plan", "benefit", "end", "FAMILY", "GUESTPASS", "--on", "2026-06-30"],
                 "GUESTPASS", id="end a rule that is not there"),
    pytest.param(["plan", "benefit", "end", "FAMILY", "REDUCED", "--on", "2025-06-30"],
                 "2025-06-30", id="end a rule before it begins"),
    pytest.param(["membership", "add", "O", "FAMILY", "--start", "2026-03-01"], "membership 1",
                 id="duplicate membership"),
    pytest.param(["membership", "add", "O", "family", "--start", "2026-03-01"], "membership 1",
                 id="duplicate membership, plan code in another case"),
    pytest.param(["membership", "cancel", "2"], "Membership 2", id="membership cancel twice"),
    pytest.param(["membership", "cancel", "1", "--on", "2026-02-28"], "Membership 1",
                 id="cancel before the start"),
    pytest.param(["level", "add", "O", "OLD", "--quantity", "1", "--expires", "2026-12-31"],
                 '"OLD"', id="grant a retired type"),
    pytest.param([*LEVEL, "--quantity", "1", "--start", "2026-05-01", "--expires", "2026-04-30"],
                 "2026-04-30", id="level expiring before it starts"),
    pytest.param(["level", "add", "B", "REDUCED", "--quantity", "1", "--membership", "1"],
                 "Membership 1", id="level tied to another contact's membership"),
    # until 03-10 all five are held (the declined one until 03-01); from 03-11, the ended
    # and declined ones' two are free again
    pytest.param(["allocate", "1", "A", "--number", "3", "--start", "2026-03-11"],
                 "2 remain unallocated", id="allocation beyond the level"),
    pytest.param(["allocate", "1", "A"], "0 remain unallocated", id="allocation while all are held"),
    pytest.param(["allocate", "1", "A", "--start", "2026-02-28"], "Level 1",
                 id="allocation starting before the level"),
    pytest.param(["allocate", "1", "A", "--stop", "2027-03-01"], "Level 1",
                 id="allocation stopping after the level"),
    pytest.param(["allocate", "1", "A", "--start", "2026-06-01", "--stop", "2026-05-31"],
                 "2026-05-31", id="allocation stopping before it starts"),
    pytest.param(["allocation", "accept", "2"], "Allocation 2", id="accept twice"),
    pytest.param(["allocation", "decline", "2"], "Allocation 2", id="decline after accept"),
    pytest.param(["allocation", "accept", "3"], "Allocation 3", id="accept after decline"),
    pytest.param(["allocation", "decline", "3"], "Allocation 3", id="decline twice"),
    pytest.param(["allocation", "accept", "4"], "Allocation 4", id="accept an ended one"),
    pytest.param(["allocation", "end", "4"], "Allocation 4", id="end twice"),
    pytest.param(["allocation", "end", "3"], "Allocation 3", id="end a declined one"),
    pytest.param(["allocation", "deliver", "5", "--on", "2026-03-04"], "Allocation 5",
                 id="deliver twice"),
    pytest.param(["allocation", "end", "1", "--on", "2026-02-28"], "Allocation 1",
                 id="end before it starts"),
    pytest.param(["delegate", "add", "1", "C"], '"C"', id="delegate add twice"),
    pytest.param(["delegate", "add", "1", "O"], '"O"', id="delegate the owner"),
    pytest.param(["delegate", "remove", "1", "A"], '"A"', id="remove a non-delegate"),
]


@pytest.mark.parametrize(("args", "names"), REFUSED)
def test_a_refused_command_names_the_thing_and_changes_nothing(cli, family_world, args, names):
    line = refused(cli, family_world, *args, code=1)
    assert names in line


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["plan", "add", "NEW", "--name", "New", "--term", "1.5"], id="--term 1.5"),
        pytest.param(["allocation", "accept", "abc"], id="allocation id abc"),
        pytest.param(["membership", "show", "x"], id="membership id x"),
        pytest.param(["contact", "add"], id="missing argument"),
        pytest.param(["contact", "add", "Dora", "--colour", "red"], id="unknown option"),
    ],
)
def test_a_usage_error_caught_by_the_parser_is_one_error_line(cli, family_world, args):
    refused(cli, family_world, *args, code=2)
