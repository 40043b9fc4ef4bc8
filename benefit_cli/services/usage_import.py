"""Importing usage from a CSV file (SPEC §4; invariants 2 and 5).

Rows are validated in file order against the ledger — contact and type exist, the type
is active, the contact may draw from a balance valid on the date, and the balance
suffices counting the earlier rows of the same file — and drawn in the consumption
order of a single ``benefit use``. The file streams through in chunks: balances live in
memory (one object per level part or allocation of the types the file names), rows do
not. Everything is written in one immediate transaction — by a second process for a
large file, overlapping the checks (db/ledger_writer.py) — so the import is all or
nothing and a kill at any moment leaves none of it. A row whose ref is already in the
ledger with the same content is skipped; a row without a ref is keyed by a hash of its
content and how many identical rows came before it in the file, so the same file
imported twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from benefit_cli.csvio.dates import DateReader
from benefit_cli.db.ledger_writer import SEPARATE_BYTES, Ledger, import_transaction, rare_collections
from benefit_cli.db.snapshot import Snapshot, database_file
from benefit_cli.db.store import Store
from benefit_cli.domain.consumption import Drawable, Overdraw, UseRow, draw_in_order, use_rows
from benefit_cli.domain.errors import CsvError
from benefit_cli.domain.idempotency import ALREADY, CONFLICT, RefUse, fingerprint, ref_decision
from benefit_cli.domain.models import BenefitType
from benefit_cli.services.balances import Drawn, balance_key, drawable_by_pairs
from benefit_cli.services.importing import CsvRow, ImportOptions, ImportSummary, Outcome, run_import
from benefit_cli.services.ledger import overdraw_message

# ``error`` is the column a rejects file adds: such a file, fixed, imports as it is.
USAGE_COLUMNS = {
    "contact": True,
    "type": True,
    "quantity": False,
    "used_on": False,
    "description": False,
    "note": False,
    "ref": False,
    "error": False,
}
_CACHED = 10_000  # distinct date and quantity texts remembered (memory stays flat)
_REMEMBERED = 100_000  # contents of rows without a ref counted in memory (about 10 MB)
_KNOWN = 100_000  # (contact, type) pairs whose balances are kept (about 37 MB)
_FEW = 10_000  # kept while few rows name a known pair
_VALUES, _CONTACT = itemgetter(1), itemgetter("contact")  # of a CsvRow
SOURCE = "import"


@dataclass(slots=True)
class _Row:
    number: int
    raw: list[str]
    contact_id: int
    benefit_type: BenefitType
    quantity: int
    used_on: dt.date
    on: str  # used_on in ISO form, as stored
    description: str | None
    note: str | None
    ref: str
    fingerprint: str
    pair: int  # pair_key(contact_id, benefit_type.id): whose balances it draws from
    repeat: bool = False  # no ref, and the same content as an earlier row of the file


class _Refused(NamedTuple):
    number: int
    raw: list[str]
    errors: list[CsvError]


class _Chunk(NamedTuple):
    rows: list[_Row | _Refused]
    recorded: Callable[[], dict[str, list[RefUse]]]  # the ledger's answer on their refs
    unknown: set[int]  # the pair_keys of its rows whose balances the import had not read
    balances: Callable[[], list[list[Any]]]  # the snapshot's answer on those


class _Occurrences:
    """How many rows of the file with the same content and no ref have been read, by
    content (60 bits of the fingerprint: should two contents ever share them, the
    second is keyed as a repeat of the first, the same again on the next import).

    The counts of the last ``_REMEMBERED`` contents stay in memory, which is all a
    usual file needs; beyond that they go to a TEMP table, so that a file of a million
    such rows does not hold them all in memory.
    """

    def __init__(self, store: Store) -> None:
        self.ledger = store.ledger
        self.seen: dict[int, int] = {}
        self.saved = False
        self.ledger.start_occurrences()

    def recall(self, fingerprints: list[str]) -> None:
        """Bring the saved counts of these contents back into memory (before ``count``)."""
        if len(self.seen) + len(fingerprints) > _REMEMBERED:
            self.ledger.save_occurrences(self.seen)
            self.seen, self.saved = {}, True
        if self.saved:  # what memory holds is newer than what was saved
            missing = set(map(_content, fingerprints)) - self.seen.keys()
            self.seen.update(self.ledger.saved_occurrences(list(missing)))

    def count(self, fingerprint: str) -> int:
        """Count one more row with this content; which one it is (1 for the first)."""
        content = _content(fingerprint)
        self.seen[content] = occurrence = self.seen.get(content, 0) + 1
        return occurrence


class _Known:
    """The balances the import has read, kept for the rows that name the same (contact,
    type) again — a member's visits are spread through a file — so that only the pairs it
    has not met are looked up. Up to ``_KNOWN`` pairs, then the others are forgotten at
    once: ``Drawn`` keeps what the import drew from each balance in any case. One object
    per balance, whichever pairs may draw from it.

    Keeping costs too (a large dict written for every pair read, then emptied): a file
    whose rows seldom name a pair again — a few uses of each of many members' many
    types — keeps only ``_FEW`` pairs until its rows name known pairs again."""

    def __init__(self) -> None:
        self.pairs: dict[int, list[Drawable]] = {}  # by pair_key
        self.balances: dict[int, Drawable] = {}  # by balance_key
        # The pairs of each chunk checked and not yet drawn, oldest first: a chunk is
        # checked (which pairs to look up decided) before the one before it is drawn, so
        # what it found known must still be known when it is drawn.
        self.pending: deque[set[int]] = deque()
        self.limit = _KNOWN
        self.named = self.met = 0  # pairs the chunks named since the last forgetting; known of them

    def unknown(self, pairs: set[int]) -> set[int]:
        """Which pairs of a chunk being checked are to be looked up: those not known."""
        self.pending.append(pairs)
        known = self.pairs
        # Not ``pairs - known.keys()``: that walks every known pair, for every chunk.
        unknown = {pair for pair in pairs if pair not in known}
        self.named += len(pairs)
        self.met += len(pairs) - len(unknown)
        return unknown

    def of(self, rows: _UsageRows, chunk: _Chunk) -> dict[int, list[Drawable]]:
        """Every pair of the chunk with its balances (the known ones and the snapshot's
        answer on the others), as a dict that may hold more pairs."""
        answer = chunk.balances()
        if len(self.pairs) >= self.limit:
            self.forget_all_but(set().union(*self.pending))
            # Fewer than one pair in five was known: keeping them did not pay.
            self.limit = _KNOWN if self.met * 5 >= self.named else min(_FEW, _KNOWN)
            self.named = self.met = 0
        self.pairs.update(
            drawable_by_pairs(rows.store, chunk.unknown, rows.before, rows.drawn, answer, self.balances)
        )
        self.pending.popleft()  # this chunk's: chunks are drawn in the order they were checked
        return self.pairs

    def forget_all_but(self, pairs: set[int]) -> None:
        """Forget every pair but ``pairs``, and every balance they do not draw from: the
        chunks checked and not yet drawn need no look-up again."""
        kept = {pair: self.pairs[pair] for pair in pairs if pair in self.pairs}
        self.pairs = kept
        self.balances = {
            balance_key(balance.level_id, balance.allocation_id): balance
            for balances in kept.values()
            for balance in balances
        }


class _SeenRefs:
    """The refs an import has had so far, in a Bloom filter of 16 MiB (three bits a ref,
    from one hash): a ref it says the import has not had, it has not, and only the ledger
    as it was before the import needs asking about it; one it may have had is asked of the
    ledger being written, which answers only once it has written what it was sent before.
    One in 100,000 of a million new refs is asked there needlessly, so most chunks of
    such a file need not wait for that answer at all. Memory stays flat however long the
    file (a longer one sends more refs the longer way, correctly still).

    The filter is blocked: a ref's three bits lie in one block of 64 bytes (one cache
    line), so a ref costs one read of memory the processor does not hold rather than
    three, for about as many false alarms; that saves a quarter of the filter's time."""

    _BLOCKS = 1 << 18  # of 64 bytes

    def __init__(self) -> None:
        self.bits = bytearray(self._BLOCKS * 64)

    def split(self, refs: Iterable[str]) -> tuple[list[str], list[str]]:
        """Count the refs in: those that may have been counted before, and those that were
        not (the loop is the Bloom filter itself, inline: an import runs it for every ref)."""
        bits, last = self.bits, self._BLOCKS - 1
        maybe: list[str] = []
        new: list[str] = []
        for ref in refs:
            code = hash(ref)
            # The block from the low 18 bits; in it, three bits from 9 bits each (a byte
            # and a bit in it).
            block = (code & last) << 6
            first, one = block + (code >> 21 & 63), 1 << (code >> 18 & 7)
            second, two = block + (code >> 30 & 63), 1 << (code >> 27 & 7)
            third, three = block + (code >> 39 & 63), 1 << (code >> 36 & 7)
            if bits[first] & one and bits[second] & two and bits[third] & three:
                maybe.append(ref)
            else:
                new.append(ref)
                bits[first] |= one
                bits[second] |= two
                bits[third] |= three
        return maybe, new


