"""Importing the same usage file twice adds nothing (issue 4): rows with refs are known by
ref, rows without one by their content and how often it appears, across chunks and through
the writer process; a ref already used with other content is refused."""

from __future__ import annotations

import pytest
from conftest import USAGE_HEADER, entry_count, problems, snapshot, summary, used, used_by_type, write_bytes


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(USAGE_HEADER + b"C1,GUEST,1,2026-03-01,a,R1\nC2,CREDIT,0.10,2026-03-01,b,R2\n"
                     b"C1,GUEST,2,2026-03-02,c,R3\n", id="with refs"),
        pytest.param(b"contact,type,quantity,used_on,description\n"
                     b"C1,GUEST,1,2026-03-01,a\nC2,CREDIT,0.10,2026-03-01,b\n"
                     b"C1,GUEST,2,2026-03-02,c\n", id="without a ref column"),
    ],
)
def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    both_ways, cli, usage_world, tmp_path, data
):
    path = write_bytes(tmp_path, data)
    first = cli("usage", "import", path)
    assert summary(first).startswith("rows read 3, imported 3, skipped as already present 0")
    before = snapshot(usage_world)
    second = cli("usage", "import", path)
    assert summary(second).startswith(
        "rows read 3, imported 0, skipped as already present 3, rejected 0")
    assert snapshot(usage_world) == before
    assert entry_count(usage_world) == 3


@pytest.mark.parametrize("remembered", [100_000, 4_000, 1_000],
                         ids=["counted in memory", "saved now and then", "saved every chunk"])
def test_a_large_file_through_the_writer_imports_once_and_then_adds_nothing(
    cli, usage_world, tmp_path, monkeypatch, remembered
):
    # Full chunks through the writer process: the second time every look-up finds its
    # refs, answers larger than a pipe holds. Half the rows have no ref, each of them
    # three times over, in different chunks: each counts as often as it appears, however
    # many of those counts are kept in memory.
    from benefit_cli.services import usage_import

    monkeypatch.setattr(usage_import, "SEPARATE_BYTES", 0)
    monkeypatch.setattr(usage_import, "_REMEMBERED", remembered)
    cli("level", "add", "C1", "GUEST", "--quantity", "100000", "--start", "2026-01-01",
        "--expires", "2026-12-31")
    lines = [f"C1,GUEST,1,2026-03-01,visit {n % 4000},{f'R{n}' if n % 2 else ''}\n"
             for n in range(12_000)]
    path = write_bytes(tmp_path, USAGE_HEADER + "".join(lines).encode())
    first = cli("usage", "import", path)
    assert summary(first).startswith("rows read 12000, imported 12000, skipped as already present 0")
    second = cli("usage", "import", path)
    assert summary(second).startswith("rows read 12000, imported 0, skipped as already present 12000")
    assert entry_count(usage_world) == 12_000


def test_identical_rows_without_refs_both_count_and_reimport_adds_nothing(
    both_ways, cli, usage_world, tmp_path
):
    row = b"C1,GUEST,1,2026-03-01,Guest at the gala\n"
    path = write_bytes(tmp_path, b"contact,type,quantity,used_on,description\n" + row + row)
    cli("usage", "import", path)
    assert used(cli) == [("C1", "GUEST", 1, "2026-03-01", "Guest at the gala")] * 2
    assert used_by_type(cli, "C1")["GUEST"] == 2
    second = cli("usage", "import", path)
    assert summary(second).startswith("rows read 2, imported 0, skipped as already present 2")
    assert entry_count(usage_world) == 2
    # A third identical row in a longer file is the only new one.
    longer = write_bytes(tmp_path, b"contact,type,quantity,used_on,description\n" + row * 3,
                         "longer.csv")
    third = cli("usage", "import", longer)
    assert summary(third).startswith("rows read 3, imported 1, skipped as already present 2")
    assert used_by_type(cli, "C1")["GUEST"] == 3


def test_a_ref_repeated_in_the_next_chunk_is_a_repeat_or_a_conflict(both_ways, cli, usage_world,
                                                                    tmp_path):
    # Chunks of three: rows 4 and 5 are in neighbouring chunks, rows 4 and 8 are not.
    head = USAGE_HEADER + b"C2,GUEST,1,2026-03-01,,\n" * 2
    same = write_bytes(tmp_path, head + b"C1,GUEST,1,2026-03-01,x,K5\n"
                       + b"C1,GUEST,1,2026-03-01,x,K5\n", "same.csv")
    result = cli("usage", "import", same)
    assert summary(result).startswith("rows read 4, imported 3, skipped as already present 1")
    assert used_by_type(cli, "C1")["GUEST"] == 1

    other = write_bytes(tmp_path, head + b"C1,GUEST,1,2026-04-01,y,K6\n"
                        + b"C1,GUEST,2,2026-04-01,y,K6\n"
                        + b"C2,GUEST,1,2026-04-01,,\n" * 2
                        + b"C1,GUEST,3,2026-04-01,y,K6\n", "other.csv")
    before = snapshot(usage_world)
    result = cli("usage", "import", other, code=1)
    assert [line.split(":")[0] for line in problems(result)] == [
        "row 5, column ref", "row 8, column ref"]
    assert snapshot(usage_world) == before


def test_a_ref_already_in_the_ledger_with_other_content_is_refused(both_ways, cli, usage_world, tmp_path):
    cli("use", "C1", "GUEST", "--on", "2026-03-01", "--ref", "K7")
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,2,2026-03-01,,K7\n")
    before = snapshot(usage_world)
    result = cli("usage", "import", path, code=1)
    [line] = problems(result)
    assert line.startswith("row 2, column ref:") and '"K7"' in line
    assert snapshot(usage_world) == before


def test_a_row_already_recorded_by_use_with_the_same_ref_and_content_is_skipped(
    cli, usage_world, tmp_path
):
    cli("use", "C1", "GUEST", "--on", "2026-03-01", "--description", "Gala", "--ref", "K8")
    path = write_bytes(tmp_path, USAGE_HEADER + b"C1,GUEST,1,2026-03-01,Gala,K8\n"
                       + b"C2,GUEST,1,2026-03-01,Gala,K9\n")
    result = cli("usage", "import", path)
    assert summary(result).startswith("rows read 2, imported 1, skipped as already present 1")
    assert used(cli) == [("C1", "GUEST", 1, "2026-03-01", "Gala"),
                         ("C2", "GUEST", 1, "2026-03-01", "Gala")]
