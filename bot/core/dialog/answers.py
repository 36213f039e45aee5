"""Free-text questions and topic browsing: match a topic, compute the resident's own figure."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from bot.core import extract
from bot.core.asked import (
    AskedTime,
    asked_time,
    later_times,
    span_months,
    unread_time,
    without_times,
)
from bot.core.dialog.calculator import FLOW as CALC_FLOW
from bot.core.dialog.calculator import Calculator
from bot.core.dialog.menu import MAIN_MENU, back_to_menu, main_menu
from bot.core.dialog.own_case import OwnCase
from bot.core.dialog.registration import Registration
from bot.core.dialog.reminders import Reminders
from bot.core.dialog.turn import Turn
from bot.core.effects import Stop
from bot.core.facts import FactBook
from bot.core.household_people import family
from bot.core.knowledge import KnowledgeBase, Topic
from bot.core.priced_on import priced_on
from bot.core.rates import RateBook
from bot.core.text import fold
from bot.core.types import Choice, Decision, Say, State

__all__ = ["GROUPS", "OFFERED", "Answers"]

GROUPS = ("bhyt_hgd", "doi_tuong", "quyen_loi", "the_bhyt", "bhxh_tn", "thanh_toan", "lien_he")
_HOUSEHOLD = frozenset({"bhyt_hgd_muc_dong", "bhyt_hgd_giam_tru", "bhyt_hgd_ky_dong"})
_VOLUNTARY = frozenset({"bhxh_tn_muc_dong", "bhxh_tn_ho_tro", "bhxh_tn_la_gi"})
_EXTRACTORS: tuple[tuple[str, Callable[[str], int | str | None]], ...] = (
    ("members", extract.household_size),
    ("months", extract.months),
    ("income", extract.money),
    ("group", extract.support_group),
)
_VOLUNTARY_MODES = "bhxh_tn_phuong_thuc"
"""The page on how often to pay: an income there is still a price question."""
_VOLUNTARY_WORDS = re.compile(r"\b(?:tu nguyen|bhxh|bao hiem xa hoi)\b")
_LOWEST = re.compile(r"\b(?:thap nhat|toi thieu|it nhat)\b")
_ORDINARY = re.compile(r"\b(?:binh thuong|khong thuoc (?:dien|nhom) nao|dien khac|nguoi khac)\b")
OFFERED = State(CALC_FLOW, "offered", {"kind": "household"})
"""After a household price page ("Gõ số người trong nhà để tính"): a typed number is the size."""
_SUBSIDISED = {"bhyt_hoc_sinh": "student", "bhyt_can_ngheo": "near_poor"}
"""Pages of the groups whose premium the state partly pays, and their calculator kinds."""
_STUDENT = re.compile(r"\b(?:sinh vien|hoc sinh|hssv)\b")
_ELDERLY_FROM = 60
"""The age from which a free-card question is about the elderly (domain.md §3)."""
_REGISTER_FIRST = frozenset({"giay_to", "dong_o_dau"})
"""Pages about getting a card made, where an officer's call is the likely next step."""
_FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "bhyt_hgd_muc_dong": ("bhyt_hgd_giam_tru", "dong_o_dau"),
    "bhyt_hgd_doi_tuong": ("bhyt_hgd_muc_dong", "the_gia_tri"),
    "the_gia_han": ("the_gia_tri", "bhyt_5_nam"),
    "bhxh_tn_muc_dong": ("bhxh_tn_ho_tro", "bhxh_tn_phuong_thuc"),
    "bhxh_tn_la_gi": ("bhxh_tn_muc_dong", "bhxh_tn_huu_tri"),
}


