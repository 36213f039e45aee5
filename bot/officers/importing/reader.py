"""Read a resident list (.xlsx or .csv) row by row into `ResidentRow`s and `RowError`s.

Decisions, so officers get what they expect:

- Nothing is dropped silently: every data row yields a `ResidentRow` or a `RowError`;
  blank rows are only counted (`blank_rows`). A row is blank when all its *recognised*
  columns are empty: a template row holding only its STT number is not a resident. A
  column-numbering row right under the header ("(1) (2) (3)…") is skipped with a warning.
- Required per row: full name, expiry date, and a BHXH number (or card code) or a CCCD.
  A bad value in any of them, or a BHXH number that disagrees with the card code, or a
  BHXH number / CCCD already seen on an earlier *accepted* row, makes the row a `RowError`.
- A recognised cell longer than 255 characters makes its row a `RowError` (no value of a
  list is that long; a damaged or crafted file is), and rejected rows keep at most 255
  characters of each cell.
- With `ImportLimits`, a file larger uncompressed than `max_bytes` is refused before it is
  read (`ListTooLarge`), and reading stops before the data row past `max_rows`:
  `stopped_after` is then the last row read, every row up to it counted as usual.
- Optional values (phone, birth date, gender, household code, commune, village) never
  reject a row: a bad one is left empty (None or "") and reported in `warnings`.
- Row numbers are the ones Excel shows: sheet rows for .xlsx, record numbers for .csv.
- .xlsx is opened with openpyxl `read_only=True, data_only=True`: formulas give Excel's
  cached value; a formula never calculated (file written by a program, not saved by Excel)
  comes back empty, so the row reports the value as missing, mentioning formulas.
- The first sheet whose first 10 rows hold a recognisable header is read.
- CSV encodings are tried in order: UTF-16 with BOM (Excel "Unicode Text"), UTF-8 with BOM,
  UTF-8, Windows-1258, Windows-1252; text is NFC-normalised (cp1258 yields combining tone
  marks). The delimiter (comma, semicolon, tab) is the one whose header row recognises the
  most columns. Legacy TCVN3/VNI font encodings are not detected (they read as cp1258 junk).
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path
from types import TracebackType
from typing import IO

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from bot.core.phones import normalise_phone, phone_problem
from bot.core.places import display_place, place_key
from bot.core.registry import ResidentRow
from bot.officers.importing.columns import (
    FIELD_LABELS,
    HEADER_SEARCH_ROWS,
    ColumnMap,
    MissingColumns,
    find_header,
)
from bot.officers.importing.limits import ImportLimits, check_size
from bot.officers.importing.values import (
    BadValue,
    cell_text,
    clean_name,
    clean_text,
    is_blank,
    parse_bhxh,
    parse_birth,
    parse_expiry,
    parse_gender,
    parse_id_number,
)
from bot.reasons import Reason, Refused

__all__ = [
    "CSV_EXTENSIONS",
    "EXCEL_EXTENSIONS",
    "MAX_CELL_CHARS",
    "ImportParse",
    "RowError",
    "RowWarning",
    "UnsupportedFile",
    "detect_encoding",
    "read_residents",
]

EXCEL_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
CSV_EXTENSIONS = frozenset({".csv", ".tsv", ".txt"})
DELIMITERS = (",", ";", "\t")
MAX_HOUSEHOLD_CODE = 50
MAX_CELL_CHARS = 255
_SAMPLE_LINES = 50
_CHECK_CHUNK = 1 << 20
_PHONE_SPLIT = re.compile(r"[,;/\n]| - ")
_NUMBERING_CELL = re.compile(r"\(?\d{1,2}\)?|\(?[A-Za-z]\)?")
_PHONE_PROBLEMS = frozenset({"letters", "too_short", "too_long", "not_vietnamese", "invalid"})
"""Phone problems with a label `import.phone.<problem>`."""

Cell = object
Rows = Iterator[tuple[int, Sequence[Cell]]]


class UnsupportedFile(Refused):
    """The file is not a list Loa can read: wrong type, damaged, unknown encoding.

    The reasons are the labels `import.file.*`.
    """


@dataclass(frozen=True, slots=True)
class RowError:
    """A data row that cannot be imported: the reason (labels `import.row.*`), cells as text.

    `raw` has at least as many cells as the header row, so it lines up with `headers`.
    """

    row_number: int
    reason: Reason
    raw: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RowWarning:
    """Something left out of an accepted row (e.g. an invalid phone number; `import.warn.*`)."""

    row_number: int
    reason: Reason


@dataclass(slots=True)
class _Source:
    """An opened list: where its header is and an iterator over the rows after it."""

    rows: Rows
    columns: ColumnMap
    header_row: int
    close: Callable[[], None]
    is_excel: bool
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(slots=True)
class _Seen:
    """Identifiers of accepted rows, as ints to keep a million rows small in memory."""

    bhxh: dict[int, int] = field(default_factory=dict)
    ids: dict[int, int] = field(default_factory=dict)


class ImportParse:
    """The parse of one list: iterate once to get rows; counters fill in while iterating.

    Use as a context manager (or call `close`) to release the file if iteration stops early.
    """

    def __init__(self, source: _Source, *, today: date, max_rows: int | None = None) -> None:
        self._source = source
        self._today = today
        self._max_rows = max_rows
        self._seen = _Seen()
        self._places: dict[str, tuple[str, str]] = {}
        self._started = False
        self.columns: dict[str, int] = dict(source.columns.columns)
        # Every field, -1 when the list has no such column.
        self._indexes = {name: self.columns.get(name, -1) for name in FIELD_LABELS}
        self.headers: tuple[str, ...] = source.columns.headers
        self.header_row = source.header_row
        self.sheet = source.sheet
        self.encoding = source.encoding
        self.delimiter = source.delimiter
        self.blank_rows = 0
        self.warnings: list[RowWarning] = []
        self.stopped_after: int | None = None  # the last row read, when `max_rows` stopped it

    def __iter__(self) -> Iterator[ResidentRow | RowError]:
        """Yield each data row's outcome in file order (only once per parse)."""
        if self._started:
            raise RuntimeError("an ImportParse can be iterated only once")
        self._started = True
        return self._outcomes()

    def __enter__(self) -> ImportParse:
        """Return self; the file is closed on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the file."""
        self.close()

    def close(self) -> None:
        """Release the underlying file."""
        self._source.close()

    def _outcomes(self) -> Iterator[ResidentRow | RowError]:
        """Parse rows lazily, closing the file at the end."""
        indexes = sorted(set(self.columns.values()))
        left = self._max_rows
        try:
            first = True
            last_row = self.header_row
            for row_number, cells in self._source.rows:
                width = len(cells)
                if all(i >= width or is_blank(cells[i]) for i in indexes):
                    self.blank_rows += 1
                    last_row = row_number
                    continue
                if left is not None:
                    if left == 0:
                        self.stopped_after = last_row
                        return
                    left -= 1
                last_row = row_number
                if first and _is_numbering_row(cells):
                    self._warn(row_number, Reason("import.warn.numbering"))
                    first = False
                    continue
                first = False
                yield self._parse_row(row_number, cells)
        finally:
            self.close()

    def _warn(self, row_number: int, reason: Reason) -> None:
        """Record a warning for a row."""
        self.warnings.append(RowWarning(row_number, reason))

    def _parse_row(self, row_number: int, cells: Sequence[Cell]) -> ResidentRow | RowError:
        """Turn one non-blank row into a ResidentRow or a RowError."""
        width = len(cells)
        at = self._indexes
        values = {name: cells[i] if 0 <= i < width else None for name, i in at.items()}
        if too_long := self._too_long(values):
            return RowError(row_number, too_long, self._raw(cells))
        problems: list[Reason] = []
        missing = self._source.is_excel  # a blank cell may be a formula not yet computed

        full_name = ""
        name_cell = values["full_name"]
        if is_blank(name_cell):
            problems.append(Reason("import.row.no_name", excel=missing))
        else:
            try:
                full_name = clean_name(name_cell)
            except BadValue as error:
                problems.append(Reason("import.row.bad_name", why=error.reason))

        expiry: date | None = None
        expiry_cell = values["expiry_date"]
        if is_blank(expiry_cell):
            problems.append(Reason("import.row.no_expiry", excel=missing))
        else:
            try:
                expiry = parse_expiry(expiry_cell, today=self._today)
            except BadValue as error:
                problems.append(Reason("import.row.bad_expiry", why=error.reason))

        bhxh, card, id_number = self._identifiers(values, problems, missing)

        if problems:
            why = Reason("import.row.problems", problems=problems)
            return RowError(row_number, why, self._raw(cells))
        duplicate = self._duplicate(bhxh, id_number)
        if duplicate:
            return RowError(row_number, duplicate, self._raw(cells))
        self._remember(row_number, bhxh, id_number)
        assert expiry is not None  # no problems means the expiry parsed

        birth_date, birth_year = self._birth(row_number, values["birth_date"], values["birth_year"])
        commune, commune_key = self._place(row_number, values["commune"], "commune")
        village, village_key = self._place(row_number, values["village"], "village")
        return ResidentRow(
            row_number=row_number,
            full_name=full_name,
            birth_date=birth_date,
            birth_year=birth_year,
            bhxh_number=bhxh,
            card_code=card,
            id_number=id_number,
            phone=self._phone(row_number, values["phone"]),
            commune=commune,
            commune_key=commune_key,
            village=village,
            village_key=village_key,
            expiry_date=expiry,
            household_code=self._household(row_number, values["household_code"]),
            gender=self._gender(row_number, values["gender"]),
        )

    def _too_long(self, values: dict[str, Cell]) -> Reason | None:
        """Return the reason when a recognised cell is longer than `MAX_CELL_CHARS`."""
        for name, cell in values.items():
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                header = self.headers[self._indexes[name]] or FIELD_LABELS[name]
                return Reason(
                    "import.row.too_long",
                    header=_shorten(header),
                    length=len(cell),
                    limit=MAX_CELL_CHARS,
                )
        return None

    def _raw(self, cells: Sequence[Cell]) -> tuple[str, ...]:
        """Return the row's cells as text (each cut to `MAX_CELL_CHARS`), padded to the header."""
        texts = [_shorten(cell_text(cell)) for cell in cells]
        texts.extend([""] * (len(self.headers) - len(texts)))
        return tuple(texts)

    def _identifiers(
        self, values: dict[str, Cell], problems: list[Reason], missing: bool
    ) -> tuple[str | None, str | None, str | None]:
        """Parse BHXH number, card code and CCCD; append problems; return (bhxh, card, id)."""
        bhxh: str | None = None
        card: str | None = None
        id_number: str | None = None
        bhxh_cell, card_cell, id_cell = (
            values["bhxh_number"],
            values["card_code"],
            values["id_number"],
        )
        if not is_blank(bhxh_cell):
            try:
                bhxh, card = parse_bhxh(bhxh_cell)
            except BadValue as error:
                problems.append(Reason("import.row.bad_bhxh", why=error.reason))
        if not is_blank(card_cell):
            try:
                from_card, card_code = parse_bhxh(card_cell)
            except BadValue as error:
                problems.append(Reason("import.row.bad_card", why=error.reason))
            else:
                if bhxh is not None and from_card != bhxh:
                    shown = card_code or from_card
                    problems.append(Reason("import.row.card_mismatch", bhxh=bhxh, card=shown))
                bhxh, card = from_card, card_code or card
        if not is_blank(id_cell):
            try:
                id_number = parse_id_number(id_cell)
            except BadValue as error:
                problems.append(Reason("import.row.bad_cccd", why=error.reason))
        if all(is_blank(cell) for cell in (bhxh_cell, card_cell, id_cell)):
            problems.append(Reason("import.row.no_identifier", excel=missing))
        return bhxh, card, id_number

    def _duplicate(self, bhxh: str | None, id_number: str | None) -> Reason | None:
        """Return the reason when an identifier was already on an accepted row."""
        if bhxh is not None and (earlier := self._seen.bhxh.get(int(bhxh))) is not None:
            return Reason("import.row.same_bhxh", bhxh=bhxh, row=earlier)
        if id_number is not None and (earlier := self._seen.ids.get(int(id_number))) is not None:
            return Reason("import.row.same_cccd", id_number=id_number, row=earlier)
        return None

    def _remember(self, row_number: int, bhxh: str | None, id_number: str | None) -> None:
        """Note the identifiers of an accepted row."""
        if bhxh is not None:
            self._seen.bhxh[int(bhxh)] = row_number
        if id_number is not None:
            self._seen.ids[int(id_number)] = row_number

    def _birth(self, row_number: int, *cells: Cell) -> tuple[date | None, int | None]:
        """Parse the birth date or year (first non-empty column); a bad one is a warning."""
        for cell in cells:
            if is_blank(cell):
                continue
            try:
                return parse_birth(cell, today=self._today)
            except BadValue as error:
                self._warn(row_number, Reason("import.warn.birth", why=error.reason))
                return None, None
        return None, None

    def _place(self, row_number: int, cell: Cell, kind: str) -> tuple[str, str]:
        """Return (display name, matching key) of a commune/village cell, cached per text.

        `kind` ("commune" or "village") names the warning of a bad cell.
        """
        if is_blank(cell):
            return "", ""
        if isinstance(cell, str) and (cached := self._places.get(cell)) is not None:
            return cached
        try:
            name = display_place(clean_text(cell, 10_000))
        except BadValue as error:
            self._warn(row_number, Reason(f"import.warn.{kind}", why=error.reason))
            return "", ""
        result = (name, place_key(name))
        if isinstance(cell, str):
            if len(self._places) > 50_000:
                self._places.clear()
            self._places[cell] = result
        return result

    def _phone(self, row_number: int, cell: Cell) -> str | None:
        """Return the first valid phone number of the cell; a bad one is a warning."""
        if is_blank(cell):
            return None
        text = cell_text(cell).strip()
        phone = normalise_phone(text)
        if phone is not None:
            return phone
        parts = [part.strip() for part in _PHONE_SPLIT.split(text) if part.strip()]
        for part in parts if len(parts) > 1 else ():
            phone = normalise_phone(part)
            if phone is not None:
                self._warn(row_number, Reason("import.warn.phones", phone=part))
                return phone
        problem = phone_problem(text) or "invalid"
        said = Reason(f"import.phone.{problem}") if problem in _PHONE_PROBLEMS else problem
        self._warn(row_number, Reason("import.warn.phone", text=text, problem=said))
        return None

    def _household(self, row_number: int, cell: Cell) -> str | None:
        """Return the household code as text; a bad one is a warning."""
        if is_blank(cell):
            return None
        try:
            return clean_text(cell, MAX_HOUSEHOLD_CODE)
        except BadValue as error:
            self._warn(row_number, Reason("import.warn.household", why=error.reason))
            return None

    def _gender(self, row_number: int, cell: Cell) -> str | None:
        """Return "nam"/"nữ"; a value that is neither is a warning."""
        if is_blank(cell):
            return None
        try:
            return parse_gender(cell)
        except BadValue as error:
            self._warn(row_number, Reason("import.warn.gender", why=error.reason))
            return None


