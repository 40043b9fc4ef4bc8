"""Read CSV files exported from spreadsheets, one row at a time, with spreadsheet row numbers.

``open_csv`` checks the header against the columns a command reads, then ``rows()`` streams
the data rows as ``(row_number, values, raw)``. Row numbers are the ones a spreadsheet
shows: the header is row 1, a record with a quoted newline is one row, and blank rows are
counted but never yielded. Every problem in the file becomes a ``CsvError`` that names the
row (and column when known) and says how to fix it. Memory does not grow with the file.

The reader is strict where a lenient reading would store something else than the sheet
shows: a row with fewer or more cells than the header, a NUL character in a cell, or an
Excel workbook renamed to ``.csv`` is refused. Text is what a person would type: cells are
NFC-normalised (a name exported in decomposed Unicode matches one typed on a keyboard), and
header cells lose invisible characters (zero-width spaces, byte-order marks, bidi marks).
Rows that are plain ASCII, which is nearly all of them, skip that work after one check.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata  # a C module (0.2 ms); only import commands load this one
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import cast

from benefit_cli.domain.errors import CsvError, UsageError

__all__ = ["CsvSource", "Row", "column_letter", "normalize_header", "open_csv"]

#: One data row: its spreadsheet row number, the stripped NFC values of the known columns
#: (keyed by canonical name, '' when empty) and the row's original cells.
Row = tuple[int, dict[str, str], list[str]]

_SEPARATOR_RUNS = re.compile(r"[\s_\-]+")
_DELIMITER_NAMES = {
    ",": ",",
    "comma": ",",
    ";": ";",
    "semicolon": ";",
    "\t": "\t",
    "\\t": "\t",
    "tab": "\t",
}
_DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Every ZIP file starts so: an .xlsx workbook, and a LibreOffice .ods one, whose first member
# is the file "mimetype" (its name at byte 30).
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"
# An Office 97-2003 file (.xls) is an OLE2 compound document.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def normalize_header(name: str) -> str:
    """Return the canonical spelling of a header cell: "Used On", "USED-ON" -> "used_on".

    Invisible format characters (zero-width spaces and joiners, word joiners, byte-order
    marks, bidi marks) are dropped wherever they are, and any Unicode space (e.g. NBSP)
    counts as a space, so a header cell that looks right is read as it looks.
    """
    if not name.isascii():
        name = unicodedata.normalize(
            "NFC", "".join(char for char in name if unicodedata.category(char) != "Cf")
        )
    return _SEPARATOR_RUNS.sub("_", name.strip().lower())


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column position: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _resolve_delimiter(delimiter: str) -> str:
    resolved = _DELIMITER_NAMES.get(delimiter) or _DELIMITER_NAMES.get(delimiter.strip().lower())
    if resolved is None and len(delimiter) == 1 and not delimiter.isalnum():
        if delimiter not in '"\r\n ':
            resolved = delimiter  # any other single punctuation mark, e.g. '|'
    if resolved is None:
        raise UsageError(
            f"'{delimiter}' is not a delimiter this command can use; give --delimiter ',' or ';' or tab."
        )
    return resolved


def _sniff_delimiter(line: str) -> str:
    """Pick ',', ';' or tab: whichever appears most often outside quotes (ties: that order)."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts.values())
    if best == 0:
        return ","
    return next(d for d, n in counts.items() if n == best)


def _cannot_open(path: str | os.PathLike[str], error: OSError) -> CsvError:
    if isinstance(error, FileNotFoundError):
        return CsvError(f"the file '{os.fspath(path)}' does not exist; check its name and folder.")
    reason = error.strerror or str(error)
    return CsvError(
        f"the file '{os.fspath(path)}' cannot be opened ({reason}); check that it is a file "
        "you are allowed to read."
    )


def _open_text(path: str | os.PathLike[str], encoding: str) -> io.TextIOWrapper:
    try:
        return open(path, encoding=encoding, newline="")  # noqa: SIM115 - CsvSource closes it
    except OSError as error:
        raise _cannot_open(path, error) from None


def _first_bytes(path: str | os.PathLike[str]) -> bytes:
    try:
        with open(path, "rb") as probe:
            return probe.read(len(_ODS_MIMETYPE) + 30)
    except OSError as error:
        raise _cannot_open(path, error) from None