@dataclass(frozen=True, slots=True)
class Answers:
    """Answers questions from the knowledge base and hands figures to the calculator."""

    kb: KnowledgeBase
    book: RateBook
    calculator: Calculator
    reminders: Reminders
    facts: FactBook

    def groups(self) -> Decision:
        """Show the topic groups to browse."""
        choices = tuple(Choice(f"group:{g}", f"group.{g}") for g in GROUPS)
        return Decision(says=(Say("topics/groups", choices=(*choices, *back_to_menu())),))

    def group(self, group: str) -> Decision:
        """Show the topics of one group as buttons."""
        topics = self.kb.in_group(group) if group in GROUPS else ()
        if not topics:
            return self.groups()
        choices = tuple(self._topic_choice(t) for t in topics)
        back = Choice("topics", "topics.back")
        return Decision(
            says=(Say("topics/group", {"group": group}, (*choices, back, *back_to_menu())),)
        )

    def topic(self, turn: Turn, topic_id: str, on: date | None = None) -> Decision:
        """Answer one info topic with the figures of `on` (default: today)."""
        topic = self.kb.get(topic_id)
        if topic is None or topic.kind != "info":
            return self.groups()
        day = on or turn.today
        figures = self.book.snapshot(day)
        follow = tuple(
            self._topic_choice(t)
            for t in (self.kb.get(i) for i in _FOLLOW_UPS.get(topic_id, ()))
            if t is not None
        )
        extra: tuple[Choice, ...] = ()
        if topic_id in _HOUSEHOLD:
            extra = (Choice("calc:kind:household", "calc.for_my_household"),)
        elif topic_id in _VOLUNTARY:
            extra = (Choice("calc:kind:voluntary", "calc.for_my_income"),)
        register = Choice("reg", "reg.start")
        upcoming = self.book.next_change(day) if day == turn.today else None
        shown = {
            "f": figures,
            "g": self.book.snapshot(upcoming) if upcoming else None,
            "past": day < turn.today,
        }
        if topic_id in _REGISTER_FIRST:
            choices = (register, *extra, *follow, *back_to_menu())
        else:
            choices = (*extra, *follow, register, *back_to_menu())
        say = Say(f"topics/{topic_id}", shown, choices)
        return Decision(says=(say,), state=OFFERED if topic_id in _HOUSEHOLD else None)

    def question(self, turn: Turn) -> Decision:
        """Answer a typed question: an intent, a topic, a personal figure, or "not sure"."""
        matches = self.kb.match(turn.text)
        best = matches[0].topic_id if matches and self.kb.is_confident(matches) else None
        asked = asked_time(turn.text, turn.today, self._raises())
        unread = None if asked else unread_time(turn.text)
        read = without_times(turn.text) if asked or unread else turn.text
        figures = self._numbers(extract.without_claims(read))
        if asked is not None and asked.precision == "range" and "months" not in figures:
            figures["months"] = span_months(asked)
        later = self._later(turn, figures.get("months"))
        if best is not None and self.kb.get(best) is not None:
            topic = self.kb.get(best)
            assert topic is not None
            if topic.kind == "intent":
                return self._intent(turn, best, figures)
        fact = self.facts.asked(turn.text)
        if fact is not None:
            return self._fact(turn, fact.id, fact.source)
        if best is not None and self.kb.get(best) is not None:
            best = _own_group_page(best, turn.text, figures)
            topic = self.kb.get(best)
            assert topic is not None
            bhxh = _needs_bhxh(best, figures)
            when = priced_on(self.book, asked, turn.today, bhxh=bhxh, unread=unread, later=later)
            own = OwnCase(self.book).answer(turn.text, best, turn.today, when.day)
            if own is not None:
                return _headed(when.header(self.book), own) if best in _HOUSEHOLD else own
            if best in _VOLUNTARY and when.problem in ("", "partly"):
                figures = {**self._lowest_income(turn.text, when.day), **figures}
            dated = {**figures, "on": when.day.isoformat()} if when.moved else figures
            personal = self._personal(turn, best, dated)
            return _headed(when.header(self.book), personal or self.topic(turn, best, when.day))
        own = OwnCase(self.book).unmatched(turn.text, turn.today, turn.today)
        if own is not None:
            return own
        page = _group_page(turn.text, figures)
        if page is not None and "months" in figures:
            when = priced_on(self.book, asked, turn.today, bhxh=False, unread=unread, later=later)
            dated = {**figures, "on": when.day.isoformat()} if when.moved else figures
            personal = self._personal(turn, page, dated)
            if personal is not None:
                return _headed(when.header(self.book), personal)
        if "income" in figures and _VOLUNTARY_WORDS.search(fold(turn.text)):
            when = priced_on(self.book, asked, turn.today, bhxh=True, unread=unread, later=later)
            dated = {**figures, "on": when.day.isoformat()} if when.moved else figures
            answer = self.calculator.start(turn, {"kind": "voluntary", **dated})
            return _headed(when.header(self.book), answer)
        if "members" in figures:
            when = priced_on(self.book, asked, turn.today, bhxh=False, unread=unread, later=later)
            dated = {**figures, "on": when.day.isoformat()} if when.moved else figures
            own = OwnCase(self.book).household(turn.text, when.day)
            answer = own or self.calculator.start(turn, {"kind": "household", **dated})
            return _headed(when.header(self.book), answer)
        closest = tuple(
            self._topic_choice(t)
            for t in (self.kb.get(m.topic_id) for m in matches)
            if t is not None and t.kind == "info"
        )
        return Decision(says=(Say("unsure", choices=(*closest, *MAIN_MENU)),))

    def _fact(self, turn: Turn, fact_id: str, source: str) -> Decision:
        """Answer a short fact with today's figures and those of the changes ahead."""
        ahead = tuple(self.book.snapshot(d) for d in self.book.changes() if d > turn.today)
        data = {"f": self.book.snapshot(turn.today), "ahead": ahead, "source": source}
        choices = (Choice("reg", "reg.start"), *back_to_menu())
        return Decision(says=(Say(f"facts/{fact_id}", data, choices),))

    def understands(self, text: str) -> bool:
        """Tell whether a typed text confidently matches a topic, an intent or a short fact."""
        return self.kb.is_confident(self.kb.match(text)) or self.facts.asked(text) is not None

    def _personal(
        self, turn: Turn, topic_id: str, figures: dict[str, int | str]
    ) -> Decision | None:
        if topic_id in _HOUSEHOLD and "members" in figures:
            return self.calculator.start(turn, {"kind": "household", **figures})
        if (topic_id in _VOLUNTARY or topic_id == _VOLUNTARY_MODES) and "income" in figures:
            return self.calculator.start(turn, {"kind": "voluntary", **figures})
        kind = _SUBSIDISED.get(topic_id)
        if kind is not None and figures.get("months") == 1:
            day = date.fromisoformat(str(figures["on"])) if "on" in figures else turn.today
            members = figures.get("members")
            count = members if isinstance(members, int) else 1
            return OwnCase(self.book).subsidised_monthly(kind, count, day)
        if kind is not None and "months" in figures:
            return self.calculator.start(turn, {"kind": kind, **figures})
        return None

    def _intent(self, turn: Turn, intent: str, figures: dict[str, int | str]) -> Decision:
        if intent == "stop":
            return Decision(says=(Say("stopped"),), effects=(Stop(),))
        if intent == "calculator":
            kind = "voluntary" if "income" in figures else "household"
            return self.calculator.start(turn, {"kind": kind, **figures} if figures else {})
        if intent == "thanks":
            return Decision(says=(Say("thanks", choices=back_to_menu()),))
        if intent == "register":
            return Registration().start(turn, turn.text)
        if intent == "remind":
            return self.reminders.start()
        return Decision(says=(main_menu("start", name=turn.incoming.display_name),))

    def _lowest_income(self, text: str, day: date) -> dict[str, int | str]:
        """Read "mức thấp nhất" as the lowest income allowed on `day`, "bình thường" as no group."""
        folded = fold(text)
        found: dict[str, int | str] = {}
        if _LOWEST.search(folded):
            found["income"] = self.book.integer("poverty_line", day)
            found["lowest"] = 1
        if _ORDINARY.search(folded):
            found["group"] = "other"
        return found

    def _later(self, turn: Turn, months: int | str | None) -> tuple[AskedTime, ...]:
        """Return the times named after the first one, outside the months it starts."""
        times = later_times(turn.text, turn.today, self._raises())
        if not times or not isinstance(months, int):
            return times
        first = asked_time(turn.text, turn.today, self._raises())
        assert first is not None
        month = first.start.year * 12 + first.start.month - 1
        return tuple(
            t for t in times if not 0 <= t.start.year * 12 + t.start.month - 1 - month < months
        )

    def _raises(self) -> tuple[date, ...]:
        """Return the days the base salary changed."""
        return tuple(row.start for row in self.book.rows("base_salary")[1:])

    @staticmethod
    def _numbers(text: str) -> dict[str, int | str]:
        """Return the numbers a question carries: members, months, income, support group."""
        found = {name: read(text) for name, read in _EXTRACTORS}
        return {name: value for name, value in found.items() if value is not None}

    @staticmethod
    def _topic_choice(topic: Topic) -> Choice:
        return Choice(f"topic:{topic.id}", "topic", {"title": topic.title})


