"""Turn single cells of a resident list into clean values, or a Vietnamese reason why not.

Cells arrive as openpyxl gives them (str, int, float, bool, datetime, date, None) or as CSV
text. Rules worth knowing:

- A string starting with "=" is a formula typed into the list: rejected ("ô chứa công thức"),
  never evaluated.
- Leading zeros lost by Excel are restored only for *numeric* cells (int/float), where the
  loss is certain: a 9-digit BHXH number becomes 10 digits, a 10/11-digit CCCD becomes 12.
  Text cells are taken as typed, so "123456789" in a CSV is rejected with a hint.
- "1234567890.0" (text of a float) counts as that number; scientific notation is accepted
  only when it still holds every digit ("1.23457E+11" lost digits and is rejected).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from bot.reasons import Refused

__all__ = [
    "MAX_NAME_LENGTH",
    "BadValue",
    "cell_text",
    "clean_name",
    "clean_text",
    "excel_serial_to_date",
    "is_blank",
    "parse_bhxh",
    "parse_birth",
    "parse_date",
    "parse_expiry",
    "parse_gender",
    "parse_id_number",
]

MAX_NAME_LENGTH = 100
MIN_EXPIRY_YEAR = 2000
EXPIRY_YEARS_AHEAD = 10
MIN_BIRTH_YEAR = 1900
BENEFIT_DIGITS = "12345"

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time of day, ignored
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})" + _TIME)
_YMD = re.compile(r"(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})" + _TIME)
_COMPACT = re.compile(r"\d{8}")
_SERIAL_TEXT = re.compile(r"\d{5}(?:[.,]\d+)?")
_FLOAT_TEXT = re.compile(r"(\d+)[.,]0+")
_SCIENTIFIC = re.compile(r"(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})")
_CARD_CODE = re.compile(r"[A-Z]{2}\d{13}")
_SPACES = re.compile(r"[\s\-\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_EXCEL_EPOCH = date(1899, 12, 30)
_GENDERS = {"nam": "nam", "nu": "nữ", "nữ": "nữ", "male": "nam", "female": "nữ"}


class BadValue(Refused):
    """A cell cannot be used; `reason` explains it to the officer (labels `import.cell.*`)."""


def is_blank(value: object) -> bool:
    """Return True for an empty cell (None or only whitespace)."""
    return value is None or value == "" or (isinstance(value, str) and value.isspace())


def cell_text(value: object) -> str:
    """Return a cell as the officer would read it: dates dd/mm/yyyy, 12.0 as 12, None as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _text(value: object) -> str:
    """Return a text cell stripped, refusing formulas."""
    text = value.strip() if isinstance(value, str) else cell_text(value).strip()
    if text.startswith("="):
        raise BadValue("import.cell.formula", text=text)
    return text


def excel_serial_to_date(serial: float) -> date:
    """Convert an Excel (1900 system) serial number to a date: 46203 → 30/06/2026.

    Excel counts a 29/02/1900 that never existed (serial 60): serials below it are one day
    off from those above, and 60 itself is refused.
    """
    whole = int(serial)
    if whole == 60:
        raise BadValue("import.cell.excel_leap_day")
    if whole < 1 or whole > 2958465:
        raise BadValue("import.cell.not_date", text=cell_text(serial))
    if whole < 60:
        return _EXCEL_EPOCH + timedelta(days=whole + 1)
    return _EXCEL_EPOCH + timedelta(days=whole)


def _make_date(day: int, month: int, year: int, shown: str) -> date:
    """Return date(year, month, day), or a reason naming the impossible date."""
    try:
        return date(year, month, day)
    except ValueError:
        if month > 12 and day <= 12:
            raise BadValue("import.cell.no_month", text=shown, month=month) from None
        raise BadValue("import.cell.no_day", text=shown) from None


def _full_year(two_digits: int, today: date, years_ahead: int) -> int:
    """Expand a two-digit year: the latest century not beyond today.year + years_ahead."""
    year = today.year - today.year % 100 + two_digits
    return year - 100 if year > today.year + years_ahead else year