def _content(fingerprint: str) -> int:
    """The key a content is counted under: 60 bits of its fingerprint (an SQLite integer)."""
    return int(fingerprint[:15], 16)


class _UsageRows:
    """Usage rows checked against the balances and drawn in file order."""

    def __init__(
        self,
        store: Store,
        ledger: Ledger,
        snapshot: Snapshot,
        options: ImportOptions,
        dates: DateReader,
        source: str,
        repeats: _Repeats,
    ) -> None:
        from benefit_cli.csvio.quantities import parse_quantity

        self.store = store  # contacts, types, balances and names for messages
        self.ledger = ledger  # where it writes, and which alone sees its rows so far
        self.options = options
        self.source = source
        self.parse_date = dates.parse
        self.parse_quantity = parse_quantity
        # The contacts the rows name, as they come: a key that names none maps to None.
        self.contacts: dict[str, int | None] = {}
        self.types = {t.code: t for t in store.catalog.types(include_retired=True)}
        # The balances the chunk being written names, read as the ledger held them before the
        # import began with what the import drew since: what the import reads follows the
        # file, not the database, and it keeps no more than a number per balance drawn
        # from. The snapshot reads them for chunk k+1 while chunk k is drawn.
        self.snapshot = snapshot
        self.before = snapshot.before
        self.drawn = Drawn()
        self.known = _Known()
        self.seen = _SeenRefs()
        self.balances: dict[int, list[Drawable]] = {}  # of the chunk being drawn
        self.occurrences = _Occurrences(store)
        self.appended: dict[str, str] = {}
        self.today = (options.today, options.today.isoformat())
        self.days: dict[str, tuple[dt.date, str]] = {}
        self.quantities: dict[tuple[str, str], int] = {}
        self.repeats = repeats
        self.parse = self.parser()

    # -- one chunk of rows, in two steps --------------------------------------------------
    #
    # ``check`` checks a chunk and asks the ledger about its refs; ``write`` takes the
    # answer, draws and appends. The pipeline checks chunk k+1 before it writes chunk k,
    # so that a writer process (db/ledger_writer.py) inserts one chunk while this one
    # checks the next. The look-up for chunk k+1 is thus answered before chunk k is
    # appended: ``appended`` holds chunk k's refs until then.

    def check(self, rows: list[CsvRow]) -> _Chunk:
        contacts = self.contacts
        # The keys the rows name (in C: every row passes here), then those not met before.
        keys = set(map(_CONTACT, map(_VALUES, rows)))
        named = [key for key in keys if key not in contacts]
        if named:
            ids = self.store.contacts.ids(named)
            contacts.update({key: ids.get(key) for key in named})
        checked = list(map(self.parse, rows))
        good = [row for row in checked if isinstance(row, _Row)]
        pairs = {row.pair for row in good}
        unknown = self.known.unknown(pairs)
        # The longest look-up: started first.
        balances = self.snapshot.drawable(unknown) if unknown else list
        # A row without a ref is keyed by its content and which identical row it is.
        unnamed = [row for row in good if not row.ref]
        if unnamed:
            self.occurrences.recall([row.fingerprint for row in unnamed])
            for row in unnamed:
                occurrence = self.occurrences.count(row.fingerprint)
                row.ref = f"row-{row.fingerprint}" + (f"-{occurrence}" if occurrence > 1 else "")
                row.repeat = occurrence > 1
        # A ref the import has not had yet is looked up in the ledger as it was before (on
        # the snapshot's thread); one it may have had, in the ledger being written.
        mine, before = self.seen.split({row.ref for row in good})
        written = self.ledger.ask_ref_uses(mine) if mine else dict
        found = self.snapshot.ref_uses(before)
        return _Chunk(checked, lambda: {**found(), **written()}, unknown, balances)

    def write(self, chunk: _Chunk, outcome: Outcome) -> None:
        # The uses under each ref of the chunk: as the ledger answered, or — for the rows
        # of this import, newer than the answer — the fingerprint of the one use drawn.
        recorded: dict[str, list[RefUse] | str] = {**chunk.recorded(), **self.appended}
        appended: dict[str, str] = {}
        self.appended = appended
        summary = outcome.summary
        entries: list[UseRow] = []
        balances = self.balances = self.known.of(self, chunk)
        # Every row of the file runs this loop: names are bound once, outside it.
        record = self.drawn.record
        source = self.source
        imported = 0
        for row in chunk.rows:  # in file order, so rejects are too
            if not isinstance(row, _Row):
                outcome.reject(*row)
                continue
            ref = row.ref
            earlier = recorded.get(ref)
            if earlier is not None:
                uses = [RefUse(0, earlier, False)] if isinstance(earlier, str) else earlier
                decision = ref_decision(uses, row.fingerprint)
                if decision == ALREADY:
                    summary.already += 1
                    continue
                if decision == CONFLICT:
                    error = CsvError(
                        f'the ref "{ref}" was already recorded for a different use; give this row a new ref.',
                        row.number,
                        "ref",
                    )
                    outcome.reject(row.number, row.raw, [error])
                    continue
            used_on = row.used_on
            try:
                draws = draw_in_order(balances[row.pair], row.quantity, used_on)
            except Overdraw as error:
                outcome.reject(row.number, row.raw, [self.overdraw(row, error)])
                continue
            for draw in draws:
                record(draw.balance, used_on, draw.quantity)
            entries += use_rows(
                draws, row.contact_id, row.on, row.description, row.note, source, ref, row.fingerprint
            )
            # Later rows of this chunk and of the next see this one.
            recorded[ref] = appended[ref] = row.fingerprint
            imported += 1
            if row.repeat:
                self.repeats.append(row.number)
        summary.imported += imported
        self.ledger.append_uses(entries)
        summary.count("entries", len(entries))

    def parser(self) -> Callable[[CsvRow], _Row | _Refused]:
        """``parse``: a row checked and converted, or why it is refused.

        Every row runs it, so the common case reads the caches and goes straight on, with
        what it reads bound once here rather than looked up on ``self`` for each row (the
        caches are cleared in place, never replaced); a row that fails any of it is
        checked again by ``problems`` for the messages.
        """
        contacts, types = self.contacts.get, self.types.get
        days, quantities = self.days.get, self.quantities.get
        read_day, read_quantity, problems, today = self.day, self.quantity, self.problems, self.today

        def parse(record: CsvRow) -> _Row | _Refused:
            number, values, raw = record
            contact_id = contacts(values["contact"])
            benefit_type = types(values["type"].upper())
            date_text = values.get("used_on")
            day = (days(date_text) or read_day(date_text)) if date_text else today
            quantity = None
            if benefit_type is not None:
                key = (values.get("quantity") or "1", benefit_type.unit)
                quantity = quantities(key) or read_quantity(*key)
            if (
                benefit_type is None
                or not benefit_type.active
                or contact_id is None
                or quantity is None
                or day is None
            ):
                errors = problems(number, values)
                assert errors, "problems() must name whatever the checks above refused"
                return _Refused(number, raw, errors)
            used_on, on = day
            description = values.get("description") or None
            note = values.get("note") or None
            type_id = benefit_type.id
            return _Row(
                number,
                raw,
                contact_id,
                benefit_type,
                quantity,
                used_on,
                on,
                description,
                note,
                values.get("ref") or "",  # or, set by check, one from the content
                fingerprint(contact_id, type_id, quantity, on, description, note),
                contact_id << 32 | type_id,  # pair_key's, without a call for every row
            )

        return parse

    def day(self, text: str) -> tuple[dt.date, str] | None:
        """``(date, ISO text)`` of a date cell, or None if it is not a date (a file holds a
        few hundred distinct dates: they are cached)."""
        try:
            used_on = self.parse_date(text)
        except ValueError:
            return None
        if len(self.days) >= _CACHED:
            self.days.clear()
        day = self.days[text] = (used_on, used_on.isoformat())
        return day

    def quantity(self, text: str, unit: str) -> int | None:
        try:
            value = self.parse_quantity(text, unit)
        except ValueError:
            return None
        if len(self.quantities) >= _CACHED:
            self.quantities.clear()
        self.quantities[text, unit] = value
        return value

    def problems(self, number: int, values: dict[str, str]) -> list[CsvError]:
        """Everything wrong with a row, each with its column."""
        errors = []
        if self.contacts.get(values["contact"]) is None:
            what = f'no contact "{values["contact"]}"' if values["contact"] else "the contact is missing"
            errors.append(CsvError(f"{what}; check the ref or import the contact first.", number, "contact"))
        code = values["type"].upper()
        benefit_type = self.types.get(code)
        if benefit_type is None:
            what = f'no benefit type "{values["type"]}"' if code else "the type is missing"
            errors.append(CsvError(f"{what}; see: benefit type list.", number, "type"))
        elif not benefit_type.active:
            errors.append(
                CsvError(f'the benefit type "{code}" is retired and can no longer be used.', number, "type")
            )
        if benefit_type is not None:
            try:
                self.parse_quantity(values.get("quantity") or "1", benefit_type.unit)
            except ValueError as exc:
                errors.append(CsvError(str(exc), number, "quantity"))
        if values.get("used_on"):
            try:
                self.parse_date(values["used_on"])
            except ValueError as exc:
                errors.append(CsvError(str(exc), number, "used_on"))
        return errors

    def overdraw(self, row: _Row, error: Overdraw) -> CsvError:
        """Why the row cannot be drawn: the balances it may use do not hold enough."""
        balances = self.balances[row.pair]
        contact = self.store.contacts.by_id(row.contact_id)
        column = "quantity" if any(b.valid_on(row.used_on) for b in balances) else "used_on"
        message = overdraw_message(contact, row.benefit_type, row.quantity, row.used_on, error, balances)
        return CsvError(_sentence(message), row.number, column)


