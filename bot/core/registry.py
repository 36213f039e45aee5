"""A resident as a commune's list gives them: the row an import stages and merges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ResidentRow"]


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One accepted resident: clean values, phone in E.164, place names with matching keys.

    `birth_year` is set whenever anything about the birth is known (also from a full date);
    `commune`/`village` are "" when the list has no such column or the cell is empty;
    `card_code` is the old 15-character card code when the list gives one.
    """

    row_number: int
    full_name: str
    birth_date: date | None
    birth_year: int | None
    bhxh_number: str | None
    card_code: str | None
    id_number: str | None
    phone: str | None
    commune: str
    commune_key: str
    village: str
    village_key: str
    expiry_date: date
    household_code: str | None
    gender: str | None = None
