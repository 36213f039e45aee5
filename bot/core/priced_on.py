"""Which day's figures answer a question that names a time, and what to say about it.

A time within Loa's rates is priced on its first day (or today, when it includes today). A
time before the first rate Loa holds, or in a year after the last published change, gets
today's figures with a plain line saying so — never a figure presented as that time's. So does
a written time that is no real date (31/2, a five-digit year). Later times the question names,
whose figures differ from the first one's, are named back: only the first is priced.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.core.asked import AskedTime, UnreadTime
from bot.core.rates import BHYT_RATES, RateBook, RateRow
from bot.core.types import Say

__all__ = ["PricedOn", "priced_on"]


@dataclass(frozen=True, slots=True)
class PricedOn:
    """The day whose figures answer, the time asked about, and why they may differ."""

    day: date
    today: date
    asked: AskedTime | None = None
    problem: str = ""  # "too_early", "partly" (from `first` on), "unpublished", "not_a_date"
    first: date | None = None  # the first day Loa has figures for, when too early
    changes: tuple[RateRow, ...] = ()  # base-salary rows starting inside the time asked
    unread: UnreadTime | None = None  # a written time that is no real date
    others: tuple[AskedTime, ...] = ()  # later times asked, priced otherwise: not answered

    def header(self, book: RateBook) -> Say | None:
        """Return the line that names the day priced, or None when it is simply today."""
        if self.asked is None and self.unread is None:
            return None
        if not self.problem and not self.moved and not self.others:
            return None
        row = book.row("base_salary", self.day)
        data = {
            "asked": self.asked,
            "unread": self.unread,
            "others": self.others,
            "problem": self.problem,
            "first": self.first,
            "on": self.day,
            "base": row.value,
            "base_from": row.start,
            "source": row.source,
            "changes": self.changes,
        }
        return Say("asked/when", data)

    @property
    def moved(self) -> bool:
        """Tell whether the answer uses another day's figures than today's."""
        return self.day != self.today


def priced_on(
    book: RateBook,
    asked: AskedTime | None,
    today: date,
    *,
    bhxh: bool,
    unread: UnreadTime | None = None,
    later: tuple[AskedTime, ...] = (),
) -> PricedOn:
    """Return the day to price a question at; `bhxh` when it needs the BHXH rates too.

    `unread` is a written time that is no real date (used when no real time is asked),
    `later` the times named after the first: those priced otherwise are named back.
    """
    if asked is None:
        if unread is None:
            return PricedOn(today, today)
        problem = "unpublished" if unread.far else "not_a_date"
        return PricedOn(today, today, problem=problem, unread=unread)
    when = _priced(book, asked, today, bhxh=bhxh)
    others = tuple(
        time
        for time in later
        if _differ(book, when, _priced(book, time, today, bhxh=bhxh), bhxh=bhxh)
    )
    return replace(when, others=others)


def _differ(book: RateBook, one: PricedOn, other: PricedOn, *, bhxh: bool) -> bool:
    """Tell whether two times get different figures (only the BHYT ones when `bhxh` is off)."""
    if one.problem != other.problem:
        return True
    if bhxh:
        return replace(book.snapshot(one.day), on=other.day) != book.snapshot(other.day)
    return any(book.value(name, one.day) != book.value(name, other.day) for name in BHYT_RATES)


def _priced(book: RateBook, asked: AskedTime, today: date, *, bhxh: bool) -> PricedOn:
    first = book.covers_from() if bhxh else book.covers_from(BHYT_RATES)
    if asked.start <= today <= asked.end and asked.precision in ("year", "part", "month"):
        return PricedOn(today, today, asked)
    if asked.end < first:
        return PricedOn(today, today, asked, "too_early", first)
    last_change = max(book.changes(), default=today)
    if asked.start > today and asked.start.year > last_change.year:
        return PricedOn(today, today, asked, "unpublished")
    start = max(asked.start, first)
    changes = tuple(row for row in book.rows("base_salary") if start < row.start <= asked.end)
    if start > asked.start:
        return PricedOn(start, today, asked, "partly", first, changes)
    return PricedOn(start, today, asked, changes=changes)
