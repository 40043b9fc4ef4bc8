"""A report refused: a bad filter, a wrong use of the command or an output file that cannot be
written is exactly one ``Error:`` line, exit code 1 or 2, nothing on stdout, no file."""

from __future__ import annotations

import pytest
from conftest import REPORTS, one_error

BAD_FILTERS = [
    pytest.param(["--contact", "NOPE"], "NOPE", id="unknown-contact"),
    pytest.param(["--type", "NOPE"], "NOPE", id="unknown-type"),
    pytest.param(["--plan", "NOPE"], "NOPE", id="unknown-plan"),
    pytest.param(["--from", "2026-02-30"], "--from", id="no-such-day"),
    pytest.param(["--to", "31/01/2026"], "--to", id="slash-date"),
    pytest.param(["--from", "yesterday"], "--from", id="not-a-date"),
    pytest.param(["--from", "2026-05-01", "--to", "2026-04-01"], "--to", id="to-before-from"),
]


@pytest.mark.parametrize("name", list(REPORTS))
@pytest.mark.parametrize(("bad", "named"), BAD_FILTERS)
def test_a_bad_filter_is_refused_in_one_line(cli, empty_ledger, name, bad, named):
    args = [("N1" if a == "ANN" else a) for a in REPORTS[name]]
    if name == "statement" and bad[0] == "--contact":
        args, bad = ["statement", "NOPE"], []
    result = cli("report", *args, *bad, code=None)
    assert result.exit_code in (1, 2), (result.exit_code, result.stdout, result.stderr)
    assert named in one_error(result)
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["usage", "--by", "week"], "week"),
        (["usage", "--by", "type", "--by", "plan"], "plan"),
        (["expiring", "--within", "-1"], "--within"),
        (["expiring", "--within", "soon"], "--within"),
        (["history", "-f", "xml"], "xml"),
    ],
    ids=["by-week", "by-plan", "within-negative", "within-text", "format"],
)
def test_wrong_usage_of_a_report_is_refused_in_one_line(cli, empty_ledger, args, named, tmp_path):
    target = tmp_path / "never.csv"
    result = cli("report", *args, "-o", target, code=None)
    assert result.exit_code in (1, 2), (result.exit_code, result.stderr)
    assert named in one_error(result)
    assert result.stdout == ""
    assert not target.exists()


def test_an_output_file_that_cannot_be_written_is_a_clear_refusal(cli, report_world, tmp_path):
    target = tmp_path / "no-such-folder" / "history.csv"
    result = cli("report", "history", "-f", "csv", "-o", target, code=None)
    assert result.exit_code in (1, 2)
    line = one_error(result)
    assert "unexpected" not in line and "internal" not in line, line
    assert "history.csv" in line, line
    assert result.stdout == ""