def _refuse_workbook(path: str | os.PathLike[str], start: bytes) -> None:
    """A spreadsheet saved in its own format and renamed (or mis-picked) is not a CSV file.

    Said as such, since "not UTF-8" would send the user looking for an encoding."""
    shown = os.fspath(path)
    if start.startswith(_ZIP_MAGIC) and start[30:] == _ODS_MIMETYPE:
        raise CsvError(
            f'"{shown}" is a LibreOffice spreadsheet, not a CSV file; in LibreOffice choose '
            'File > Save As, file type "Text CSV (.csv)", character set "Unicode (UTF-8)", '
            "and import that file."
        )
    if start.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
        raise CsvError(
            f'"{shown}" is an Excel workbook, not a CSV file; in Excel choose File > Save As > '
            '"CSV UTF-8 (Comma delimited)" and import that file.'
        )


def _resolve_encoding(encoding: str | None, path: str | os.PathLike[str], start: bytes) -> str:
    if encoding is None:
        # Excel's "Unicode text" export is UTF-16 with a BOM; anything else defaults to UTF-8.
        return "utf-16" if start[:2] in _UTF16_BOMS else "utf-8-sig"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise UsageError(
            f"'{encoding}' is not an encoding this program knows; "
            "give e.g. --encoding utf-8 or --encoding cp1252."
        ) from None
    # A BOM must never end up glued to the first column name.
    return "utf-8-sig" if name == "utf-8" else name


def _csv_error(error: csv.Error, row: int, delimiter: str) -> CsvError:
    text = str(error)
    if "unexpected end of data" in text or "field larger than field limit" in text:
        return CsvError(
            'a quote (") opened in this row is never closed, so the rest of the file '
            "runs into one cell; add the closing quote, or double a quote that is part "
            'of the text ("").',
            row=row,
        )
    if "expected after" in text:
        word = _DELIMITER_WORDS.get(delimiter, repr(delimiter))
        return CsvError(
            f'a quoted cell has more text after its closing quote ("); put the whole cell '
            f'in quotes and double the quotes inside it (""), or end it at a {word}.',
            row=row,
        )
    return CsvError(f"the row cannot be read as CSV ({text}); export the sheet again as CSV.", row)


