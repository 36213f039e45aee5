"""Dated rates read from data/rates.toml, and the figures in force on a given date."""

from __future__ import annotations

import math
import tomllib
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from bot.core.shipped import shipped_path

__all__ = [
    "ANNOUNCE_DAYS",
    "BHYT_RATES",
    "RATE_NAMES",
    "SCHEMA_VERSION",
    "SUPPORT_GROUPS",
    "Figures",
    "RateBook",
    "RateRow",
    "RateValue",
    "RatesError",
    "SupportRate",
    "default_rates_path",
    "percent_of",
    "round_half_up",
]

SCHEMA_VERSION = 1
BHYT_RATES: tuple[str, ...] = (
    "base_salary",
    "bhyt_rate_percent",
    "household_ladder_percent",
    "payment_periods",
    "student_support_percent",
    "near_poor_support_percent",
    "visit_threshold_percent",
    "copay_cap_multiple",
)
"""The rates every BHYT figure comes from (a snapshot needs these on its day)."""
ANNOUNCE_DAYS = 92
"""A known rate change this many days ahead or fewer is told beside today's figures."""
SUPPORT_GROUPS: tuple[str, ...] = ("poor", "near_poor", "ethnic_minority", "other")

RateValue = int | Decimal | tuple[int, ...]


class _Kind(Enum):
    """What a rate's value must look like; the text is shown to officers in errors."""

    MONEY = "a whole number of đồng without dots, e.g. 2530000 or 2_530_000"
    COUNT = "a whole number of at least 1, e.g. 6"
    PERCENT = 'a percentage between 0 and 100, e.g. 50 or "4.5"'
    WHOLE_PERCENT = "a whole percentage between 0 and 100, e.g. 50"
    PERCENT_LIST = "a non-empty list of whole percentages, e.g. [100, 70, 60, 50, 40]"
    MONTH_LIST = "a non-empty list of month counts in increasing order, e.g. [3, 6, 12]"


_SCHEMA: dict[str, _Kind] = {
    "base_salary": _Kind.MONEY,
    "bhyt_rate_percent": _Kind.PERCENT,
    "household_ladder_percent": _Kind.PERCENT_LIST,
    "payment_periods": _Kind.MONTH_LIST,
    "student_support_percent": _Kind.WHOLE_PERCENT,
    "near_poor_support_percent": _Kind.WHOLE_PERCENT,
    "visit_threshold_percent": _Kind.WHOLE_PERCENT,
    "copay_cap_multiple": _Kind.COUNT,
    "voluntary_rate_percent": _Kind.WHOLE_PERCENT,
    "voluntary_payment_periods": _Kind.MONTH_LIST,
    "poverty_line": _Kind.MONEY,
    "voluntary_max_income_multiple": _Kind.COUNT,
    "voluntary_support_percent_poor": _Kind.WHOLE_PERCENT,
    "voluntary_support_percent_near_poor": _Kind.WHOLE_PERCENT,
    "voluntary_support_percent_ethnic_minority": _Kind.WHOLE_PERCENT,
    "voluntary_support_percent_other": _Kind.WHOLE_PERCENT,
    "voluntary_support_max_months": _Kind.COUNT,
    "funeral_grant_multiple": _Kind.COUNT,
    "maternity_grant": _Kind.MONEY,
    "social_pension": _Kind.MONEY,
    "pension_rise_percent": _Kind.WHOLE_PERCENT,
    "pension_min_years": _Kind.COUNT,
    "pension_full_years_women": _Kind.COUNT,
    "pension_full_years_men": _Kind.COUNT,
    "pension_percent_at_full_years": _Kind.WHOLE_PERCENT,
    "pension_percent_per_extra_year": _Kind.WHOLE_PERCENT,
    "pension_percent_max": _Kind.WHOLE_PERCENT,
    "pension_percent_men_at_min_years": _Kind.WHOLE_PERCENT,
    "pension_percent_men_per_short_year": _Kind.WHOLE_PERCENT,
}
_OPTIONAL = frozenset({"pension_rise_percent"})
"""Rates that may start after the others: a date before their first row has none (None in a
snapshot) instead of making the snapshot impossible. A pension rise is such a rate: each row
is the latest general rise of pensions, in force from its date."""

RATE_NAMES: tuple[str, ...] = tuple(_SCHEMA)
_ROW_FIELDS = ("from", "value", "source")


class RatesError(ValueError):
    """The rates file is unreadable or invalid, or has no row for the date asked about."""

    def __init__(
        self, problem: str, path: Path | str, key: str | None = None, row: int | None = None
    ) -> None:
        self.problem = problem
        self.path = Path(path)
        self.key = key
        self.row = row
        where = str(self.path)
        if key is not None:
            where += f": {key}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class RateRow:
    """One dated row: `value` applies from `start` until the next row's start."""

    start: date
    value: RateValue
    source: str


