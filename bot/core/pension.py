"""Pension arithmetic for BHXH tự nguyện: the share for years paid, the monthly amount, and
the one-time survivors' grant of a pensioner. Pure; the rates come from the rate book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

from bot.core.rates import RateBook, round_half_up

__all__ = [
    "SURVIVOR_GRANT_SOURCE",
    "PensionShare",
    "Sex",
    "SurvivorGrant",
    "pension_percent",
    "pension_share",
    "survivor_grant",
]

Sex = Literal["male", "female"]

SURVIVOR_GRANT_MONTHS = 48
SURVIVOR_GRANT_LESS_PER_MONTH = Fraction(1, 2)
SURVIVOR_GRANT_MIN_MONTHS = 3
SURVIVOR_GRANT_SOURCE = "Luật 41/2024/QH15, Điều 109–110"


@dataclass(frozen=True, slots=True)
class PensionShare:
    """The pension share for `years` of contributions; `percent` is 0 when too few years."""

    sex: Sex
    years: int
    percent: int
    min_years: int
    missing_years: int  # years still short of the minimum (0 when entitled)
    max_percent: int
    years_for_max: int
    monthly: int | None  # percent × average income, when the income was given
    income: int | None


def _years_for_max(book: RateBook, sex: Sex, on: date) -> int:
    full = book.integer(f"pension_full_years_{'men' if sex == 'male' else 'women'}", on)
    start = book.integer("pension_percent_at_full_years", on)
    step = book.integer("pension_percent_per_extra_year", on)
    top = book.integer("pension_percent_max", on)
    return full + -(-(top - start) // step)


def pension_percent(book: RateBook, sex: Sex, years: int, on: date) -> int:
    """Return the pension share (%) for `years` of contributions on `on`; 0 below the minimum."""
    minimum = book.integer("pension_min_years", on)
    if years < minimum:
        return 0
    full = book.integer(f"pension_full_years_{'men' if sex == 'male' else 'women'}", on)
    start = book.integer("pension_percent_at_full_years", on)
    if years < full:
        short_start = book.integer("pension_percent_men_at_min_years", on)
        per_short = book.integer("pension_percent_men_per_short_year", on)
        return short_start + per_short * (years - minimum)
    step = book.integer("pension_percent_per_extra_year", on)
    return min(book.integer("pension_percent_max", on), start + step * (years - full))


def pension_share(
    book: RateBook, sex: Sex, years: int, on: date, income: int | None = None
) -> PensionShare:
    """Return the share for `years`, and the monthly pension when the average income is known."""
    percent = pension_percent(book, sex, years, on)
    minimum = book.integer("pension_min_years", on)
    monthly = round_half_up(Fraction(income * percent, 100)) if income and percent else None
    return PensionShare(
        sex=sex,
        years=years,
        percent=percent,
        min_years=minimum,
        missing_years=max(0, minimum - years),
        max_percent=book.integer("pension_percent_max", on),
        years_for_max=_years_for_max(book, sex, on),
        monthly=monthly,
        income=income,
    )


@dataclass(frozen=True, slots=True)
class SurvivorGrant:
    """The one-time survivors' grant of a pensioner who drew `months_drawn` months."""

    pension: int
    months_drawn: int
    months: Fraction  # months of pension paid out
    amount: int
    at_minimum: bool


def survivor_grant(pension: int, months_drawn: int) -> SurvivorGrant:
    """Return 48 months of pension less 0.5 per month drawn, at least 3 months."""
    months = Fraction(SURVIVOR_GRANT_MONTHS) - SURVIVOR_GRANT_LESS_PER_MONTH * months_drawn
    at_minimum = months <= SURVIVOR_GRANT_MIN_MONTHS
    months = max(months, Fraction(SURVIVOR_GRANT_MIN_MONTHS))
    return SurvivorGrant(pension, months_drawn, months, round_half_up(months * pension), at_minimum)
