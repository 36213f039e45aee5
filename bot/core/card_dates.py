"""Dates that follow from a resident's own date: when a child's free card ends, when a card
renewed on time starts, and the last day to pay a BHXH tự nguyện period. Pure; the answers'
templates (messages/vi/own/) cite the legal sources."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = [
    "child_card_end",
    "month_end",
    "renewed_from",
    "voluntary_deadline",
]

_CHILD_YEARS = 6
_SCHOOL_YEAR_END = (9, 30)
_MONTHS_TO_PAY = {1: 1, 3: 3, 6: 4, 12: 7}
"""Each payment mode (months a payment covers) and the months of its period it may be paid in."""


def month_end(year: int, month: int) -> date:
    """Return the last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def child_card_end(born_year: int, born_month: int) -> date:
    """Return the last day of a child's free card (72 months of age).

    A child who turns 6 by 30/9 keeps the card to 30/9 of that year; one who turns 6 later
    keeps it to the end of the month of their sixth birthday.
    """
    year = born_year + _CHILD_YEARS
    if born_month <= _SCHOOL_YEAR_END[0]:
        return date(year, *_SCHOOL_YEAR_END)
    return month_end(year, born_month)


def renewed_from(expiry: date) -> date:
    """Return the first day of a card renewed and paid before the old one ends."""
    return expiry + timedelta(days=1)


def voluntary_deadline(mode: int, first_month: date) -> date | None:
    """Return the last day to pay a period of `mode` months starting in `first_month`.

    Monthly: within the month; every 3 months: within the 3 months; every 6 months: within
    the first 4; every 12 months: within the first 7. None for another mode.
    """
    within = _MONTHS_TO_PAY.get(mode)
    if within is None:
        return None
    index = first_month.year * 12 + first_month.month - 1 + within - 1
    return month_end(index // 12, index % 12 + 1)