@dataclass(frozen=True)
class SupportRate:
    """State support for voluntary social insurance for one group, in force on a date."""

    group: str
    percent: int
    amount: int
    net_at_minimum: int


@dataclass(frozen=True)
class Figures:
    """Every figure in force on one date (the template variable `f`); money in đồng."""

    on: date
    base_salary: int
    base_salary_from: date
    base_salary_source: str
    bhyt_rate_percent: Decimal
    household_ladder_percent: tuple[int, ...]
    household_monthly: tuple[int, ...]
    payment_periods: tuple[int, ...]
    student_support_percent: int
    student_monthly: int
    student_yearly: int
    near_poor_support_percent: int
    near_poor_monthly: int
    visit_threshold_percent: int
    visit_threshold: int
    copay_cap_multiple: int
    copay_cap: int
    voluntary_rate_percent: int
    poverty_line: int
    poverty_line_source: str
    voluntary_min_income: int
    voluntary_max_income: int
    voluntary_max_multiple: int
    voluntary_min_premium: int
    voluntary_max_premium: int
    voluntary_support: tuple[SupportRate, ...]
    voluntary_support_max_months: int
    funeral_grant: int
    maternity_grant: int
    social_pension: int
    base_salary_history: tuple[RateRow, ...]
    """Every base-salary row in force on or before `on`, oldest first (the last is current)."""
    pension_rise_percent: int | None
    pension_rise_from: date | None
    pension_rise_source: str
    complete: bool = True  # False before every rate has a row: only the BHYT figures hold then


def round_half_up(amount: Fraction) -> int:
    """Round an exact amount to the nearest đồng, halves away from zero."""
    if amount < 0:
        return -math.floor(-amount + Fraction(1, 2))
    return math.floor(amount + Fraction(1, 2))


@lru_cache(maxsize=4096)
def percent_of(amount: int, *percents: int | Decimal) -> int:
    """Return `amount` × each percent / 100, computed exactly and rounded half-up to the đồng.

    Pure, and called with the same few rates over and over (every month of every quote), so
    results are kept.
    """
    exact = Fraction(amount)
    for percent in percents:
        exact = exact * Fraction(percent) / 100
    return round_half_up(exact)


def default_rates_path() -> Path:
    """Return the shipped rates file, data/rates.toml (in the checkout or the wheel)."""
    return shipped_path("data/rates.toml")


def _whole(raw: object) -> int:
    """Return `raw` if it is a TOML integer (not a boolean), else raise ValueError."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValueError(f"got {raw!r}")
    return raw


def _number(raw: object) -> Decimal:
    """Return `raw` (integer, float or numeric string) as an exact Decimal."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"got {raw!r}")
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"got {raw!r}") from None
    if not number.is_finite():
        raise ValueError(f"got {raw!r}")
    return number


def _percent(raw: object) -> int:
    """Return a whole percentage in 0..100, else raise ValueError."""
    value = _whole(raw)
    if not 0 <= value <= 100:
        raise ValueError(f"got {value}")
    return value


def _convert(raw: object, kind: _Kind) -> RateValue:
    """Check one row's value against its kind and return it normalised."""
    if kind is _Kind.MONEY:
        money = _whole(raw)
        if money < 0:
            raise ValueError(f"got {money}")
        return money
    if kind is _Kind.COUNT:
        count = _whole(raw)
        if count < 1:
            raise ValueError(f"got {count}")
        return count
    if kind is _Kind.PERCENT:
        number = _number(raw)
        if not 0 <= number <= 100:
            raise ValueError(f"got {raw!r}")
        return number
    if kind is _Kind.WHOLE_PERCENT:
        return _percent(raw)
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"got {raw!r}")
    if kind is _Kind.PERCENT_LIST:
        return tuple(_percent(item) for item in raw)
    months = tuple(_whole(item) for item in raw)
    if months[0] < 1 or any(b <= a for a, b in pairwise(months)):
        raise ValueError(f"got {raw!r}")
    return months


