"""Text as people type it and look for it: one stored form, a forgiving search, and a
guess at what a mistyped ref or code meant.

The same name can reach the database as different code points: "Álvarez" typed on a
keyboard is composed (NFC), the same name exported by some systems is decomposed (NFD,
an "A" followed by a combining accent). Names are stored NFC, so equal names are equal
strings. A search folds both sides further — accents and case removed, so ``alvarez``
finds "Álvarez" and ``MULLER`` finds "Müller" — but never changes what is stored.

A ref or code that does not exist is most often one keystroke away from one that does
(a digit dropped, two swapped, a letter in the wrong case): ``one_edit_away`` lists those
spellings, so the store can look them up exactly through its unique index instead of
reading every ref, and ``closest`` ranks the candidates found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Letters that carry their accent as part of themselves, not as a combining mark, so
# that decomposing them leaves them unchanged; folded as a reader without them would.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "Æ": "ae",
     "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"}
)  # fmt: skip

# The combining accents of the Latin, Greek and Cyrillic scripts (the blocks of combining
# diacritical marks), as decomposition leaves them after their letters.
_ACCENTS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"

#: Characters a mistyped ref or code is tried with, besides its own.
REF_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
#: Longest key that one-edit spellings are made for: a longer one is not a mistyped ref.
LONGEST_KEY = 40


def nfc(text: str) -> str:
    """``text`` in the composed form names are stored in."""
    if text.isascii():
        return text
    import unicodedata  # a C module, loaded only for text that needs it

    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """``text`` as a search compares it: without accents, in one case, any Unicode form
    (``"Álvarez"``, ``"A\\u0301lvarez"`` and ``"ALVAREZ"`` fold alike). A search calls it
    once a contact, so ASCII takes a short way and the rest one regular expression."""
    if text.isascii():
        return text.lower()
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return re.sub(_ACCENTS, "", decomposed).casefold()  # re caches the compiled pattern


def one_edit_away(key: str, alphabet: str = REF_ALPHABET) -> Iterator[str]:
    """Every spelling one keystroke from ``key`` (a character dropped, added, changed, or two
    neighbours swapped), and ``key`` in upper and lower case. A few hundred for a ref."""
    if len(key) > LONGEST_KEY:
        return
    letters = "".join(dict.fromkeys(alphabet + key))
    yield key.upper()
    yield key.lower()
    for index in range(len(key) + 1):
        head, tail = key[:index], key[index:]
        if tail:
            yield head + tail[1:]
            if len(tail) > 1:
                yield head + tail[1] + tail[0] + tail[2:]
        for char in letters:
            yield head + char + tail
            if tail and char != tail[0]:
                yield head + char + tail[1:]


def closest(key: str, candidates: Iterable[str], most: int = 3, alike: float = 0.6) -> list[str]:
    """The candidates most like ``key`` (case aside), best first, at most ``most``; only
    those at least ``alike`` (difflib's ratio: 0.6 is "worth suggesting"; a candidate known
    to be one keystroke away is worth it whatever its ratio, as "B1" for "B3")."""
    import difflib  # only when a name was not found

    matcher = difflib.SequenceMatcher(b=key.casefold())
    scored: dict[str, float] = {}
    for candidate in candidates:
        matcher.set_seq1(candidate.casefold())
        # difflib.get_close_matches, but equals in sorted order (it puts "C2" before "C1")
        if matcher.real_quick_ratio() >= alike and matcher.quick_ratio() >= alike:
            ratio = matcher.ratio()
            if ratio >= alike:
                scored[candidate] = ratio
    return sorted(scored, key=lambda candidate: (-scored[candidate], candidate))[:most]


def did_you_mean(suggestions: list[str]) -> str:
    """``Did you mean A, B or C?`` (with a space before it), or nothing."""
    if not suggestions:
        return ""
    if len(suggestions) == 1:
        return f" Did you mean {suggestions[0]}?"
    return f" Did you mean {', '.join(suggestions[:-1])} or {suggestions[-1]}?"
