"""domain/text.py: one stored form for names, a folded form to search them, and the guesses
behind "did you mean ...?"."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefit_cli.domain.text import closest, did_you_mean, fold, nfc, one_edit_away


@given(st.text())
def test_fold_does_not_depend_on_the_unicode_form(text: str) -> None:
    forms = {unicodedata.normalize(form, text) for form in ("NFC", "NFD")}
    assert len({fold(form) for form in forms}) == 1


@given(st.text())
def test_a_folded_text_is_found_in_itself_folded_again(text: str) -> None:
    assert fold(text) in fold(f"x{text}y")


@pytest.mark.parametrize(("text", "folded"), [
    ("Álvarez", "alvarez"), ("MÜLLER", "muller"), ("Søren", "soren"), ("Łukasz", "lukasz"),
    ("Straße", "strasse"), ("Æsir", "aesir"), ("Zoë", "zoe"), ("100% _x", "100% _x"), ("ÇA", "ca"),
])
def test_fold_removes_accents_and_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_nfc_composes_and_leaves_ascii_alone() -> None:
    assert nfc(unicodedata.normalize("NFD", "José")) == "José"
    assert nfc("Ann") == "Ann"


@pytest.mark.parametrize(("typed", "meant"), [
    ("C00116", "C000116"),     # a digit dropped
    ("C0000116", "C000116"),   # one too many
    ("C000161", "C000116"),    # two swapped
    ("C000117", "C000116"),    # one wrong
    ("c000116", "C000116"),    # lower case
])
def test_one_edit_away_reaches_the_meant_ref(typed: str, meant: str) -> None:
    assert meant in set(one_edit_away(typed))


def test_one_edit_away_is_bounded() -> None:
    assert len(set(one_edit_away("C000116"))) < 1000
    assert list(one_edit_away("x" * 41)) == []


def test_closest_ranks_the_most_alike_first_and_keeps_ties_in_order() -> None:
    assert closest("GUESTPAS", ["ROOM", "GUESTPASS", "GUEST"]) == ["GUESTPASS", "GUEST"]
    assert closest("C9", ["C2", "C1"], alike=0) == ["C1", "C2"]
    assert closest("ZZZ", ["ROOM", "GUEST"]) == []
    assert closest("room", ["ROOM"]) == ["ROOM"]


@pytest.mark.parametrize(("found", "said"), [
    ([], ""), (["A"], " Did you mean A?"), (["A", "B"], " Did you mean A or B?"),
    (["A", "B", "C"], " Did you mean A, B or C?"),
])
def test_did_you_mean_reads_as_a_sentence(found: list[str], said: str) -> None:
    assert did_you_mean(found) == said
