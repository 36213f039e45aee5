"""Pure premium calculators for BHYT (household, students, near-poor) and BHXH tự nguyện.

All money is integer đồng. Each per-month amount is computed exactly and rounded half-up
to the đồng; period totals are sums of those monthly amounts. A period that straddles a
rate change is priced month by month: month i (0-based) begins at start + i months and is
priced at the rates in force on that day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from bot.core.rates import SUPPORT_GROUPS, RateBook, percent_of

__all__ = [
    "MAX_MEMBERS",
    "SUPPORT_GROUPS",
    "HouseholdQuote",
    "HouseholdSegment",
    "MemberLine",
    "QuoteError",
    "SubsidisedQuote",
    "SubsidisedSegment",
    "VoluntaryQuote",
    "add_months",
    "household_quote",
    "near_poor_quote",
    "student_quote",
    "voluntary_quote",
]

MAX_MEMBERS = 20


class QuoteError(ValueError):
    """An input is out of range; carries the bounds or allowed values for the dialog."""

    def __init__(
        self,
        field: str,
        value: int,
        minimum: int | None = None,
        maximum: int | None = None,
        allowed: tuple[int, ...] | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.minimum = minimum
        self.maximum = maximum
        self.allowed = allowed
        if allowed is not None:
            rule = f"must be one of {', '.join(map(str, allowed))}"
        else:
            rule = f"must be between {minimum} and {maximum}"
        super().__init__(f"{field} = {value} {rule}")


@dataclass(frozen=True)
class MemberLine:
    """One household member: ladder position, first-month amount and period amount."""

    position: int
    ladder_percent: int
    monthly: int
    period_amount: int


@dataclass(frozen=True)
class HouseholdSegment:
    """Consecutive months of a household period priced at the same rates."""

    first_month: date
    months: int
    base_salary: int
    effective_from: date
    ladder_percent: tuple[int, ...]
    monthly: tuple[int, ...]

    @property
    def monthly_total(self) -> int:
        """Return the whole household's amount for one month of this segment."""
        return sum(self.monthly)


@dataclass(frozen=True)
class HouseholdQuote:
    """A household BHYT premium for `members` people over `months` months from `start`."""

    start: date
    months: int
    last_day: date
    members: int
    bhyt_rate_percent: Decimal
    base_salary: int
    effective_from: date
    lines: tuple[MemberLine, ...]
    monthly_total: int
    total: int
    segments: tuple[HouseholdSegment, ...]
    rates_used: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class SubsidisedSegment:
    """Consecutive months of a subsidised period priced at the same rates."""

    first_month: date
    months: int
    base_salary: int
    effective_from: date
    support_percent: int
    full_monthly: int
    state_monthly: int
    person_monthly: int


@dataclass(frozen=True)
class SubsidisedQuote:
    """A student or near-poor BHYT premium: full premium, state share and what the person pays.

    The monthly figures are those of the first month; totals cover the whole period.
    """

    group: str
    start: date
    months: int
    last_day: date
    bhyt_rate_percent: Decimal
    base_salary: int
    effective_from: date
    support_percent: int
    full_monthly: int
    state_monthly: int
    person_monthly: int
    full_total: int
    state_total: int
    person_total: int
    segments: tuple[SubsidisedSegment, ...]
    rates_used: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class VoluntaryQuote:
    """A BHXH tự nguyện contribution on one date: gross, state support and net.

    `effective_from` is the latest start among the rows used: the date since which this
    exact combination of figures applies.
    """

    on: date
    group: str
    income: int
    months: int
    rate_percent: int
    gross_monthly: int
    support_percent: int
    support_monthly: int
    net_monthly: int
    gross_total: int
    support_total: int
    net_total: int
    min_income: int
    max_income: int
    poverty_line: int
    poverty_line_from: date
    base_salary: int
    base_salary_from: date
    support_max_months: int
    effective_from: date
    changes_on: tuple[date, ...] = ()  # later months of the period priced at other figures

    @property
    def straddles(self) -> bool:
        """Return True when some month of the period is priced at other figures."""
        return bool(self.changes_on)


_Segment = TypeVar("_Segment", HouseholdSegment, SubsidisedSegment)


