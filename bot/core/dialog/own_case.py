"""Questions that carry the resident's own facts: compute their figure, not the general page.

Pension share for their years and sex, the month they reach retirement age, the maternity
grant for twins, a pensioner's survivors' grant, and one household member's amount. Each
returns None when the message lacks what its computation needs, so the topic page answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.core import extract
from bot.core.asked import asked_time, without_times
from bot.core.card_dates import (
    child_card_end,
    renewed_from,
    voluntary_deadline,
)
from bot.core.dialog.menu import back_to_menu
from bot.core.household_people import Family, family
from bot.core.pension import SURVIVOR_GRANT_SOURCE, Sex, pension_share, survivor_grant
from bot.core.premiums import QuoteError, household_quote, near_poor_quote, student_quote
from bot.core.rates import RateBook
from bot.core.retirement import (
    EARLY_JOINED_BEFORE,
    EARLY_MIN_YEARS,
    RETIREMENT_SOURCE,
    age_in_year,
    early_retirement,
    retirement,
)
from bot.core.text import fold
from bot.core.types import Choice, Decision, Say

__all__ = ["OwnCase"]

_RETIREMENT = frozenset({"bhxh_tn_tuoi_nghi_huu", "bhxh_tn_huu_tri"})
_HOUSEHOLD = frozenset({"bhyt_hgd_muc_dong", "bhyt_hgd_giam_tru", "bhyt_hgd_ky_dong"})
_RETIREMENT_WORDS = re.compile(r"\b(?:nghi huu|ve huu|tuoi huu|huu tri)\b")
_PENSION_WORDS = re.compile(r"\b(?:luong huu|huu tri)\b")
_MATERNITY_WORDS = re.compile(r"\b(?:thai san|sinh doi|sinh ba|song sinh)\b")
_SURVIVOR_WORDS = re.compile(r"\b(?:tuat|tu tuat)\b")
_SEXES: tuple[Sex, ...] = ("male", "female")
_CARD_TOPICS = frozenset({"the_gia_han", "the_gia_tri"})
_VISIT_TOPICS = frozenset({"bhyt_kham_duoi_15", "bhyt_muc_huong", "bhyt_chuyen_tuyen"})
_EXPIRY = re.compile(
    r"\b(?:het han|con han|han den|han toi|han su dung|gia tri den|dung den|het ngay|den ngay)\b"
)
_VISIT_WORDS = re.compile(r"\b(?:kham|chi phi|vien phi|het|tien thuoc|dieu tri|nam vien)\b")
_MAX_VISIT = 1_000_000_000
_DEADLINE = re.compile(r"\b(?:han chot|han cuoi|cham nhat|han nop|han dong|truoc ngay|ngay nao)\b")
_MODES = (1, 3, 6, 12)
_FUNERAL_WORDS = re.compile(r"\bmai tang\b")
_PENSIONER = re.compile(r"\b(?:luong huu|dang huong huu|nghi huu roi|ve huu roi)\b")
_FUNERAL_MIN_MONTHS = 60
_FAMILY_TOPICS = frozenset(
    {*_HOUSEHOLD, "bhyt_hoc_sinh", "bhyt_nguoi_cao_tuoi", "bhyt_tre_em", "bhyt_hgd_doi_tuong"}
)
"""Pages a message describing a family may land on; its price is still the household's."""
_PRICE = re.compile(r"\b(?:bao nhieu|het bao|bnhieu|nhieu tien|tinh (?:gium|giup|dum)|gia)\b")
_MAX_MONTHS_DRAWN = 1200


