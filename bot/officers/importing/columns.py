"""Recognise the header row of a resident list and map its columns to canonical fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.text import fold
from bot.reasons import Reason, Refused

__all__ = [
    "FIELD_LABELS",
    "HEADER_SEARCH_ROWS",
    "ColumnMap",
    "MissingColumns",
    "field_for_header",
    "find_header",
    "header_key",
]

HEADER_SEARCH_ROWS = 10

_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "gender",
    "bhxh_number",
    "card_code",
    "id_number",
    "phone",
    "village",
    "commune",
    "expiry_date",
    "household_code",
)
# Canonical field → its label `import.field.<field>`, as officers read it in reasons.
FIELD_LABELS: dict[str, str] = {name: Reason(f"import.field.{name}") for name in _FIELDS}

# Header keys (folded, see header_key) → field. A key matches exactly, or, when the alias
# has at least two words, as the start of a longer header ("han the bhyt den ngay").
_ALIASES: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ho va ten",
        "ho ten",
        "ten",
        "ho va ten nguoi tham gia",
        "ho ten nguoi tham gia",
        "ten nguoi tham gia",
        "ho va ten thanh vien",
    ),
    "birth_date": ("ngay sinh", "ns", "ngay thang nam sinh", "sinh ngay"),
    "birth_year": ("nam sinh",),
    "gender": ("gioi tinh", "gt", "nam nu", "phai"),
    "bhxh_number": (
        "ma so bhxh",
        "ma bhxh",
        "so bhxh",
        "so so bhxh",
        "ma so bhyt",
        "ma so bhxh bhyt",
        "msbhxh",
        "ma so bao hiem xa hoi",
    ),
    "card_code": ("so the bhyt", "ma the", "ma the bhyt", "so the", "ma so the bhyt"),
    "id_number": (
        "so cccd",
        "cccd",
        "so dinh danh",
        "so dinh danh ca nhan",
        "ma dinh danh",
        "so ddcn",
        "ddcn",
        "cmnd cccd",
        "so cmnd cccd",
        "cccd cmnd",
        "so cccd cmnd",
        "cmnd",
        "so cmnd",
        "can cuoc cong dan",
        "so can cuoc",
        "so can cuoc cong dan",
    ),
    "phone": (
        "so dien thoai",
        "sdt",
        "dt",
        "dien thoai",
        "so dt",
        "dien thoai lien he",
        "sdt lien he",
        "so di dong",
        "di dong",
    ),
    "village": (
        "thon",
        "ap",
        "ban",
        "buon",
        "soc",
        "xom",
        "khom",
        "khu pho",
        "to dan pho",
        "thon to",
        "thon xom",
        "thon ap",
        "thon ban",
        "thon to dan pho",
        "to thon",
        "dia chi thon",
        "thon ban buon",
    ),
    "commune": (
        "xa",
        "phuong",
        "xa phuong",
        "phuong xa",
        "dac khu",
        "thi tran",
        "xa phuong thi tran",
        "xa phuong dac khu",
        "dia chi xa",
    ),
    "expiry_date": (
        "han the",
        "den ngay",
        "ngay het han",
        "han su dung",
        "gia tri den",
        "han the den",
        "han the bhyt",
        "the co gia tri den",
        "gia tri su dung den",
        "ngay het han the",
        "het han",
        "gia tri den ngay",
        "the het han",
    ),
    "household_code": ("ma ho", "ma ho gia dinh", "ma so ho", "ma ho gd", "ma hgd"),
}
_EXACT: dict[str, str] = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_PREFIXES = sorted(
    ((alias, field) for alias, field in _EXACT.items() if " " in alias),
    key=lambda pair: -len(pair[0]),
)
# Headers about the household head, not the person on the row ("Họ tên chủ hộ").
_IGNORED_WORDS = ("chu ho",)
_PARENTHESES = re.compile(r"\([^)]*\)")
_NON_WORD = re.compile(r"[\W_]+")


class MissingColumns(Refused):
    """The list has no header row with the required columns (`import.file.missing_columns`)."""

    def __init__(
        self, found: list[str], expected: list[str], missing: list[str] | None = None
    ) -> None:
        self.found = found
        self.expected = expected
        self.missing = expected if missing is None else missing
        super().__init__(
            "import.file.missing_columns", found=found, expected=expected, missing=self.missing
        )


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where the header row is (0-based index among the rows given) and each field's column."""

    header_index: int
    columns: dict[str, int]
    headers: tuple[str, ...]


def header_key(text: str) -> str:
    """Fold a header cell for matching: lower case, no diacritics, no punctuation."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _match(text: str) -> tuple[str, bool] | None:
    """Return (field, exact?) for a header text, or None when it is not recognised."""
    for candidate in (text, _PARENTHESES.sub(" ", text)):
        key = header_key(candidate)
        if not key or any(word in key for word in _IGNORED_WORDS):
            return None
        if key in _EXACT:
            return _EXACT[key], True
    for key in {header_key(text), header_key(_PARENTHESES.sub(" ", text))}:
        for alias, field in _PREFIXES:
            if key.startswith(alias + " "):
                return field, False
    return None


def field_for_header(text: str) -> str | None:
    """Return the canonical field a header cell names ("Họ và tên" → "full_name"), or None."""
    matched = _match(text)
    return None if matched is None else matched[0]


def _map_row(cells: Sequence[str]) -> dict[str, int]:
    """Map fields to column indexes; an exact match beats a prefix match, then leftmost wins."""
    best: dict[str, tuple[bool, int]] = {}
    for index, cell in enumerate(cells):
        matched = _match(cell)
        if matched is None:
            continue
        field, exact = matched
        if field not in best or (exact and not best[field][0]):
            best[field] = (exact, index)
    return {field: index for field, (_, index) in best.items()}


_NAME_LABEL = FIELD_LABELS["full_name"]
_EXPIRY_LABEL = Reason("import.field.expiry_needed")
_IDENTIFIER_LABEL = Reason("import.field.identifier_needed")
_EXPECTED = [_NAME_LABEL, _EXPIRY_LABEL, _IDENTIFIER_LABEL]


def _missing(columns: dict[str, int]) -> list[str]:
    """Return the Vietnamese labels of required fields absent from `columns`."""
    missing = []
    if "full_name" not in columns:
        missing.append(_NAME_LABEL)
    if "expiry_date" not in columns:
        missing.append(_EXPIRY_LABEL)
    if not {"bhxh_number", "card_code", "id_number"} & columns.keys():
        missing.append(_IDENTIFIER_LABEL)
    return missing


def find_header(rows: Sequence[Sequence[str]]) -> ColumnMap:
    """Find the header row among the first rows of a list (title rows above it are skipped).

    The row recognising the most fields wins (the earliest on a tie); it must name the full
    name, the expiry date and an identifier (BHXH number, card code or CCCD), otherwise
    `MissingColumns` lists what that row has and what is expected.
    """
    best_index, best_columns = -1, dict[str, int]()
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _map_row(cells)
        if len(columns) > len(best_columns):
            best_index, best_columns = index, columns
    missing = _missing(best_columns)
    if missing:
        shown = rows[best_index] if best_index >= 0 else next((r for r in rows if any(r)), [])
        found = [cell.strip() for cell in shown if cell.strip()]
        raise MissingColumns(found=found, expected=list(_EXPECTED), missing=missing)
    headers = tuple(cell.strip() for cell in rows[best_index])
    return ColumnMap(header_index=best_index, columns=best_columns, headers=headers)