def add_months(start: date, months: int) -> date:
    """Return `start` plus `months` calendar months, clamping the day to the month's end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def _check_months(book: RateBook, name: str, months: int, on: date) -> None:
    """Raise QuoteError unless `months` is one of the payment periods `name` in force on `on`."""
    allowed = book.integers(name, on)
    if months not in allowed:
        raise QuoteError("months", months, allowed=allowed)


def _ladder(position: int, ladder: tuple[int, ...]) -> int:
    """Return the ladder percent for a 1-based position; the last step repeats."""
    return ladder[min(position, len(ladder)) - 1]


def _extend(segments: list[_Segment], month: _Segment) -> None:
    """Append a one-month segment, or lengthen the last one if its prices are the same."""
    if segments and replace(segments[-1], first_month=month.first_month, months=1) == month:
        segments[-1] = replace(segments[-1], months=segments[-1].months + 1)
    else:
        segments.append(month)


def _rates_used(pairs: list[tuple[date, int]]) -> tuple[tuple[date, int], ...]:
    """Return the distinct (from, base salary) pairs in order of first use."""
    return tuple(dict.fromkeys(pairs))


def household_quote(book: RateBook, members: int, months: int, start: date) -> HouseholdQuote:
    """Price BHYT for a household of `members` people for `months` months from `start`."""
    if not 1 <= members <= MAX_MEMBERS:
        raise QuoteError("members", members, minimum=1, maximum=MAX_MEMBERS)
    _check_months(book, "payment_periods", months, start)
    segments: list[HouseholdSegment] = []
    pairs: list[tuple[date, int]] = []
    for i in range(months):
        on = add_months(start, i)
        base_row = book.row("base_salary", on)
        base = book.integer("base_salary", on)
        rate = book.decimal("bhyt_rate_percent", on)
        ladder = book.integers("household_ladder_percent", on)
        steps = tuple(_ladder(p, ladder) for p in range(1, members + 1))
        segment = HouseholdSegment(
            first_month=on,
            months=1,
            base_salary=base,
            effective_from=base_row.start,
            ladder_percent=steps,
            monthly=tuple(percent_of(base, rate, step) for step in steps),
        )
        pairs.append((base_row.start, base))
        _extend(segments, segment)
    first = segments[0]
    lines = tuple(
        MemberLine(
            position=p,
            ladder_percent=first.ladder_percent[p - 1],
            monthly=first.monthly[p - 1],
            period_amount=sum(s.monthly[p - 1] * s.months for s in segments),
        )
        for p in range(1, members + 1)
    )
    return HouseholdQuote(
        start=start,
        months=months,
        last_day=add_months(start, months) - timedelta(days=1),
        members=members,
        bhyt_rate_percent=book.decimal("bhyt_rate_percent", start),
        base_salary=first.base_salary,
        effective_from=first.effective_from,
        lines=lines,
        monthly_total=first.monthly_total,
        total=sum(line.period_amount for line in lines),
        segments=tuple(segments),
        rates_used=_rates_used(pairs),
    )


def _subsidised_quote(
    book: RateBook, group: str, support_name: str, months: int, start: date
) -> SubsidisedQuote:
    """Price BHYT for a person whose premium the state partly pays."""
    _check_months(book, "payment_periods", months, start)
    segments: list[SubsidisedSegment] = []
    pairs: list[tuple[date, int]] = []
    for i in range(months):
        on = add_months(start, i)
        base_row = book.row("base_salary", on)
        base = book.integer("base_salary", on)
        rate = book.decimal("bhyt_rate_percent", on)
        support = book.integer(support_name, on)
        full = percent_of(base, rate)
        person = percent_of(base, rate, 100 - support)
        pairs.append((base_row.start, base))
        _extend(
            segments,
            SubsidisedSegment(
                first_month=on,
                months=1,
                base_salary=base,
                effective_from=base_row.start,
                support_percent=support,
                full_monthly=full,
                state_monthly=full - person,
                person_monthly=person,
            ),
        )
    first = segments[0]
    return SubsidisedQuote(
        group=group,
        start=start,
        months=months,
        last_day=add_months(start, months) - timedelta(days=1),
        bhyt_rate_percent=book.decimal("bhyt_rate_percent", start),
        base_salary=first.base_salary,
        effective_from=first.effective_from,
        support_percent=first.support_percent,
        full_monthly=first.full_monthly,
        state_monthly=first.state_monthly,
        person_monthly=first.person_monthly,
        full_total=sum(s.full_monthly * s.months for s in segments),
        state_total=sum(s.state_monthly * s.months for s in segments),
        person_total=sum(s.person_monthly * s.months for s in segments),
        segments=tuple(segments),
        rates_used=_rates_used(pairs),
    )


def student_quote(book: RateBook, months: int, start: date) -> SubsidisedQuote:
    """Price BHYT for a pupil or student (HSSV) for 3, 6 or 12 months from `start`."""
    return _subsidised_quote(book, "student", "student_support_percent", months, start)


def near_poor_quote(book: RateBook, months: int, start: date) -> SubsidisedQuote:
    """Price BHYT for a near-poor person for 3, 6 or 12 months from `start`.

    One month is not accepted: the same payment periods as households apply.
    """
    return _subsidised_quote(book, "near_poor", "near_poor_support_percent", months, start)


def voluntary_quote(
    book: RateBook, income: int, group: str, on: date, months: int = 1, *, lowest: bool = False
) -> VoluntaryQuote:
    """Price BHXH tự nguyện for a chosen monthly `income` at the rates in force on `on`.

    The monthly figures are those of the first month; over several months each month is
    priced at its own rates, and `income` must be allowed in every one of them. With
    `lowest`, each month's income is the lowest allowed in that month (the poverty line).
    Raise ValueError for an unknown `group` (a programming error: codes are fixed) and
    QuoteError for `months` outside the payment periods or `income` outside the bounds.
    """
    if group not in SUPPORT_GROUPS:
        raise ValueError(f"unknown support group {group!r}; expected one of {SUPPORT_GROUPS}")
    _check_months(book, "voluntary_payment_periods", months, on)
    days = tuple(add_months(on, i) for i in range(months))
    first, *rest = (
        _voluntary_month(book, book.integer("poverty_line", d) if lowest else income, group, d)
        for d in days
    )
    everyone = (first, *rest)
    return replace(
        first,
        months=months,
        gross_total=sum(q.gross_monthly for q in everyone),
        support_total=sum(q.support_monthly for q in everyone),
        net_total=sum(q.net_monthly for q in everyone),
        changes_on=tuple(q.on for q in rest if _figures(q) != _figures(first)),
    )


def _figures(quote: VoluntaryQuote) -> tuple[int, int, int]:
    return (quote.gross_monthly, quote.support_monthly, quote.max_income)


def _voluntary_month(book: RateBook, income: int, group: str, on: date) -> VoluntaryQuote:
    """Price one month of BHXH tự nguyện at the rates in force on `on`."""
    base_row = book.row("base_salary", on)
    poverty_row = book.row("poverty_line", on)
    base = book.integer("base_salary", on)
    poverty = book.integer("poverty_line", on)
    max_income = book.integer("voluntary_max_income_multiple", on) * base
    if not poverty <= income <= max_income:
        raise QuoteError("income", income, minimum=poverty, maximum=max_income)
    support_name = f"voluntary_support_percent_{group}"
    rate = book.integer("voluntary_rate_percent", on)
    support_pct = book.integer(support_name, on)
    gross = percent_of(income, rate)
    support = percent_of(poverty, rate, support_pct)
    net = gross - support
    used = (
        "base_salary",
        "poverty_line",
        "voluntary_rate_percent",
        "voluntary_max_income_multiple",
        support_name,
    )
    return VoluntaryQuote(
        on=on,
        group=group,
        income=income,
        months=1,
        rate_percent=rate,
        gross_monthly=gross,
        support_percent=support_pct,
        support_monthly=support,
        net_monthly=net,
        gross_total=gross,
        support_total=support,
        net_total=net,
        min_income=poverty,
        max_income=max_income,
        poverty_line=poverty,
        poverty_line_from=poverty_row.start,
        base_salary=base,
        base_salary_from=base_row.start,
        support_max_months=book.integer("voluntary_support_max_months", on),
        effective_from=max(book.row(name, on).start for name in used),
    )
