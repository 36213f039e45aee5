"""Read amounts, household sizes, periods, ages and support groups out of a resident's message.

Every extractor takes the raw message (any spelling, with or without diacritics, NFC or NFD)
and normalises it itself; text that is already normalised gives the same result. Values are
returned raw: a range check ("an income of 50 đồng?") is the caller's job, and a negative
number comes back negative so the caller can explain the range. When a message holds several
candidates, the first one wins. `None` means "not found".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Literal

from bot.core.text import clean, fold, normalise

__all__ = [
    "MAX_DIGITS",
    "SupportGroup",
    "age",
    "household_size",
    "money",
    "months",
    "support_group",
    "without_claims",
]

SupportGroup = Literal["poor", "near_poor", "ethnic_minority"]

# --- numbers -------------------------------------------------------------------------------

_DIGIT_WORDS: Mapping[str, int] = MappingProxyType(
    {
        "mot": 1,
        "hai": 2,
        "ba": 3,
        "bon": 4,
        "nam": 5,
        "sau": 6,
        "bay": 7,
        "tam": 8,
        "chin": 9,
    }
)
# After "mươi"/"mười" some digits change their name (hai mươi mốt, hai mươi tư, mười lăm), and
# "năm" there means years: "mười năm" is ten years, never fifteen.
_UNIT_AFTER_TENS: Mapping[str, int] = MappingProxyType(
    {**{k: v for k, v in _DIGIT_WORDS.items() if k != "nam"}, "tu": 4, "lam": 5, "nham": 5}
)
_TENS = "muoi"  # both "mười" (ten) and "mươi" (-ty) fold to this
_HUNDRED = "tram"
_ZERO_TENS = frozenset({"linh", "le"})
_HALF = "ruoi"  # "rưỡi": and a half of the unit just named
_NUMERIC = re.compile(r"-?\d+(?:[.,]\d+)*")
MAX_DIGITS = 15
"""Most digits a number may have to be read (999 nghìn tỷ đồng): longer runs are not numbers,
so an absurd magnitude never becomes an infinite float or an int too long to print."""


@dataclass(frozen=True, slots=True)
class _Number:
    """A number found in a list of words: its value and the words it spans."""

    value: float
    start: int
    end: int  # index of the first word after the number
    spelled: bool  # written in words ("sáu") rather than digits ("6")


def _parse_numeric(word: str) -> float | None:
    """Parse "3", "-3", "1.5", "1,5", "3.000.000" or "1,500,000"; None if malformed or
    longer than MAX_DIGITS digits."""
    if not _NUMERIC.fullmatch(word):
        return None
    sign = -1.0 if word.startswith("-") else 1.0
    groups = re.split(r"[.,]", word.lstrip("-"))
    if sum(map(len, groups)) > MAX_DIGITS:
        return None
    if len(groups) == 1:
        return sign * int(groups[0])
    if all(len(group) == 3 for group in groups[1:]) and len(groups[0]) <= 3:
        return sign * int("".join(groups))  # thousands separators
    if len(groups) == 2:
        return sign * float(f"{groups[0]}.{groups[1]}")  # decimal point or comma
    return None


def _parse_tens(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """Parse a spelled number below 100 at `i`: "bảy", "mười lăm", "sáu mươi tám"."""
    if i >= len(words):
        return None
    word = words[i]
    if word == _TENS:
        value, i = 10, i + 1
    elif word in _DIGIT_WORDS:
        value, i = _DIGIT_WORDS[word], i + 1
        if i < len(words) and words[i] == _TENS:
            value, i = value * 10, i + 1
        else:
            return value, i
    else:
        return None
    if i < len(words) and words[i] in _UNIT_AFTER_TENS:
        value, i = value + _UNIT_AFTER_TENS[words[i]], i + 1
    return value, i


def _parse_spelled(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """Parse a spelled number below 1000 at `i`: "hai trăm linh năm", "ba trăm năm mươi"."""
    head = _parse_tens(words, i)
    if head is None:
        return None
    value, j = head
    if j < len(words) and words[j] == _HUNDRED and value < 10:
        value, j = value * 100, j + 1
        if j + 1 < len(words) and words[j] in _ZERO_TENS and words[j + 1] in _DIGIT_WORDS:
            return value + _DIGIT_WORDS[words[j + 1]], j + 2
        rest = _parse_tens(words, j)
        if rest is not None:
            value, j = value + rest[0], rest[1]
    return value, j


def _number_at(words: Sequence[str], i: int) -> _Number | None:
    """Return the number starting at word `i`, if any."""
    word = words[i]
    if word[-1].isdigit():
        value = _parse_numeric(word)
        if value is None:
            return None
        end = i + 1
        if end < len(words) and words[end] == _HUNDRED:  # "2 trăm"
            value, end = value * 100, end + 1
        return _Number(value, i, end, spelled=False)
    if word == "nua":  # "nửa năm"
        return _Number(0.5, i, i + 1, spelled=True)
    parsed = _parse_spelled(words, i)
    if parsed is None:
        return None
    return _Number(float(parsed[0]), i, parsed[1], spelled=True)


@lru_cache(maxsize=4096)
def _numbers(words: tuple[str, ...]) -> tuple[_Number, ...]:
    """Return every number in `words`, left to right, without overlaps (cached: the
    extractors of one message all scan the same words)."""
    found: list[_Number] = []
    i = 0
    while i < len(words):
        number = _number_at(words, i)
        if number is None:
            i += 1
        else:
            found.append(number)
            i = number.end
    return tuple(found)


def _word(words: Sequence[str], i: int) -> str:
    """Return word `i`, or "" when out of range."""
    return words[i] if 0 <= i < len(words) else ""


def _words(text: str) -> tuple[str, ...]:
    """Normalise `text` and split it into words."""
    return tuple(normalise(text).split())


# --- money ---------------------------------------------------------------------------------

_SCALES: Mapping[str, int] = MappingProxyType(
    {"ty": 1_000_000_000, "trieu": 1_000_000, "nghin": 1_000, "dong": 1}
)
_NOT_MONEY_BEFORE = frozenset({"nam", "thang", "ngay", "so", "hotline", "goi", "mung", "thu"})
_BARE_MONEY_MIN = 10_000
_NOT_MONEY_UNITS = frozenset(
    {"nguoi", "thang", "nam", "tuoi", "quy", "ngay", "lan", "thanh", "khau", "con", "phan"}
)


def _tail_after_scale(words: Sequence[str], j: int, scale: int) -> tuple[float, int]:
    """Read what follows a scale word: "rưỡi", or "2" in "1 triệu 2" (= 1.2 million)."""
    if _word(words, j) == _HALF:
        return scale / 2, j + 1
    if scale < 1_000_000 or j >= len(words):
        return 0.0, j
    tail = _number_at(words, j)
    if tail is None or tail.value < 0 or tail.value >= 1000:
        return 0.0, j
    after = _word(words, tail.end)
    lower = scale // 1000
    if (after, scale) in {("nghin", 1_000_000), ("trieu", 1_000_000_000)}:
        return tail.value * lower, tail.end + 1
    if (after in _SCALES and after != "dong") or after in _NOT_MONEY_UNITS:
        return 0.0, j  # "dong" after "2tr5" is the verb "to pay", not the currency
    digits = len(words[j]) if not tail.spelled else len(str(int(tail.value)))
    return tail.value * lower * 10 ** (3 - min(digits, 3)), tail.end


def money(text: str) -> int | None:
    """Return the first amount of money in `text`, in đồng.

    Understands "3 triệu", "3tr", "1.5 triệu", "1,5tr", "2 triệu rưỡi", "1tr2", "3.000.000",
    "3000000đ", "500 nghìn", "500k", "3 củ" and spelled numbers ("năm trăm nghìn"). A bare
    number counts only from 10.000 up (so "4" or "1900 9068" are not amounts).
    """
    words = _words(text)
    for number in _numbers(words):
        unit = _word(words, number.end)
        sign = -1 if _word(words, number.start - 1) == "am" else 1  # "âm 3 triệu"
        if unit in _SCALES:
            scale = _SCALES[unit]
            extra, _ = _tail_after_scale(words, number.end + 1, scale)
            magnitude = abs(number.value) * scale + extra
            return round(magnitude) * (-1 if number.value < 0 else sign)
        if (
            not number.spelled
            and unit not in _NOT_MONEY_UNITS
            and _word(words, number.start - 1) not in _NOT_MONEY_BEFORE
            and not words[number.start].lstrip("-").startswith("0")
            and abs(number.value) >= _BARE_MONEY_MIN
        ):
            return round(number.value) * sign
    return None


# --- household size ------------------------------------------------------------------------

_MEMBER_UNITS = frozenset({"nguoi", "khau", "suat", "mang"})
_BRACKETS = re.compile(r"\(([^()]*)\)")
_NOT_TOTAL_AFTER = frozenset({"lon", "gia", "thu", "con"})  # "3 người lớn", "2 người con"
_CHILD_WORDS = frozenset({"con", "chau", "be", "dua", "tre", "nguoi"})


def _member_unit_end(words: Sequence[str], j: int) -> int | None:
    """Return the index after a member unit starting at `j` ("người", "thành viên", "nhân khẩu")."""
    word = _word(words, j)
    if word in _MEMBER_UNITS:
        return j + 1
    if word == "thanh" and _word(words, j + 1) == "vien":
        return j + 2
    if word == "nhan" and _word(words, j + 1) == "khau":
        return j + 2
    return None


def household_size(text: str) -> int | None:
    """Return how many people the household has: "nhà 4 người", "bốn người", "4 khẩu".

    Also adds up "vợ chồng và 2 con" (4) and "3 người lớn và 2 trẻ" (5), reads "4 đứa" with
    nobody else named as 4 people, and ignores "người thứ 2". Brackets restate, they do not
    add: "4 đứa (4 người lớn)" is 4; what they hold counts only when the rest says nothing.
    """
    outside = _BRACKETS.sub(" ", clean(text))
    if outside != clean(text):
        inside = " ".join(_BRACKETS.findall(clean(text)))
        found = _household_size(outside)
        return found if found is not None else _household_size(inside)
    return _household_size(text)


def _household_size(text: str) -> int | None:
    words = _words(text)
    numbers = [n for n in _numbers(words) if n.value == int(n.value)]
    for number in numbers:
        end = _member_unit_end(words, number.end)
        if end is None or _word(words, number.start - 1) == "thu":
            continue
        if _word(words, end) not in _NOT_TOTAL_AFTER:
            return int(number.value)
    return _household_from_parts(words, numbers)


def _household_from_parts(words: Sequence[str], numbers: Sequence[_Number]) -> int | None:
    """Add up "vợ chồng" / "N người lớn" and the children named after them."""
    joined = " ".join(words)
    total = 2 if "vo chong" in joined else 0
    adults_named = total > 0
    children = 0
    for number in numbers:
        unit = _word(words, number.end)
        if unit == "nguoi" and _word(words, number.end + 1) == "lon":
            total, adults_named = total + int(number.value), True
        elif unit in _CHILD_WORDS and unit != "nguoi" and number.value > 0:
            children += int(number.value)
        elif unit == "vo" and _word(words, number.end + 1) == "chong":
            adults_named = True  # "hai vợ chồng": already counted
    if not adults_named:
        if children and re.search(r"\b(toi|em|chau|me|bo|minh) va\b", joined):
            return 1 + children
        return _people_counted(words, numbers)
    return total + children


def _people_counted(words: Sequence[str], numbers: Sequence[_Number]) -> int | None:
    """Read "cho 4 đứa trong nhà" as 4 people: one "N đứa" that names no children."""
    counted = [n for n in numbers if _word(words, n.end) == "dua" and n.value > 0]
    if len(counted) != 1 or _word(words, counted[0].end + 1) in _CHILD_WORDS | {"nho", "tre"}:
        return None
    return int(counted[0].value)


# --- months --------------------------------------------------------------------------------

_PERIOD_UNITS: Mapping[str, int] = MappingProxyType({"thang": 1, "nam": 12, "quy": 3})
_DATE_BEFORE = frozenset({"ngay", "mung", "hom"})
_YEARLY = re.compile(r"\b(ca|hang|moi|theo|tron|tung) nam\b(?! (nay|sau|truoc|ngoai|toi))")
_QUARTERLY = re.compile(r"\b(hang|moi|theo|tung) quy\b")
_A_QUARTER = re.compile(r"\bquy\b(?! (khach|vi|co quan|ong|ba|anh|chi|cu)\b)")
_MONTHLY = re.compile(r"\b(hang|moi|theo|tung) thang\b")
_MONTH_SPAN = re.compile(
    r"\btu thang (?P<a>\d{1,2}) (?:den|toi) (?:het )?(?:thang )?(?P<b>\d{1,2})\b"
    r"|\btu (?P<c>\d{1,2}) (?:den|toi) (?:het )?thang (?P<d>\d{1,2})\b"
)


def months(text: str) -> int | None:
    """Return a period in months: "6 tháng", "sáu tháng", "1 năm" (12), "nửa năm" (6), "quý" (3).

    "năm" is a year after a number ("một năm"), the number five before a unit ("năm người") and
    neither in "năm nay". Also "1 năm 6 tháng" (18), "2 năm rưỡi" (30), "cả năm" (12),
    "hằng quý" (3), "hằng tháng" (1) and "từ tháng 1 đến tháng 12" (12, counted around the
    year's end too).
    """
    words = _words(text)
    joined = " ".join(words)
    span = _MONTH_SPAN.search(joined)
    if span is not None:
        opening, closing = (
            int(span.group("a") or span.group("c")),
            int(span.group("b") or span.group("d")),
        )
        if 1 <= opening <= 12 and 1 <= closing <= 12:
            return (closing - opening) % 12 + 1
    for number in _numbers(words):
        unit = _word(words, number.end)
        if unit not in _PERIOD_UNITS or _word(words, number.start - 1) in _DATE_BEFORE:
            continue
        after = _word(words, number.end + 1)
        if unit == "thang" and words[number.start] == "sau" and after[:1].isdigit():
            continue  # "sau tháng 6" = after June
        total = number.value * _PERIOD_UNITS[unit]
        if after == _HALF:
            total += _PERIOD_UNITS[unit] / 2
        elif unit == "nam" and after:
            extra = _number_at(words, number.end + 1)
            if extra is not None and _word(words, extra.end) == "thang":
                total += extra.value
        return round(total)
    if _YEARLY.search(joined):
        return 12
    if _QUARTERLY.search(joined) or _A_QUARTER.search(joined):
        return 3
    if _MONTHLY.search(joined):
        return 1
    return None


# --- age -----------------------------------------------------------------------------------


def age(text: str) -> int | None:
    """Return an age in years: "68 tuổi", "sáu mươi tám tuổi", "bác năm nay 68"."""
    words = _words(text)
    numbers = _numbers(words)
    for number in numbers:
        if _word(words, number.end) == "tuoi":
            return int(number.value)
    this_year = [i + 2 for i in range(len(words) - 1) if words[i : i + 2] == ("nam", "nay")]
    for number in numbers:
        unit = _word(words, number.end)
        if (
            any(0 <= number.start - end <= 2 for end in this_year)  # "năm nay (bác) 68"
            and unit not in _NOT_MONEY_UNITS
            and unit not in _SCALES
            and number.value == int(number.value)
            and abs(number.value) < 1000
        ):
            return int(number.value)
    return None


# --- support group -------------------------------------------------------------------------

_BEST_SUPPORTED_FIRST: tuple[SupportGroup, ...] = ("poor", "near_poor", "ethnic_minority")
_NEGATIONS = frozenset({"khong", "chua", "chang"})
_NOT_A_GROUP_BEFORE_NGHEO = frozenset({"thoat", "chuan", "giam"})
_MINORITY = re.compile(r"\b(dan toc thieu so|thieu so|dong bao dan toc|nguoi dan toc|dan toc)\b")


def _negated(words: Sequence[str], start: int) -> bool:
    """Tell whether one of the three words before `start` negates what follows."""
    return any(word in _NEGATIONS for word in words[max(0, start - 3) : start])


def support_group(text: str) -> SupportGroup | None:
    """Return the support group a resident says they belong to, the best-supported one first.

    "hộ nghèo" → "poor", "cận nghèo" → "near_poor", "dân tộc thiểu số" / "DTTS" / "đồng bào
    dân tộc" → "ethnic_minority". Ignores "không phải hộ nghèo", "thoát nghèo", "chuẩn nghèo"
    and "dân tộc Kinh".
    """
    words = _words(text)
    found: set[SupportGroup] = set()
    for i, word in enumerate(words):
        if word != "ngheo":
            continue
        previous = _word(words, i - 1)
        if previous == "can":
            if not _negated(words, i - 1):
                found.add("near_poor")
            continue
        if previous == "ho" and _word(words, i - 2) in _NOT_A_GROUP_BEFORE_NGHEO:
            continue
        if previous in _NOT_A_GROUP_BEFORE_NGHEO or _negated(words, i):
            continue
        found.add("poor")
    joined = " ".join(words)
    for match in _MINORITY.finditer(joined):
        start = joined[: match.start()].count(" ")
        end = start + match.group().count(" ") + 1
        if _word(words, end) != "kinh" and not _negated(words, start):
            found.add("ethnic_minority")
    return next((group for group in _BEST_SUPPORTED_FIRST if group in found), None)


# --- a resident's own facts: sex, years paid, birth month, children born, member position ---

_FEMALE = re.compile(
    r"\b(?:nu|phu nu|dan ba|con gai|vo toi|vo minh|vo em|vo tui|me toi|me minh|me em|me tui|"
    r"ba xa|chi gai|em gai)\b"
)
_MALE = re.compile(
    r"\b(?:dan ong|dan ong|con trai|dan anh|chong toi|chong minh|chong em|chong tui|bo toi|"
    r"bo minh|bo em|ba toi|cha toi|ong xa|anh trai|em trai|ong nha)\b"
)
_NOT_MALE_AFTER = frozenset({"nay", "ngoai", "sau", "truoc", "roi", "moi", "nao", "do", "kia"})
_ACCENTED_NAM = re.compile(r"\bn[ăắằẳẵặ]m\b", re.IGNORECASE)


def sex(text: str) -> Literal["male", "female"] | None:
    """Return the sex a resident states: "nữ", "phụ nữ", "vợ tôi" / "nam", "đàn ông", "chồng tôi".

    Without diacritics "nam" is both "male" and "year": it counts as male only where no number
    stands before or after it ("nam đóng 30 năm", not "30 năm" or "năm 2000").
    """
    cleaned = text.lower()
    folded = " ".join(_words(text))
    female = _FEMALE.search(folded)
    male = _MALE.search(folded)
    words = folded.split()
    accented = any(ord(c) > 127 for c in cleaned)
    raw_words = re.findall(r"\w+", cleaned)
    for i, word in enumerate(words):
        if word != "nam":
            continue
        if accented and len(raw_words) == len(words) and raw_words[i] != "nam":
            continue  # "năm" spelt with its breve is a year
        before, after = _word(words, i - 1), _word(words, i + 1)
        if before[:1].isdigit() or after[:1].isdigit() or after in _NOT_MALE_AFTER:
            continue
        if before in _DIGIT_WORDS or before in {"muoi", "nhieu", "may", "moi", "hang", "ca"}:
            continue
        if male is None or i < male.start():
            male = re.search(r"\bnam\b", folded)
        break
    if female and (not male or female.start() < male.start()):
        return "female"
    return "male" if male else None


def years_paid(text: str) -> int | None:
    """Return the years of contributions: "đóng 20 năm", "được 17 năm", "hơn 20 năm rồi"."""
    words = _words(text)
    for number in _numbers(words):
        if number.spelled and number.value == 5 and _word(words, number.end) != "nam":
            continue
        if _word(words, number.end) != "nam" or number.value != int(number.value):
            continue
        if _word(words, number.start - 1) in {"sinh", "nam", "thang", "ngay"}:
            continue
        if not 0 < number.value <= 60 or len(_word(words, number.end + 1)) == 4 == sum(
            c.isdigit() for c in _word(words, number.end + 1)
        ):
            continue
        if _word(words, number.end + 1) in {"tuoi", "truoc", "sau", "nua"}:
            continue
        return int(number.value)
    return None


_BIRTH = re.compile(
    r"\bsinh (?:ngay (?:\d{1,2})[.] ?|ngay \d{1,2} )?(?:thang )?"
    r"(?:(?:(?P<day>\d{1,2})[.])?(?P<month>\d{1,2})[.](?P<year>\d{4})"
    r"|(?P<month2>\d{1,2}) (?:nam )?(?P<year2>\d{4})"
    r"|(?:nam )?(?P<year3>\d{4}))(?!\d)"
)
_DATE_SEPARATOR = re.compile(r"(?<=\d)\s*[/-]\s*(?=\d)")


def birth(text: str) -> tuple[int, int | None] | None:
    """Return the birth year and month (month None when not said): "sinh tháng 2/1965",
    "sinh tháng 2 năm 1970", "sinh năm 1966", "sinh 5/3/1966"."""
    folded = fold(_DATE_SEPARATOR.sub(".", clean(text)))
    found = _BIRTH.search(folded)
    if found is None:
        return None
    year = int(found.group("year") or found.group("year2") or found.group("year3"))
    said = found.group("month") or found.group("month2")
    month = int(said) if said else None
    if not 1900 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        return None
    if found.group("day") and month is not None:
        try:
            date(year, month, int(found.group("day")))
        except ValueError:
            return None  # 31/2: not a real date, so not a birth date
    return year, month


_MULTIPLE_BIRTHS = {"doi": 2, "ba": 3, "tu": 4, "nam": 5}
_SPELLED_BIRTHS = re.compile(r"\b(?:sinh|de) (?P<n>doi|ba|tu)\b|\bsong sinh\b|\bsinh doi\b")
_CHILD_COUNT = re.compile(r"\b(?:sinh|de)(?: \w+){0,2}? (?P<n>\d) (?:con|be|dua|chau|em be)\b")


def children_born(text: str) -> int | None:
    """Return how many children one birth brings: "sinh đôi" (2), "sinh ba" (3), "sinh 2 bé"."""
    folded = " ".join(_words(text))
    found = _SPELLED_BIRTHS.search(folded)
    if found is not None:
        return _MULTIPLE_BIRTHS.get(found.group("n") or "doi", 2)
    counted = _CHILD_COUNT.search(folded)
    if counted is not None and 0 < int(counted.group("n")) <= 9:
        return int(counted.group("n"))
    return None


_POSITION = re.compile(
    r"\b(?:nguoi |thanh vien |khau )?thu (?P<n>\d{1,2}|hai|ba|bon|tu|nam|nhat)\b"
)
_POSITION_WORDS = {"nhat": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5}


def member_position(text: str) -> int | None:
    """Return the household member's place asked about: "người thứ 2", "người thứ nhất"."""
    folded = " ".join(_words(text))
    found = _POSITION.search(folded)
    if found is None or not found.group(0).startswith(("nguoi", "thanh vien", "khau", "thu")):
        return None
    said = found.group("n")
    number = int(said) if said.isdigit() else _POSITION_WORDS[said]
    return number if 1 <= number <= 20 else None


_JOINED = re.compile(
    r"\b(?:tu|truoc|tham gia|dong)(?: nam)? (?P<year>(?:19|20)\d\d)(?!\d)"
    r"|\btruoc (?:nam )?(?P<before>2021)\b"
)


def joined_year(text: str) -> int | None:
    """Return the year someone began paying: "đóng từ năm 2000", "tham gia 2015"; "trước 2021"
    gives 2020."""
    folded = " ".join(_words(text))
    found = _JOINED.search(folded)
    if found is None:
        return None
    if found.group("before"):
        return 2020
    return int(found.group("year"))


# --- figures the resident asks to confirm --------------------------------------------------

# "... la 9 trieu dung khong" (folded): a figure offered to be confirmed, not the resident's own.
_CLAIM = re.compile(r"\bla (?:(?!la\b)\S+ ){1,4}?(?:dung|phai|that) (?:khong|ko|k|ha|a|chu)\b")


def without_claims(text: str) -> str:
    """Return the normalised text without figures offered for confirmation, so a claimed
    amount is never taken for the resident's income."""
    words = " ".join(_words(text))
    return _CLAIM.sub(lambda m: " " if any(c.isdigit() for c in m.group()) else m.group(), words)
