"""Pure rules of the ledger: idempotency by ref."""

from __future__ import annotations

import pytest

from benefit_cli.domain.idempotency import ALREADY, CONFLICT, NEW, RefUse, ref_decision


@pytest.mark.parametrize(
    ("recorded", "fingerprint", "expected"),
    [
        ([], "a", NEW),
        ([RefUse(1, "a", False)], "a", ALREADY),
        ([RefUse(1, "a", False)], "b", CONFLICT),
        # a use spread over two balances: two entries, one fingerprint
        ([RefUse(1, "a", False), RefUse(2, "a", False)], "a", ALREADY),
        # voided: the same content is still a repeat, other content may take the ref
        ([RefUse(1, "a", True)], "a", ALREADY),
        ([RefUse(1, "a", True)], "b", NEW),
        # the corrected use now stands under the ref
        ([RefUse(1, "a", True), RefUse(2, "b", False)], "b", ALREADY),
        ([RefUse(1, "a", True), RefUse(2, "b", False)], "a", CONFLICT),
    ],
)
def test_a_ref_names_one_standing_use(recorded, fingerprint, expected):
    assert ref_decision(recorded, fingerprint) == expected
