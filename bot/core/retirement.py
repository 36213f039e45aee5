"""Retirement age by sex and birth month, and the month it is reached. Pure.

The Labour Code 2019 (Điều 169) and NĐ 135/2020 raise the age each year from 2021: men from
60 years 3 months by 3 months a year to 62 (2028), women from 55 years 4 months by 4 months a
year to 60 (2035). The age that counts is the one in force in the year it is reached, so a
person retires in the first month in which their age reaches that year's age.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.pension import Sex

__all__ = [
    "EARLY_AGE_MONTHS",
    "RETIREMENT_SOURCE",
    "Retirement",
    "age_in_year",
    "retirement",
]

RETIREMENT_SOURCE = "Bộ luật Lao động 2019, Điều 169; NĐ 135/2020/NĐ-CP"
_FIRST_YEAR = 2021
_SCHEDULE: dict[Sex, tuple[int, int, int, int]] = {
    # age before 2021, age in 2021, months added each year, final age (all in months)
    "male": (60 * 12, 60 * 12 + 3, 3, 62 * 12),
    "female": (55 * 12, 55 * 12 + 4, 4, 60 * 12),
}
EARLY_AGE_MONTHS: dict[Sex, int] = {"male": 60 * 12, "female": 55 * 12}
"""The age for people who joined BHXH tự nguyện before 2021 and have 20 or more years
(Luật 41/2024/QH15, Điều 141.9)."""
EARLY_JOINED_BEFORE = 2021
EARLY_MIN_YEARS = 20


def age_in_year(sex: Sex, year: int) -> int:
    """Return the retirement age, in months, that applies in `year`."""
    before, first, step, final = _SCHEDULE[sex]
    if year < _FIRST_YEAR:
        return before
    return min(final, first + step * (year - _FIRST_YEAR))


@dataclass(frozen=True, slots=True)
class Retirement:
    """When a person born in `born_month`/`born_year` reaches retirement age."""

    sex: Sex
    born_year: int
    born_month: int
    age_months: int
    year: int
    month: int

    @property
    def age_years(self) -> int:
        """Return the whole years of the retirement age."""
        return self.age_months // 12

    @property
    def age_extra_months(self) -> int:
        """Return the months beyond whole years of the retirement age."""
        return self.age_months % 12

    def reached_by(self, year: int, month: int) -> bool:
        """Tell whether the age is reached in or before the month `month`/`year`."""
        return (self.year, self.month) <= (year, month)


def retirement(sex: Sex, born_year: int, born_month: int) -> Retirement:
    """Return the age and month in which someone born then reaches retirement age."""
    born = born_year * 12 + born_month - 1
    lowest = _SCHEDULE[sex][0]
    for age in range(lowest, _SCHEDULE[sex][3] + 1):
        index = born + age
        year, month = divmod(index, 12)
        if age >= age_in_year(sex, year):
            return Retirement(sex, born_year, born_month, age, year, month + 1)
    raise AssertionError("unreachable: the final age always applies")  # pragma: no cover


def early_retirement(sex: Sex, born_year: int, born_month: int) -> Retirement:
    """Return when the earlier age (60 men, 55 women) is reached."""
    age = EARLY_AGE_MONTHS[sex]
    year, month = divmod(born_year * 12 + born_month - 1 + age, 12)
    return Retirement(sex, born_year, born_month, age, year, month + 1)