def parse_date(value: object, *, today: date, years_ahead: int = EXPIRY_YEARS_AHEAD) -> date:
    """Parse a date cell: dd/mm/yyyy, d/m/yy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, ddmmyyyy,
    Excel dates and serial numbers.

    A two-digit year yy means 20yy unless that is more than `years_ahead` years after
    `today`, then 19yy. No range check; see `parse_expiry` and `parse_birth`.
    """
    if isinstance(value, str) and len(value) == 10 and value[2] == "/" == value[5]:
        dd, mm, yyyy = value[:2], value[3:5], value[6:]  # fast path: dd/mm/yyyy
        if dd.isdigit() and mm.isdigit() and yyyy.isdigit() and value.isascii():
            return _make_date(int(dd), int(mm), int(yyyy), value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadValue("import.cell.not_date", text=cell_text(value))
    if isinstance(value, int | float):
        return excel_serial_to_date(value)
    text = _text(value)
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year = _full_year(year, today, years_ahead)
        return _make_date(day, month, year, text)
    if match := _YMD.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _make_date(day, month, year, text)
    if _COMPACT.fullmatch(text):
        if text[:2] in ("19", "20") and int(text[4:6]) <= 12:
            return _make_date(int(text[6:]), int(text[4:6]), int(text[:4]), text)
        return _make_date(int(text[:2]), int(text[2:4]), int(text[4:]), text)
    if _SERIAL_TEXT.fullmatch(text):
        return excel_serial_to_date(float(text.replace(",", ".")))
    if not text:
        raise BadValue("import.cell.empty")
    raise BadValue("import.cell.date_format", text=text)


def parse_expiry(value: object, *, today: date) -> date:
    """Parse a card expiry date; years before 2000 or more than 10 years ahead are refused."""
    expiry = parse_date(value, today=today)
    if not MIN_EXPIRY_YEAR <= expiry.year <= today.year + EXPIRY_YEARS_AHEAD:
        raise BadValue("import.cell.expiry_year", expiry=expiry)
    return expiry


def parse_birth(value: object, *, today: date) -> tuple[date | None, int]:
    """Parse a birth date or a birth year alone: returns (date or None, year).

    "1985" (or the number 1985) is a year; anything else is a date, two-digit years never
    in the future. Births after `today` or before 1900 are refused.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == int(value) and MIN_BIRTH_YEAR <= value <= today.year:
            return None, int(value)
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
        year = int(value.strip())
        if not MIN_BIRTH_YEAR <= year <= today.year:
            raise BadValue("import.cell.birth_year", year=year)
        return None, year
    born = parse_date(value, today=today, years_ahead=0)
    if born > today or born.year < MIN_BIRTH_YEAR:
        raise BadValue("import.cell.birth_date", born=born)
    return born, born.year


def _digits(value: object, what: str) -> tuple[str, bool]:
    """Return (the identifier text without spaces, was it a number?) for an identifier cell.

    `what` names the identifier in the reasons: "bhxh" or "cccd".
    """
    if isinstance(value, bool):
        raise BadValue("import.cell.as_is", text=cell_text(value))
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise BadValue(f"import.cell.not_{what}", text=value)
        return str(int(value)), True
    text = _SPACES.sub("", _text(value)).lstrip("'").upper()
    if match := _FLOAT_TEXT.fullmatch(text):
        return match.group(1), True
    if match := _SCIENTIFIC.fullmatch(text):
        lead, decimals, exponent = match.group(1), match.group(2) or "", int(match.group(3))
        if len(decimals) < exponent:
            raise BadValue("import.cell.rounded", text=text)
        try:
            number = Decimal(f"{lead}.{decimals}E{exponent}")
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            raise BadValue("import.cell.as_is", text=text) from None
        if number != number.to_integral_value():
            raise BadValue(f"import.cell.not_{what}", text=text)
        return str(int(number)), True
    return text, False


def parse_bhxh(value: object) -> tuple[str, str | None]:
    """Parse a BHXH number or an old 15-character card code: returns (10 digits, code or None).

    A card code is 2 letters (group), 1 benefit digit (1–5), 2 province digits and the
    10-digit BHXH number: "GD4790123456789" → ("0123456789", "GD4790123456789").
    """
    if isinstance(value, str) and len(value) == 10 and value.isdigit() and value.isascii():
        return value, None  # fast path: the usual 10 digits
    text, numeric = _digits(value, "bhxh")
    if numeric and len(text) == 9:
        text = text.zfill(10)
    if text.isdigit() and text.isascii() and len(text) == 10:
        return text, None
    if _CARD_CODE.fullmatch(text):
        if text[2] not in BENEFIT_DIGITS:
            raise BadValue("import.cell.benefit", text=text, digit=text[2])
        return text[5:], text
    if len(text) == 15:
        raise BadValue("import.cell.card_code", text=text)
    if any(c.isalpha() for c in text):
        raise BadValue("import.cell.bhxh_letters", text=text)
    if not text.isdigit():
        raise BadValue("import.cell.bhxh_digits", text=text)
    raise BadValue("import.cell.bhxh_length", text=text, length=len(text))


def parse_id_number(value: object) -> str:
    """Parse a 12-digit CCCD / personal ID number; numeric cells get their lost zeros back."""
    if isinstance(value, str) and len(value) == 12 and value.isdigit() and value.isascii():
        return value  # fast path: the usual 12 digits
    text, numeric = _digits(value, "cccd")
    if numeric and len(text) in (10, 11):
        text = text.zfill(12)  # CCCD starts with a 0xx province code: zeros were lost
    if text.isdigit() and text.isascii() and len(text) == 12:
        return text
    if any(c.isalpha() for c in text):
        raise BadValue("import.cell.cccd_letters", text=text)
    if not text.isdigit():
        raise BadValue("import.cell.cccd_digits", text=text)
    if len(text) == 9:
        raise BadValue("import.cell.cmnd", text=text)
    raise BadValue("import.cell.cccd_length", text=text, length=len(text))


def clean_text(value: object, limit: int) -> str:
    """Return a text cell trimmed, NFC, without control characters, spaces collapsed.

    Formulas are refused; text longer than `limit` characters is refused, not cut.
    """
    text = _text(value)
    if not text.isprintable():
        text = _INVISIBLE.sub("", _CONTROL.sub(" ", text))
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split())
    if len(text) > limit:
        raise BadValue("import.cell.too_long", start=text[:20], length=len(text), limit=limit)
    return text


def clean_name(value: object) -> str:
    """Return a person's name cleaned by `clean_text` (at most 100 characters, has letters)."""
    name = clean_text(value, MAX_NAME_LENGTH)
    if not any(c.isalpha() for c in name):
        raise BadValue("import.cell.not_name", name=name)
    return name


def parse_gender(value: object) -> str:
    """Return "nam" or "nữ" for a gender cell ("Nam", "Nữ", "NU", "male"…)."""
    text = clean_text(value, 20)
    folded = text.lower()
    gender = _GENDERS.get(folded) or _GENDERS.get(folded.replace("ữ", "u"))
    if gender is None:
        raise BadValue("import.cell.gender", text=text)
    return gender
