"""Registrations as a spreadsheet for officers: xlsx, or CSV in UTF-8 with BOM for Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.core.interests import interest_label
from bot.core.phones import display_phone
from bot.render import format_date
from bot.store.registrations import Registration

__all__ = ["COLUMNS", "FORMATS", "export_bytes", "table"]

FORMATS = ("xlsx", "csv")
COLUMNS = (
    "reference",
    "date",
    "name",
    "phone",
    "commune",
    "village",
    "household",
    "interest",
    "time",
    "status",
)
"""Column keys; each header is the label `export.<key>` in messages/vi/labels/."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = (12, 14, 28, 16, 24, 24, 10, 28, 18, 16)

Label = Callable[[str], str]


def table(
    registrations: Sequence[Registration], label: Label, tz: ZoneInfo
) -> list[list[str | int]]:
    """Return the header row and one row per registration, as people read them."""
    rows: list[list[str | int]] = [[label(f"export.{key}") for key in COLUMNS]]
    for r in registrations:
        rows.append(
            [
                r.reference,
                format_date(r.created_at.astimezone(tz)),
                r.full_name,
                display_phone(r.phone),
                r.commune,
                r.village,
                r.household_size if r.household_size is not None else "",
                label(interest_label(r.interest)),
                label(f"reg.time.{r.call_time}"),
                label(f"reg.status.{r.status.value}"),
            ]
        )
    return rows


def export_bytes(
    registrations: Sequence[Registration], fmt: str, label: Label, tz: ZoneInfo
) -> bytes:
    """Return the registrations as an xlsx workbook or a CSV file (UTF-8 with BOM)."""
    rows = table(registrations, label, tz)
    if fmt == "csv":
        return _csv(rows)
    if fmt == "xlsx":
        return _xlsx(rows, label("export.sheet"))
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def _csv(rows: list[list[str | int]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_inert(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[list[str | int]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text is never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _inert(value: str | int) -> str | int:
    """Keep Excel from reading typed text as a formula (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
