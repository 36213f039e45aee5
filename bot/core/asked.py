"""The time a resident's question is about: "năm 2024", "hồi tháng 10/2025", "cuối năm 2023".

Pure: the caller passes today and the dates the base salary changed. The first time found
prices the answer; the later ones (not the end of a "từ … đến …" span) are kept so the answer
can say it priced only the first. A time that is not a real date (31/2, tháng 13, a
five-digit year) prices nothing: `unread_time` names it back so the answer can say so. Birth
dates ("sinh năm 1965") and spans up to now ("từ năm 2000 đến nay") are not the time a price
is asked for.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.core.text import clean, fold

__all__ = [
    "AskedTime",
    "Precision",
    "UnreadTime",
    "asked_time",
    "later_times",
    "span_months",
    "unread_time",
    "without_times",
]

Precision = Literal["day", "month", "range", "year", "part", "before_raise"]
_PARTS = {"dau": 1, "giua": 6, "cuoi": 10}
"""Where "đầu / giữa / cuối năm" begins: January, June, October."""
_MONTH_WORDS = {
    "mot": 1,
    "gieng": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
    "muoi mot": 11,
    "muoi hai": 12,
    "chap": 12,
}
_YEAR = r"(?P<year>\d{4})(?!\d)"
_BARE_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_RELATIVE_YEAR = r"(?P<rel>ngoai|truoc|roi|nay|sau|toi)"
_MONTH = r"(?P<month>\d{1,2}|muoi mot|muoi hai|" + "|".join(_MONTH_WORDS) + r")"
_NOT_AFTER = r"(?!\s*(?:dong|d\b|k\b|nghin|ngan|trieu|tr\b|nguoi|thang|tuoi|lan))"
_PATTERNS: tuple[tuple[Precision, re.Pattern[str]], ...] = (
    (
        "range",
        re.compile(
            r"\btu (?:ngay )?(?P<day1>\d{1,2})[.](?P<first>\d{1,2})[.](?P<year1>\d{4}) "
            r"(?:den|toi) (?:het )?(?:ngay )?(?P<day2>\d{1,2})[.](?P<month>\d{1,2})[.]" + _YEAR
        ),
    ),
    (
        "range",
        re.compile(
            r"\btu (?:thang )?(?P<first>\d{1,2})[.](?P<year1>\d{4}) (?:den|toi) (?:het )?"
            r"(?:thang )?(?P<month>\d{1,2})[.]" + _YEAR
        ),
    ),
    (
        "range",
        re.compile(
            r"\btu (?:thang )?(?P<first>\d{1,2}) (?:den|toi) (?:het )?(?:thang )?"
            r"(?P<month>\d{1,2})[.]" + _YEAR
        ),
    ),
    ("day", re.compile(r"(?<![\d.])(?P<day>\d{1,2})[.](?P<month>\d{1,2})[.]" + _YEAR)),
    ("month", re.compile(r"(?<![\d.])(?:\bthang |\bt ?)?(?P<month>\d{1,2})[.]" + _YEAR)),
    ("month", re.compile(r"\bthang " + _MONTH + r"(?: cua)? nam " + _YEAR)),
    ("month", re.compile(r"\bthang " + _MONTH + r"(?: cua)? nam " + _RELATIVE_YEAR + r"\b")),
    ("part", re.compile(r"\b(?P<part>dau|giua|cuoi) nam (?:" + _YEAR + "|" + _RELATIVE_YEAR + ")")),
    ("year", re.compile(r"\bnam " + _YEAR)),
    ("year", re.compile(r"\b(?P<ago>\d{1,2}) nam truoc\b")),
    ("year", re.compile(r"\bnam " + _RELATIVE_YEAR + r"\b")),
    ("month", re.compile(r"\bthang (?P<mrel>truoc|nay|sau|toi)\b")),
    (
        "before_raise",
        re.compile(r"\b(?P<side>truoc|sau) (?:dot |khi |luc |lan )?(?:tang|dieu chinh) luong"),
    ),
    ("year", re.compile(r"(?<![\d.,])" + _BARE_YEAR + r"(?![.,]\d)" + _NOT_AFTER)),
)
_NOT_ASKED = re.compile(r"\b(?:sinh|de|ra doi)(?: \w+){0,2}\s*$")
"""Words just before a time that make it a birth date, not the time a price is asked for."""
_DATE_SEPARATOR = re.compile(r"(?<=\d)\s*[/-]\s*(?=\d)")
"""A slash or dash between digits, kept as a dot (which folding keeps between digits)."""
_UP_TO_NOW = re.compile(r"^\s*(?:den|toi) (?:nay|bay gio|gio)")
# Months of a year named elsewhere in the question (last year, from month 1 to month 12).
_MONTH_SPAN = re.compile(
    r"\btu thang (?P<a>\d{1,2}) (?:den|toi) (?:het )?(?:thang )?(?P<b>\d{1,2})\b(?![.]\d)"
)
# Words just before a time that make it the end of a span (from 1/1/2026 to 31/12/2026).
_SPAN_END = re.compile(r"\b(?:den|toi)(?: het)?(?: ngay| thang| nam)?\s*$|-\s*$")
_UNREAD: tuple[tuple[bool, re.Pattern[str]], ...] = (
    (True, re.compile(r"\bnam (?P<written>\d{5,})(?![\d.,])")),
    (False, re.compile(r"(?<![\d.])(?P<written>\d{1,2}[.]\d{1,2}[.]\d{4,})(?![\d.])")),
    (False, re.compile(r"\bthang (?P<written>\d{1,2}[.]\d{4,})(?![\d.])")),
)
"""Written times that may not be real: a five-digit year (far ahead), a day, a month."""


@dataclass(frozen=True, slots=True)
class AskedTime:
    """A time a question is about: its first and last day and how precisely it was said."""

    start: date
    end: date
    precision: Precision
    part: str = ""  # "dau", "giua" or "cuoi" for part of a year

    @property
    def on(self) -> date:
        """Return the day to price at: the first day of the time asked about."""
        return self.start


@dataclass(frozen=True, slots=True)
class UnreadTime:
    """A time the question writes that is no real date: "31/2/2026", "13/2026", "năm 20266"."""

    written: str  # as written, with "/" between its numbers
    far: bool  # a year of five digits or more: past every rate ever published


def asked_time(text: str, today: date, raises: Sequence[date] = ()) -> AskedTime | None:
    """Return the time the question is about, or None when it names none (or none real).

    `raises` are the dates the base salary changed: "trước đợt tăng lương cơ sở" is the
    time between the last two up to today, "sau khi tăng lương" the latest one itself.
    """
    found = _times(text, today, raises)
    if not found:
        return None
    first = found[0][1]
    span = _MONTH_SPAN.search(_folded(text)) if first.precision == "year" else None
    if span is not None:
        opening, closing = int(span.group("a")), int(span.group("b"))
        if 1 <= opening <= closing <= 12:
            year = first.start.year
            return AskedTime(date(year, opening, 1), _month_end(year, closing), "range")
    return first


def later_times(text: str, today: date, raises: Sequence[date] = ()) -> tuple[AskedTime, ...]:
    """Return the times named after the first one, leaving out the ends of spans."""
    found = _times(text, today, raises)
    if not found:
        return ()
    folded = _folded(text)
    first = found[0][1]
    return tuple(
        time
        for start, time in found[1:]
        if time.start != first.start and not _SPAN_END.search(folded[:start])
    )


def unread_time(text: str) -> UnreadTime | None:
    """Return the first written time that is not a real date (and not a birth date), if any."""
    folded = _folded(text)
    for far, pattern in _UNREAD:
        for match in pattern.finditer(folded):
            if _NOT_ASKED.search(folded[: match.start()]):
                continue
            written = match.group("written")
            if far or not _real(written):
                return UnreadTime(written.replace(".", "/"), far or _far(written))
    return None


def _real(written: str) -> bool:
    """Tell whether "d.m.yyyy" or "m.yyyy" is a real calendar date of a four-digit year."""
    *day_month, year = (int(part) for part in written.split("."))
    if year > 9999:
        return False
    try:
        date(year, day_month[-1], day_month[0] if len(day_month) == 2 else 1)
    except ValueError:
        return False
    return True


def _far(written: str) -> bool:
    """Tell whether a written date's year has five digits or more."""
    return len(written.rsplit(".", 1)[-1]) > 4