@dataclass(frozen=True, slots=True)
class OwnCase:
    """Computes the answers for the facts a resident states about themselves."""

    book: RateBook

    def answer(self, text: str, topic_id: str, today: date, day: date) -> Decision | None:
        """Return the resident's own figure for the matched topic, or None to show the page."""
        if topic_id in _FAMILY_TOPICS:
            described = self._described(text, day)
            if described is not None:
                return described
        if topic_id in _RETIREMENT:
            found = self._retirement(text, today)
            if found is not None:
                return found
            if topic_id == "bhxh_tn_tuoi_nghi_huu":
                return self._age_in_year(text, today)
            return self._pension(text, day)
        if topic_id == "bhxh_tn_thai_san":
            return self._maternity(text, day)
        if topic_id == "bhxh_tn_tu_tuat":
            return self._funeral(text, day) or self._survivors(text)
        if topic_id in _HOUSEHOLD:
            return self._household(text, day)
        if topic_id == "bhyt_tre_em":
            return self._child_card(text, today)
        if topic_id in _CARD_TOPICS:
            return self._renewal(text, today)
        if topic_id in _VISIT_TOPICS:
            return self._visit(text, day)
        if topic_id == "bhxh_tn_phuong_thuc":
            return self._deadline(text, today)
        return None

    def _child_card(self, text: str, today: date) -> Decision | None:
        """Answer "con sinh 15/3/2021, thẻ trẻ em hết hạn khi nào" with the card's last day."""
        born = extract.birth(text)
        if born is None or born[1] is None or not today.year - 7 <= born[0] <= today.year:
            return None
        end = child_card_end(born[0], born[1])
        data = {"born": date(born[0], born[1], 1), "end": end, "ended": end < today}
        return _say("own/child_card", data)

    def _renewal(self, text: str, today: date) -> Decision | None:
        """Answer "thẻ còn hạn đến 31/12/2026, đóng tiếp đúng hạn thì thẻ mới từ ngày nào"."""
        folded = fold(text)
        asked = asked_time(text, today)
        if asked is None or asked.precision != "day" or not _EXPIRY.search(folded):
            return None
        expiry = asked.start
        data = {"expiry": expiry, "new_from": renewed_from(expiry)}
        return _say("own/renewal", data)

    def _visit(self, text: str, day: date) -> Decision | None:
        """Answer "khám hết 370 nghìn thì BHYT trả bao nhiêu" against the 15% threshold."""
        cost = extract.money(without_times(text))
        if cost is None or not 0 < cost < _MAX_VISIT or not _VISIT_WORDS.search(fold(text)):
            return None
        figures = self.book.snapshot(day)
        data = {"cost": cost, "f": figures, "below": cost < figures.visit_threshold}
        return _say("own/visit", data)

    def _deadline(self, text: str, today: date) -> Decision | None:
        """Answer "đóng theo tháng cho tháng 1/2027 thì hạn chót ngày nào"."""
        folded = fold(text)
        asked = asked_time(text, today)
        if asked is None or asked.precision not in ("month", "day") or not _DEADLINE.search(folded):
            return None
        first = date(asked.start.year, asked.start.month, 1)
        said = extract.months(without_times(text))
        modes = (said,) if said in _MODES else _MODES
        deadlines = tuple((m, voluntary_deadline(m, first)) for m in modes)
        data = {"first": first, "deadlines": deadlines}
        return _say("own/deadline", data)

    def _funeral(self, text: str, day: date) -> Decision | None:
        """Answer the funeral grant for a death on `day` after the years paid (or a pension)."""
        folded = fold(text)
        if not _FUNERAL_WORDS.search(folded):
            return None
        years = extract.years_paid(without_times(text))
        pensioner = _PENSIONER.search(folded) is not None
        if years is None and not pensioner:
            return None
        figures = self.book.snapshot(max(day, self.book.covers_from()))
        eligible = pensioner or (years is not None and years * 12 >= _FUNERAL_MIN_MONTHS)
        data = {"f": figures, "years": years, "pensioner": pensioner, "eligible": eligible}
        row = self.book.row("funeral_grant_multiple", figures.on)
        return _say("own/funeral", {**data, "source": row.source})

    def unmatched(self, text: str, today: date, day: date) -> Decision | None:
        """Answer a question no topic matched confidently when it clearly carries own facts."""
        folded = fold(text)
        if _RETIREMENT_WORDS.search(folded):
            found = self._retirement(text, today)
            if found is not None:
                return found
        if _PENSION_WORDS.search(folded):
            found = self._pension(text, day)
            if found is not None:
                return found
        if _MATERNITY_WORDS.search(folded):
            found = self._maternity(text, day)
            if found is not None:
                return found
        if _SURVIVOR_WORDS.search(folded):
            return self._survivors(text)
        return None

    def subsidised_monthly(self, kind: str, members: int, day: date) -> Decision:
        """Answer a student's or near-poor person's premium asked "mỗi tháng", for `members`."""
        price = student_quote if kind == "student" else near_poor_quote
        periods = self.book.integers("payment_periods", day)
        quotes = tuple(price(self.book, months, day) for months in periods)
        data = {"kind": kind, "q": quotes[-1], "quotes": quotes, "members": max(members, 1)}
        return _say("own/subsidised_monthly", data)

    def household(self, text: str, day: date) -> Decision | None:
        """Answer one member's amount or a household's monthly amount (any topic)."""
        return self._household(text, day)

    def _pension(self, text: str, day: date) -> Decision | None:
        years = extract.years_paid(text)
        if years is None:
            return None
        said = extract.sex(text)
        income = extract.money(text)
        shares = tuple(
            pension_share(self.book, sex, years, day, income) for sex in _one_or_both(said)
        )
        return _say("own/pension", {"shares": shares, "years": years})

    def _retirement(self, text: str, today: date) -> Decision | None:
        born = extract.birth(text)
        said = extract.sex(text)
        joined = extract.joined_year(text)
        years = extract.years_paid(text)
        if joined is not None and years is None:
            years = today.year - joined
        early_case = joined is not None and joined < EARLY_JOINED_BEFORE
        if born is None and not early_case:
            return None
        cases: list[dict[str, Any]] = []
        if born is not None:
            year, month = born
            months = (month,) if month is not None else (1, 12)
            for sex in _one_or_both(said):
                for m in months:
                    normal = retirement(sex, year, m)
                    early = early_retirement(sex, year, m)
                    cases.append(
                        {
                            "r": normal,
                            "early": early if early_case else None,
                            "reached": normal.reached_by(today.year, today.month),
                        }
                    )
        data = {
            "cases": tuple(cases),
            "month_known": born is not None and born[1] is not None,
            "early_case": early_case,
            "early_full": early_case and years is not None and years >= EARLY_MIN_YEARS,
            "joined": joined,
            "years": years,
            "sexes": _one_or_both(said),
            "today": today,
            "source": RETIREMENT_SOURCE,
        }
        return _say("own/retirement", data)

    def _age_in_year(self, text: str, today: date) -> Decision | None:
        """Answer "năm 2023 nữ nghỉ hưu bao nhiêu tuổi": the age in force in that year."""
        asked = asked_time(text, today)
        said = extract.sex(text)
        if asked is None and said is None:
            return None
        year = asked.start.year if asked is not None else today.year
        if not 1990 <= year <= 2100:
            return None
        ages = tuple((sex, age_in_year(sex, year)) for sex in _one_or_both(said))
        return _say(
            "own/retirement_year", {"year": year, "ages": ages, "source": RETIREMENT_SOURCE}
        )

    def _maternity(self, text: str, day: date) -> Decision | None:
        children = extract.children_born(text)
        if children is None:
            return None
        grant = self.book.integer("maternity_grant", max(day, self.book.covers_from()))
        source = self.book.row("maternity_grant", max(day, self.book.covers_from())).source
        data = {"children": children, "each": grant, "total": grant * children, "source": source}
        return _say("own/maternity", data)

    def _survivors(self, text: str) -> Decision | None:
        if not _PENSIONER.search(fold(text)):
            return None
        pension = extract.money(without_times(text))
        drawn = extract.months(without_times(text))
        if pension is None or drawn is None or not 0 <= drawn <= _MAX_MONTHS_DRAWN:
            return None
        grant = survivor_grant(pension, drawn)
        months = grant.months
        shown = str(months.numerator) if months.denominator == 1 else f"{float(months):.1f}"
        data = {"g": grant, "months": shown.replace(".", ","), "source": SURVIVOR_GRANT_SOURCE}
        return _say("own/survivors", data)

    def _described(self, text: str, day: date) -> Decision | None:
        """Price a family the message describes: some covered, or a price asked for them."""
        described = family(text)
        if described is None:
            return None
        if not described.covered and not _PRICE.search(fold(text)):
            return None
        return self._family(described, extract.months(without_times(text)), day)

    def _household(self, text: str, day: date) -> Decision | None:
        months = extract.months(text)
        described = self._described(text, day)
        if described is not None:
            return described
        members = extract.household_size(text)
        position = extract.member_position(text)
        if members is None and position is not None:
            return self._member(position, months, day)
        if members is not None and months == 1:
            return self._monthly(members, day)
        return None

    def _family(self, described: Family, months: int | None, day: date) -> Decision | None:
        periods = self.book.integers("payment_periods", day)
        period = months if months in periods else periods[-1]
        quote = None
        if described.needing:
            try:
                quote = household_quote(self.book, described.needing, period, day)
            except QuoteError:
                return None
        data = {
            "family": described,
            "covered": described.covered,
            "q": quote,
            "f": self.book.snapshot(day),
        }
        return _say("own/household_people", data, household=True)

    def _member(self, position: int, months: int | None, day: date) -> Decision | None:
        try:
            quote = household_quote(self.book, position, 12, day)
        except QuoteError:
            return None
        line = quote.lines[-1]
        periods = self.book.integers("payment_periods", day)
        data = {
            "line": line,
            "position": position,
            "periods": tuple((p, line.monthly * p) for p in periods),
            "asked": months,
            "q": quote,
        }
        return _say("own/member", data, household=True)

    def _monthly(self, members: int, day: date) -> Decision | None:
        try:
            quote = household_quote(self.book, members, 12, day)
        except QuoteError:
            return None
        periods = self.book.integers("payment_periods", day)
        return _say("own/household_monthly", {"q": quote, "periods": periods}, household=True)


def _one_or_both(said: Sex | None) -> tuple[Sex, ...]:
    return (said,) if said is not None else _SEXES


def _say(template: str, data: dict[str, Any], *, household: bool = False) -> Decision:
    extra = (Choice("calc:kind:household", "calc.for_my_household"),) if household else ()
    choices = (*extra, Choice("reg", "reg.start"), *back_to_menu())
    return Decision(says=(Say(template, data, choices),))