def _parse_series(key: str, raw: object, kind: _Kind, path: Path) -> tuple[RateRow, ...]:
    """Validate one rate's list of dated rows."""
    if not isinstance(raw, list) or not raw:
        raise RatesError(
            "must be a list of dated rows, e.g. "
            '[ { from = 2026-07-01, value = ..., source = "..." }, ]',
            path,
            key,
        )
    rows: list[RateRow] = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise RatesError(
                f'must be {{ from = ..., value = ..., source = "..." }}, got {item!r}',
                path,
                key,
                number,
            )
        missing = [field for field in _ROW_FIELDS if field not in item]
        unknown = sorted(set(item) - set(_ROW_FIELDS))
        if missing or unknown:
            parts = [f"missing {', '.join(missing)}"] if missing else []
            parts += [f"unknown {', '.join(unknown)}"] if unknown else []
            raise RatesError(
                f"{'; '.join(parts)} (each row needs exactly from, value, source)",
                path,
                key,
                number,
            )
        start = item["from"]
        if isinstance(start, datetime) or not isinstance(start, date):
            raise RatesError(
                f"'from' must be a date written like 2026-07-01 without quotes, got {start!r}",
                path,
                key,
                number,
            )
        source = item["source"]
        if not isinstance(source, str) or not source.strip():
            raise RatesError(
                "'source' must name the legal text, e.g. \"NĐ 161/2026/NĐ-CP, Điều 3.2\"",
                path,
                key,
                number,
            )
        try:
            value = _convert(item["value"], kind)
        except ValueError as error:
            raise RatesError(f"'value' must be {kind.value}; {error}", path, key, number) from None
        if rows and start <= rows[-1].start:
            raise RatesError(
                f"dates must be strictly increasing: {start.isoformat()} is not after "
                f"{rows[-1].start.isoformat()} in row {number - 1}",
                path,
                key,
                number,
            )
        rows.append(RateRow(start=start, value=value, source=source.strip()))
    return tuple(rows)