class _Repeats:
    """The rows taken as another use although they repeat an earlier row of the file and
    have no ref: two real visits, or a line copied twice; the summary says which."""

    SHOWN = 5

    def __init__(self) -> None:
        self.count = 0
        self.first: list[int] = []

    def append(self, number: int) -> None:
        self.count += 1
        if len(self.first) < self.SHOWN:
            self.first.append(number)

    def note(self, written: bool) -> str | None:
        """A clause for the summary, e.g. ``2 rows repeat an earlier row with no ref (rows 4
        and 7), each recorded as another use``; None if no row did."""
        if not self.count:
            return None
        numbers = [str(number) for number in self.first]
        if self.count > len(numbers):
            numbers.append(f"{self.count - len(numbers)} more")
        listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
        where = f"row {listed}" if self.count == 1 else f"rows {listed}"
        done = "recorded" if written else "to be recorded"
        if self.count == 1:
            return f"1 row repeats an earlier row with no ref ({where}), {done} as another use"
        return f"{self.count} rows repeat an earlier row with no ref ({where}), each {done} as another use"


def _sentence(message: str) -> str:
    """An overdraw message as the reason of a row: it already names contact and date."""
    return message[0].lower() + message[1:]


def import_usage(
    store: Store,
    path: Path,
    options: ImportOptions,
    progress: Callable[[int, int], None] | None = None,
    source: str = SOURCE,
) -> ImportSummary:
    """Import the file. Bad rows leave nothing written unless ``on_error='skip'``;
    ``summary.written`` says whether anything was. ``progress(bytes_read, total_bytes)``
    is called after each chunk."""

    repeats = _Repeats()

    @contextmanager
    def transaction(dates: DateReader) -> Iterator[_UsageRows]:
        with import_transaction(store.conn, separate=path.stat().st_size >= SEPARATE_BYTES) as ledger:
            # The ledger as the import found it, once it holds the write lock: what its
            # balances are read from (its own rows are counted as it draws them).
            snapshot = Snapshot(database_file(store.conn), store.balances.last_entry_id())
            try:
                yield _UsageRows(store, ledger, snapshot, options, dates, source, repeats)
            finally:
                snapshot.close()

    with rare_collections(), _prompt_snapshot():
        summary = run_import(path, USAGE_COLUMNS, transaction, options, progress)
    note = repeats.note(summary.written)
    if note:
        summary.notes.append(note)
    return summary


@contextmanager
def _prompt_snapshot() -> Iterator[None]:
    """The snapshot's thread needs the interpreter's lock for a moment before and after
    each look-up; by default it waits up to 5 ms for the busy import thread to let go of
    it, twice a chunk, and the chunk's balances arrive late. Half a millisecond, for the
    import."""
    import sys

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