def _own_group_page(best: str, text: str, figures: dict[str, int | str]) -> str:
    """Return the page of the group the resident says they are in, over a general one.

    A near-poor person asking a household price gets the near-poor price (no household
    discount for supported people); a student with no household named gets the student's;
    someone of 60 or more, not poor, asking about a free card gets the elderly page.
    """
    if best in _HOUSEHOLD:
        return _group_page(text, figures) or best
    if best == "bhyt_ho_ngheo" and figures.get("group") != "poor":
        age = extract.age(text)
        if age is not None and age >= _ELDERLY_FROM:
            return "bhyt_nguoi_cao_tuoi"
    return best


def _group_page(text: str, figures: dict[str, int | str]) -> str | None:
    """Return the price page of a near-poor person, or of a student when no household is
    named, for a BHYT question; None for anyone else."""
    if _VOLUNTARY_WORDS.search(fold(text)):
        return None
    if figures.get("group") == "near_poor":
        return "bhyt_can_ngheo"
    if "members" not in figures and _STUDENT.search(fold(text)) and family(text) is None:
        return "bhyt_hoc_sinh"
    return None


def _needs_bhxh(topic_id: str, figures: dict[str, int | str]) -> bool:
    """Tell whether answering needs the BHXH rates (not only the BHYT ones)."""
    return topic_id.startswith("bhxh") or topic_id == "bhyt_nguoi_cao_tuoi" or "income" in figures


def _headed(header: Say | None, decision: Decision) -> Decision:
    """Put the line naming the day priced before the answer."""
    if header is None:
        return decision
    return replace(decision, says=(header, *decision.says))