class RateBook:
    """All dated rates from one rates file; look values up by name and date."""

    def __init__(self, series: Mapping[str, tuple[RateRow, ...]], path: Path | str) -> None:
        """Keep already-validated rows (use `RateBook.load` to read a file)."""
        self._path = Path(path)
        self._series = dict(series)
        self._starts = {name: [row.start for row in rows] for name, rows in self._series.items()}
        self._snapshots: dict[date, Figures] = {}

    @classmethod
    def load(cls, path: Path | str) -> RateBook:
        """Read and validate a rates file; raise RatesError naming the file, key and row."""
        path = Path(path)
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except OSError as error:
            raise RatesError(f"cannot read the file ({error.strerror})", path) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise RatesError(
                f"not valid TOML: {error}. Check that line: money without dots (2530000), "
                "dates like 2026-07-01, text in double quotes, rows inside [ ] and "
                "separated by commas",
                path,
            ) from None
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise RatesError(
                f"unknown schema_version {version!r}; this version of Loa reads "
                f"schema_version = {SCHEMA_VERSION}",
                path,
                "schema_version",
            )
        unknown = sorted(set(data) - set(_SCHEMA) - {"schema_version"})
        if unknown:
            raise RatesError(
                f"unknown name (misspelt?); known names: {', '.join(RATE_NAMES)}", path, unknown[0]
            )
        series: dict[str, tuple[RateRow, ...]] = {}
        for key, kind in _SCHEMA.items():
            if key not in data:
                raise RatesError("missing: every rate needs at least one dated row", path, key)
            series[key] = _parse_series(key, data[key], kind, path)
        return cls(series, path)

    @property
    def path(self) -> Path:
        """Return the file the rates came from."""
        return self._path

    def rows(self, name: str) -> tuple[RateRow, ...]:
        """Return every dated row of one rate, oldest first."""
        try:
            return self._series[name]
        except KeyError:
            raise RatesError("no such rate", self._path, name) from None

    def row(self, name: str, on: date) -> RateRow:
        """Return the row of `name` in force on `on`."""
        rows = self.rows(name)
        index = bisect_right(self._starts[name], on)
        if index == 0:
            raise RatesError(
                f"no row in force on {on.isoformat()}; the first row starts "
                f"{rows[0].start.isoformat()}",
                self._path,
                name,
            )
        return rows[index - 1]

    def value(self, name: str, on: date) -> RateValue:
        """Return the value of `name` in force on `on`."""
        return self.row(name, on).value

    def integer(self, name: str, on: date) -> int:
        """Return a whole-number rate (money, count or whole percentage) in force on `on`."""
        value = self.value(name, on)
        if not isinstance(value, int):
            raise RatesError(f"is not a single whole number: {value!r}", self._path, name)
        return value

    def decimal(self, name: str, on: date) -> Decimal:
        """Return a single numeric rate in force on `on` as an exact Decimal."""
        value = self.value(name, on)
        if isinstance(value, tuple):
            raise RatesError(f"is a list, not a single number: {value!r}", self._path, name)
        return Decimal(value)

    def integers(self, name: str, on: date) -> tuple[int, ...]:
        """Return a list-valued rate (ladder, payment periods) in force on `on`."""
        value = self.value(name, on)
        if not isinstance(value, tuple):
            raise RatesError(f"is not a list: {value!r}", self._path, name)
        return value

    def changes(self) -> list[date]:
        """Return, sorted, every date on which some rate takes a new value.

        The first row of each rate and rows that repeat the previous value (a new
        legal source for the same figure) are not changes.
        """
        found: set[date] = set()
        for rows in self._series.values():
            for before, after in pairwise(rows):
                if after.value != before.value:
                    found.add(after.start)
        return sorted(found)

    def next_change(self, on: date, within_days: int = ANNOUNCE_DAYS) -> date | None:
        """Return the first date after `on`, at most `within_days` later, when a rate changes."""
        return next(
            (day for day in self.changes() if on < day <= on + timedelta(days=within_days)), None
        )

    def covers_from(self, names: Sequence[str] = ()) -> date:
        """Return the first date on which every rate (or every one of `names`) has a row.

        Optional rates (a pension rise) do not count: a snapshot before them has none.
        """
        if names:
            return max(self.rows(name)[0].start for name in names)
        return max(rows[0].start for name, rows in self._series.items() if name not in _OPTIONAL)

    def snapshot(self, on: date) -> Figures:
        """Return every figure in force on `on`, computed exactly (once per date).

        From the first BHYT row on: before every rate has a row (`covers_from()`), the
        BHXH figures are those of their first row and `complete` is False.
        """
        figures = self._snapshots.get(on)
        if figures is None:
            figures = self._snapshots[on] = self._compute_snapshot(on)
        return figures

    def _compute_snapshot(self, on: date) -> Figures:
        later = max(on, self.covers_from())  # BHXH figures before their first row: see `complete`
        base_row = self.row("base_salary", on)
        base = self.integer("base_salary", on)
        rate = self.decimal("bhyt_rate_percent", on)
        ladder = self.integers("household_ladder_percent", on)
        student_pct = self.integer("student_support_percent", on)
        near_poor_pct = self.integer("near_poor_support_percent", on)
        visit_pct = self.integer("visit_threshold_percent", on)
        copay_multiple = self.integer("copay_cap_multiple", on)
        voluntary_pct = self.integer("voluntary_rate_percent", later)
        poverty_row = self.row("poverty_line", later)
        poverty = self.integer("poverty_line", later)
        max_multiple = self.integer("voluntary_max_income_multiple", later)
        min_premium = percent_of(poverty, voluntary_pct)
        support = []
        for group in SUPPORT_GROUPS:
            percent = self.integer(f"voluntary_support_percent_{group}", later)
            amount = percent_of(poverty, voluntary_pct, percent)
            support.append(SupportRate(group, percent, amount, min_premium - amount))
        student_monthly = percent_of(base, rate, 100 - student_pct)
        rise = self._optional_row("pension_rise_percent", on)
        return Figures(
            on=on,
            base_salary=base,
            base_salary_from=base_row.start,
            base_salary_source=base_row.source,
            bhyt_rate_percent=rate,
            household_ladder_percent=ladder,
            household_monthly=tuple(percent_of(base, rate, step) for step in ladder),
            payment_periods=self.integers("payment_periods", on),
            student_support_percent=student_pct,
            student_monthly=student_monthly,
            student_yearly=12 * student_monthly,
            near_poor_support_percent=near_poor_pct,
            near_poor_monthly=percent_of(base, rate, 100 - near_poor_pct),
            visit_threshold_percent=visit_pct,
            visit_threshold=percent_of(base, visit_pct),
            copay_cap_multiple=copay_multiple,
            copay_cap=copay_multiple * base,
            voluntary_rate_percent=voluntary_pct,
            poverty_line=poverty,
            poverty_line_source=poverty_row.source,
            voluntary_min_income=poverty,
            voluntary_max_income=max_multiple * base,
            voluntary_max_multiple=max_multiple,
            voluntary_min_premium=min_premium,
            voluntary_max_premium=percent_of(max_multiple * base, voluntary_pct),
            voluntary_support=tuple(support),
            voluntary_support_max_months=self.integer("voluntary_support_max_months", later),
            funeral_grant=self.integer("funeral_grant_multiple", later) * base,
            maternity_grant=self.integer("maternity_grant", later),
            social_pension=self.integer("social_pension", later),
            base_salary_history=tuple(r for r in self.rows("base_salary") if r.start <= on),
            pension_rise_percent=rise.value if rise and isinstance(rise.value, int) else None,
            pension_rise_from=rise.start if rise else None,
            pension_rise_source=rise.source if rise else "",
            complete=later == on,
        )

    def _optional_row(self, name: str, on: date) -> RateRow | None:
        """Return the row of an optional rate in force on `on`, or None before its first row."""
        index = bisect_right(self._starts[name], on)
        return self.rows(name)[index - 1] if index else None