class CsvSource:
    """An open CSV file whose header has been checked; iterate it with ``rows()``.

    Use ``open_csv`` to make one, preferably in a ``with`` block (it closes the file).
    """

    header: list[str]
    fieldnames: list[str | None]
    delimiter: str
    encoding: str

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        columns: Mapping[str, bool],
        encoding: str | None = None,
        delimiter: str | None = None,
        ignore_extra: bool = False,
    ) -> None:
        self.path = path
        start = _first_bytes(path)
        _refuse_workbook(path, start)
        self.encoding = _resolve_encoding(encoding, path, start)
        self._encoding_given = encoding is not None
        self.ignore_extra = ignore_extra
        self._started = False
        self._file: io.TextIOWrapper = _open_text(path, self.encoding)
        try:
            self.delimiter = _resolve_delimiter(delimiter) if delimiter is not None else self._sniff()
            self._reader = csv.reader(self._file, delimiter=self.delimiter, strict=True)
            self._row = 0
            self._read_header(columns)
        except BaseException:
            self._file.close()
            raise

    # -- opening -------------------------------------------------------------------------

    def _sniff(self) -> str:
        try:
            first = self._file.readline()
        except UnicodeDecodeError as error:
            raise self._decode_error(error, None) from None
        self._file.seek(0)
        return _sniff_delimiter(first)

    def _next_record(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except csv.Error as error:
            raise _csv_error(error, self._row + 1, self.delimiter) from None
        except UnicodeDecodeError as error:
            raise self._decode_error(error, self.delimiter) from None

    def _read_header(self, columns: Mapping[str, bool]) -> None:
        expected = ", ".join(name if required else f"{name} (optional)" for name, required in columns.items())
        record = self._next_record()
        self._row += 1
        # Leading blank rows are tolerated; the header is the first row with text in it.
        while record is not None and not any(cell.strip() for cell in record):
            record = self._next_record()
            self._row += 1
        if record is None:
            raise CsvError(
                f"the file is empty; it needs a header row naming the columns: {expected}.",
                row=1,
            )
        self.header = record
        header_row = self._row
        self._refuse_nul(record, header_row, header=True)
        # A trailing empty header cell is common (a stray delimiter at the end of the line).
        while record and not record[-1].strip():
            record = record[:-1]

        canonical = {normalize_header(name): name for name in columns}
        fieldnames: list[str | None] = []
        seen: dict[str, int] = {}
        unknown: list[str] = []
        for position, cell in enumerate(record):
            key = normalize_header(cell)
            if not key:
                fieldnames.append(None)  # unnamed: its cells must stay empty (checked per row)
                continue
            if key in seen:
                first = seen[key]
                raise CsvError(
                    f"the column '{cell.strip()}' appears twice (also column "
                    f"{column_letter(first)}, '{self.header[first].strip()}'); "
                    "delete or rename one of them.",
                    row=header_row,
                    column=cell.strip(),
                )
            seen[key] = position
            name = canonical.get(key)
            if name is None:
                unknown.append(cell.strip())
            fieldnames.append(name)
        if unknown and not self.ignore_extra:
            listed = ", ".join(f"'{name}'" for name in unknown)
            noun = "column" if len(unknown) == 1 else "columns"
            raise CsvError(
                f"unknown {noun} {listed}; the columns this file can have are: {expected}. "
                f"Fix the {noun} name, delete the {noun}, or add --ignore-extra to skip it.",
                row=header_row,
                column=unknown[0],
            )
        for name, required in columns.items():
            if required and name not in fieldnames:
                raise CsvError(
                    f"the required column '{name}' is missing; the header must name the columns: {expected}.",
                    row=header_row,
                    column=name,
                )
        self.fieldnames = fieldnames + [None] * (len(self.header) - len(fieldnames))
        self._width = len(self.header)
        self._names = [n for n in self.fieldnames if n is not None]
        # A short row may lack only cells of unnamed columns (a header ending in a stray
        # delimiter): nothing is lost. The last named column is the one it must reach.
        self._needed = max((i + 1 for i, cell in enumerate(self.header) if normalize_header(cell)), default=0)
        self._build = _values_builder([(i, n) for i, n in enumerate(self.fieldnames) if n])
        # Unknown named columns were refused above unless ignored, so any unnamed column
        # left here is one with an empty header cell: its cells must stay empty.
        self._unnamed = [] if self.ignore_extra else [i for i, n in enumerate(self.fieldnames) if n is None]

    # -- reading -------------------------------------------------------------------------

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got, in bytes (for a progress bar)."""
        return cast(io.BufferedReader, self._file.buffer).tell()

    def rows(self) -> Iterator[Row]:
        """Yield ``(row_number, values, raw)`` for each non-blank data row, streaming.

        ``values`` maps every known column present in the header to its stripped text,
        NFC-normalised; ``raw`` is the row's original cells. A row with a NUL character,
        with a cell missing for a named column, or with extra non-empty cells raises
        ``CsvError`` (after the rows before it were yielded). May be called once per source.
        """
        if self._started:
            raise RuntimeError("rows() can only be iterated once per CsvSource")
        self._started = True
        build = self._build
        fast = bool(self._names) and not self._unnamed
        first = self._names[0] if self._names else ""
        row = self._row
        width = self._width
        strip = str.strip
        join = "".join
        try:
            for record in self._reader:
                row += 1
                # One join answers for every cell at once (about 0.1 us a row): an ASCII
                # row needs no normalising, and a NUL needs finding and refusing.
                if fast and len(record) == width and (line := join(record)).isascii() and "\0" not in line:
                    values = build(record)
                    # values[first] first: a cheap short cut past the blank-row test.
                    if values[first] or any(map(strip, record)):
                        yield row, values, record
                else:
                    other = self._irregular(row, record)
                    if other is not None:
                        yield row, other, record
        except csv.Error as error:
            raise _csv_error(error, row + 1, self.delimiter) from None
        except UnicodeDecodeError as error:
            raise self._decode_error(error, self.delimiter) from None

    def _irregular(self, row: int, record: list[str]) -> dict[str, str] | None:
        """Values of a row that is not a plain full-width ASCII row; None for a blank row."""
        width = self._width
        if not any(map(str.strip, record)):
            return None
        if len(record) > width:
            extra = record[width:]
            if any(map(str.strip, extra)):
                raise CsvError(
                    f"the row has {len(record)} cells but the header has {width} columns; "
                    "delete the extra cells, or put quotes around a value that contains a "
                    f"{self._delimiter_word}.",
                    row=row,
                    column=column_letter(width),
                )
            record = record[:width]
        elif len(record) < self._needed:
            self._refuse_short(row, record)
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        text = "".join(record)
        if "\0" in text:
            self._refuse_nul(record, row)
        # A row that is NFC as a whole has every cell NFC: a cell's own characters decide.
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            normalize = unicodedata.normalize
            record = [cell if cell.isascii() else normalize("NFC", cell) for cell in record]
        for index in self._unnamed:
            if record[index].strip():
                raise CsvError(
                    "this cell has a value but its column has no name on the header row; "
                    "add a column name, delete the value, or add --ignore-extra to skip it.",
                    row=row,
                    column=column_letter(index),
                )
        return self._build(record)

    @property
    def _delimiter_word(self) -> str:
        return _DELIMITER_WORDS.get(self.delimiter, repr(self.delimiter))

    def _refuse_short(self, row: int, record: list[str]) -> None:
        """A row with cells missing is refused: whatever cut it short may have shifted it."""
        missing = [
            f"'{self.fieldnames[index] or self.header[index].strip()}'"
            for index in range(len(record), self._needed)
            if normalize_header(self.header[index])
        ]
        if len(missing) == 1:
            lacking = f"column {missing[0]} has no cell; add the missing cell"
        else:
            lacking = f"columns {', '.join(missing)} have no cells; add the missing cells"
        cells = "1 cell" if len(record) == 1 else f"{len(record)} cells"
        raise CsvError(
            f"the row has {cells} but the header has {self._width} columns, so {lacking} "
            f"(an empty cell still needs its {self._delimiter_word}).",
            row=row,
            column=column_letter(len(record)),
        )

    def _refuse_nul(self, record: list[str], row: int, header: bool = False) -> None:
        """A NUL character is never text a person typed: the file is damaged or binary."""
        for index, cell in enumerate(record):
            if "\0" in cell:
                name = None if header or index >= len(self.fieldnames) else self.fieldnames[index]
                raise CsvError(
                    "the cell holds a NUL character (a zero byte), which is never part of text, so "
                    "the file is damaged or not a CSV file; delete the character, or export the "
                    "sheet again as CSV.",
                    row=row,
                    column=name or column_letter(index),
                )

    def _decode_error(self, error: UnicodeDecodeError, delimiter: str | None) -> CsvError:
        """Find the row and column of the first byte that cannot be decoded.

        Decoding is done in chunks, so the error does not say where the byte is; this
        re-reads the file (rare, cold path) with the bad bytes kept as surrogates.
        """
        row: int | None = None
        column: str | None = None
        bad = error.object[error.start : error.start + 1]
        try:
            with open(self.path, encoding=self.encoding, errors="surrogateescape", newline="") as again:
                if delimiter is None:
                    delimiter = _sniff_delimiter(again.readline())
                    again.seek(0)
                header: list[str] | None = None
                for number, record in enumerate(csv.reader(again, delimiter=delimiter), 1):
                    found = _first_surrogate(record)
                    if found is not None:
                        index, byte = found
                        row, bad = number, bytes([byte])
                        name = header[index].strip() if header and index < len(header) else ""
                        column = name or column_letter(index)
                        break
                    if header is None and any(cell.strip() for cell in record):
                        header = record
        except (csv.Error, UnicodeError, OSError):
            pass
        shown = f"0x{bad.hex()}" if bad else "a byte"
        if self._encoding_given and self.encoding != "utf-8-sig":
            message = (
                f"the file cannot be read as {self.encoding} (byte {shown} is not valid there); "
                "give its real encoding, e.g. --encoding utf-8."
            )
        else:
            message = (
                f"the file is not UTF-8 (byte {shown} cannot be read); save it as UTF-8 "
                "or give its encoding, e.g. --encoding cp1252."
            )
        return CsvError(message, row=row, column=column)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CsvSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"CsvSource({os.fspath(self.path)!r}, delimiter={self.delimiter!r})"


def _values_builder(named: list[tuple[int, str]]) -> Callable[[list[str]], dict[str, str]]:
    """Return a function: record -> {name: record[i].strip(), ...} for the named positions.

    It is generated as one dict display because that is about twice as fast per row as
    ``dict(zip(names, map(str.strip, record)))``, which is the bulk of the cost of a
    million-row import. The names come from the program's own column list, never from the
    file, and are written with repr().
    """
    body = ", ".join(f"{name!r}: record[{index}].strip()" for index, name in named)
    return cast(
        "Callable[[list[str]], dict[str, str]]",
        eval(f"lambda record: {{{body}}}", {"__builtins__": {}}),  # noqa: S307
    )


def _first_surrogate(record: list[str]) -> tuple[int, int] | None:
    """Position and original byte of the first undecodable byte in a record, if any."""
    for index, cell in enumerate(record):
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError as error:
            return index, ord(cell[error.start]) - 0xDC00
    return None


def open_csv(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, bool],
    encoding: str | None = None,
    delimiter: str | None = None,
    ignore_extra: bool = False,
) -> CsvSource:
    """Open a CSV file and check its header; raises ``CsvError`` for a bad header.

    ``columns`` maps each canonical column name to whether it is required. ``encoding``
    defaults to UTF-8 (with or without BOM); ``delimiter`` is sniffed from the header unless
    given (',', ';', 'tab' or '\\t').
    """
    return CsvSource(path, columns=columns, encoding=encoding, delimiter=delimiter, ignore_extra=ignore_extra)