def _shorten(text: str) -> str:
    """Return `text` cut to `MAX_CELL_CHARS` characters (an ellipsis marks the cut)."""
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _is_numbering_row(cells: Sequence[Cell]) -> bool:
    """Return True for a row like "(1) (2) (3)…" or "A B C…" numbering the columns."""
    filled = [cell_text(cell).strip() for cell in cells if not is_blank(cell)]
    return len(filled) >= 3 and all(_NUMBERING_CELL.fullmatch(text) for text in filled)


def _header_texts(rows: Iterable[Sequence[Cell]]) -> list[list[str]]:
    """Return rows as lists of texts, for header detection."""
    return [[cell_text(cell) for cell in row] for row in rows]


# --- Excel -------------------------------------------------------------------------------


def _open_excel(path: Path) -> _Source:
    """Open an .xlsx and find the first sheet with a recognisable header."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise UnsupportedFile("import.file.bad_excel", name=path.name, error=error) from error
    first_problem: MissingColumns | None = None
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # some programs write wrong dimensions; read everything
            rows = enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
            head = list(islice(rows, HEADER_SEARCH_ROWS))
            try:
                columns = find_header(_header_texts(cells for _, cells in head))
            except MissingColumns as problem:
                first_problem = first_problem or problem
                continue
            after = head[columns.header_index + 1 :]
            return _Source(
                rows=chain(after, rows),
                columns=columns,
                header_row=head[columns.header_index][0],
                close=workbook.close,
                is_excel=True,
                sheet=sheet.title,
            )
    except BaseException:
        workbook.close()
        raise
    workbook.close()
    raise first_problem or MissingColumns(found=[], expected=[])


# --- CSV ---------------------------------------------------------------------------------


def _decodes(path: Path, encoding: str) -> bool:
    """Return True if the whole file decodes with `encoding` (read in 1 MB chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as raw:
            while chunk := raw.read(_CHECK_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """Return the encoding of a CSV: UTF-16/UTF-8 BOM, UTF-8, cp1258, then cp1252."""
    with path.open("rb") as raw:
        head = raw.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1258", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    raise UnsupportedFile("import.file.encoding", name=path.name)


def _nfc_lines(handle: IO[str]) -> Iterator[str]:
    """Yield the lines of a text file in NFC (cp1258 decodes tone marks as combining marks)."""
    is_nfc, normalize = unicodedata.is_normalized, unicodedata.normalize
    for line in handle:
        yield line if line.isascii() or is_nfc("NFC", line) else normalize("NFC", line)


def _pick_delimiter(sample: list[str]) -> tuple[str, ColumnMap]:
    """Return the delimiter whose header row recognises the most columns, with that header."""
    best: tuple[str, ColumnMap] | None = None
    first_problem: MissingColumns | None = None
    for delimiter in DELIMITERS:
        rows = list(islice(csv.reader(sample, delimiter=delimiter), HEADER_SEARCH_ROWS))
        try:
            columns = find_header(rows)
        except MissingColumns as problem:
            if first_problem is None or len(problem.found) > len(first_problem.found):
                first_problem = problem
            continue
        if best is None or len(columns.columns) > len(best[1].columns):
            best = (delimiter, columns)
    if best is None:
        raise first_problem or MissingColumns(found=[], expected=[])
    return best


def _open_csv(path: Path) -> _Source:
    """Open a CSV, detect encoding and delimiter, and find the header."""
    encoding = detect_encoding(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        lines = _nfc_lines(handle)
        sample = list(islice(lines, _SAMPLE_LINES))
        delimiter, columns = _pick_delimiter(sample)
        records = enumerate(csv.reader(chain(sample, lines), delimiter=delimiter), start=1)
        header_row = 0
        for header_row, _ in records:
            if header_row > columns.header_index:
                break
    except BaseException:
        handle.close()
        raise
    return _Source(
        rows=records,
        columns=columns,
        header_row=header_row,
        close=handle.close,
        is_excel=False,
        encoding=encoding,
        delimiter=delimiter,
    )


def read_residents(path: Path, *, today: date, limits: ImportLimits | None = None) -> ImportParse:
    """Open a resident list and return its parse; rows are read lazily while iterating.

    Raises `UnsupportedFile` for other file types or unreadable files, `MissingColumns`
    when no header row with the required columns is found in the first 10 rows, and
    `ListTooLarge` when the file is over `limits.max_bytes` uncompressed.
    """
    suffix = path.suffix.lower()
    if limits is not None and (suffix in EXCEL_EXTENSIONS or suffix in CSV_EXTENSIONS):
        check_size(path, limits)
    if suffix in EXCEL_EXTENSIONS:
        source = _open_excel(path)
    elif suffix in CSV_EXTENSIONS:
        source = _open_csv(path)
    elif suffix == ".xls":
        raise UnsupportedFile("import.file.xls", name=path.name)
    else:
        raise UnsupportedFile("import.file.type", name=path.name)
    return ImportParse(source, today=today, max_rows=limits.max_rows if limits else None)