def _folded(text: str) -> str:
    return fold(_DATE_SEPARATOR.sub(".", clean(text)))


def _times(text: str, today: date, raises: Sequence[date]) -> list[tuple[int, AskedTime]]:
    """Return every time named, by position, the more precise one where two overlap."""
    folded = _folded(text)
    found: list[tuple[int, int, int, AskedTime]] = []
    for rank, (precision, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(folded):
            before, after = folded[: match.start()], folded[match.end() :]
            if _NOT_ASKED.search(before) or _UP_TO_NOW.match(after):
                continue
            time = _time(precision, match, today, raises)
            if time is not None:
                found.append((match.start(), rank, match.end(), time))
    kept: list[tuple[int, AskedTime]] = []
    taken: list[tuple[int, int]] = []
    for start, _rank, end, time in sorted(found, key=lambda item: (item[0], item[1])):
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        kept.append((start, time))
    return kept


def without_times(text: str) -> str:
    """Return the folded text with every written time blanked, so its digits are not amounts."""
    folded = _folded(text)
    for precision, pattern in _PATTERNS:
        if precision != "before_raise":
            folded = pattern.sub(_blank, folded)
    return " ".join(folded.split())


def _blank(match: re.Match[str]) -> str:
    """Blank a time, keeping a leading "tháng" that ends a count ("3 tháng: 12/2026, …")."""
    before = match.string[: match.start()]
    if match.group(0).startswith("thang ") and re.search(r"\d\s*$", before):
        return " thang "
    return " "


def _time(
    precision: Precision, match: re.Match[str], today: date, raises: Sequence[date]
) -> AskedTime | None:
    groups = match.groupdict()
    if precision == "before_raise":
        return _around_raise(groups["side"], today, raises)
    year = _year(groups, today)
    if year is None:
        return None
    if precision == "day":
        return _day(year, int(groups["month"] or 0), int(groups["day"] or 0))
    if precision == "month":
        month = _month(groups, today)
        if month is None:
            return None
        if groups.get("mrel"):
            shift = {"truoc": -1, "nay": 0, "sau": 1, "toi": 1}[groups["mrel"]]
            year, month = divmod(today.year * 12 + today.month - 1 + shift, 12)
            month += 1
        return _month_span(year, month)
    if precision == "range":
        return _range(groups, year)
    if precision == "part":
        part = str(groups["part"])
        first_month = _PARTS[part]
        last_month = {1: 3, 6: 8, 10: 12}[first_month]
        return AskedTime(date(year, first_month, 1), _month_end(year, last_month), "part", part)
    return AskedTime(date(year, 1, 1), date(year, 12, 31), "year")


def _range(groups: dict[str, str | None], year: int) -> AskedTime | None:
    """Return a span of months (7/2026 to 6/2027, or 1 to 6/2027) or of days (1/1 to 31/12)."""
    opening = _month_span(int(groups.get("year1") or year), int(groups["first"] or 0))
    closing = _month_span(year, int(groups["month"] or 0))
    if opening is None or closing is None or opening.start > closing.start:
        return None
    start, end = opening.start, closing.end
    if groups.get("day1"):
        first_day = _day(start.year, start.month, int(groups["day1"] or 0))
        last_day = _day(end.year, end.month, int(groups["day2"] or 0))
        if first_day is None or last_day is None or first_day.start > last_day.start:
            return None
        start, end = first_day.start, last_day.start
    return AskedTime(start, end, "range")


def span_months(time: AskedTime) -> int:
    """Return how many months a span covers: 01/01/2026–31/12/2026 is 12."""
    months = (time.end.year - time.start.year) * 12 + time.end.month - time.start.month
    return months + (1 if time.end.day >= time.start.day else 0)


def _year(groups: dict[str, str | None], today: date) -> int | None:
    if groups.get("year"):
        return int(str(groups["year"]))
    if groups.get("ago"):
        return today.year - int(str(groups["ago"]))
    relative = groups.get("rel")
    if relative is not None:
        return (
            today.year
            + {"ngoai": -1, "truoc": -1, "roi": -1, "nay": 0, "sau": 1, "toi": 1}[relative]
        )
    if groups.get("mrel"):
        return today.year
    return None


def _month(groups: dict[str, str | None], today: date) -> int | None:
    if groups.get("mrel"):
        return today.month
    said = str(groups.get("month") or "")
    month = int(said) if said.isdigit() else _MONTH_WORDS.get(said)
    return month if month is not None and 1 <= month <= 12 else None


def _day(year: int, month: int, day: int) -> AskedTime | None:
    try:
        on = date(year, month, day)
    except ValueError:
        return None
    return AskedTime(on, on, "day")


def _month_span(year: int, month: int) -> AskedTime | None:
    if not 1 <= month <= 12:
        return None
    return AskedTime(date(year, month, 1), _month_end(year, month), "month")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _around_raise(side: str | None, today: date, raises: Sequence[date]) -> AskedTime | None:
    """Before the latest raise: the old base salary's whole time; after it: from that day."""
    past = [day for day in raises if day <= today]
    if not past:
        return None
    latest = max(past)
    if side != "truoc":
        return AskedTime(latest, latest, "before_raise", "sau")
    previous = max((day for day in raises if day < latest), default=latest - timedelta(days=365))
    return AskedTime(previous, latest - timedelta(days=1), "before_raise", "truoc")
