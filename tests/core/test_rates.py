"""Tests for bot.core.rates: loading and validating rates.toml, look-ups and snapshots."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from bot.core.rates import (
    BHYT_RATES,
    RATE_NAMES,
    SUPPORT_GROUPS,
    RateBook,
    RatesError,
    SupportRate,
    default_rates_path,
    percent_of,
    round_half_up,
)

OLD_BASE_DAY = date(2025, 12, 1)  # base salary 2,340,000, after the 1/7/2025 reforms
NEW_BASE_DAY = date(2026, 11, 1)  # base salary 2,530,000


@pytest.fixture(scope="module")
def book() -> RateBook:
    """Return the shipped rate book."""
    return RateBook.load(default_rates_path())


def shipped_data() -> dict[str, Any]:
    """Return the shipped rates file parsed into plain Python data."""
    with default_rates_path().open("rb") as handle:
        return tomllib.load(handle)


def toml_value(value: object) -> str:
    """Render one value of the rates schema as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):  # also datetime
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def write_rates(path: Path, data: dict[str, Any]) -> Path:
    """Write `data` as a rates file at `path` and return the path."""
    lines = [f"{key} = {toml_value(value)}" for key, value in data.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the shipped file ------------------------------------------------------------------------


def test_default_path_is_repo_data_file() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert default_rates_path() == repo / "data" / "rates.toml"
    assert default_rates_path().is_file()


def test_shipped_file_loads_with_every_rate(book: RateBook) -> None:
    assert book.path == default_rates_path()
    for name in RATE_NAMES:
        assert book.rows(name), name


def test_round_trip_of_shipped_data_loads_the_same(tmp_path: Path, book: RateBook) -> None:
    copy = RateBook.load(write_rates(tmp_path / "rates.toml", shipped_data()))
    for name in RATE_NAMES:
        assert copy.rows(name) == book.rows(name)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2023, 6, 30), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 6, 30), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (date(2026, 6, 30), 2_340_000),
        (date(2026, 7, 1), 2_530_000),
        (date(2026, 11, 1), 2_530_000),
    ],
)
def test_base_salary_by_date(book: RateBook, on: date, expected: int) -> None:
    assert book.value("base_salary", on) == expected
    assert book.integer("base_salary", on) == expected


def test_row_carries_start_and_source(book: RateBook) -> None:
    row = book.row("base_salary", date(2026, 8, 15))
    assert row.start == date(2026, 7, 1)
    assert row.source == "NĐ 161/2026/NĐ-CP, Điều 3.2"


@pytest.mark.parametrize(("on", "expected"), [(date(2025, 6, 30), 30), (date(2025, 7, 1), 50)])
def test_student_support_changes_on_1_7_2025(book: RateBook, on: date, expected: int) -> None:
    assert book.integer("student_support_percent", on) == expected


def test_typed_accessors(book: RateBook) -> None:
    assert book.decimal("bhyt_rate_percent", NEW_BASE_DAY) == Decimal("4.5")
    assert book.integers("household_ladder_percent", NEW_BASE_DAY) == (100, 70, 60, 50, 40)
    assert book.integers("payment_periods", NEW_BASE_DAY) == (3, 6, 12)
    with pytest.raises(RatesError, match="not a list"):
        book.integers("base_salary", NEW_BASE_DAY)
    with pytest.raises(RatesError, match="whole number"):
        book.integer("bhyt_rate_percent", NEW_BASE_DAY)


def test_date_before_first_row_raises(book: RateBook) -> None:
    with pytest.raises(RatesError, match="no row in force on 2019-06-30") as caught:
        book.value("base_salary", date(2019, 6, 30))
    assert caught.value.key == "base_salary"


def test_unknown_rate_name_raises(book: RateBook) -> None:
    with pytest.raises(RatesError, match="no such rate"):
        book.value("base_salry", NEW_BASE_DAY)


def test_changes_lists_known_dates_and_skips_same_value_rows(book: RateBook) -> None:
    changes = book.changes()
    assert changes == sorted(set(changes))
    for day in (date(2023, 7, 1), date(2024, 7, 1), date(2025, 7, 1), date(2026, 7, 1)):
        assert day in changes
    assert date(2027, 1, 1) in changes  # §5: the 2026–2030 rural poverty line
    # NĐ 188/2025 restates 4.5% from 15/8/2025: a new source, not a change.
    assert book.row("bhyt_rate_percent", date(2025, 8, 15)).source.startswith("NĐ 188/2025")
    assert date(2025, 8, 15) not in changes


def test_changes_of_a_small_book(tmp_path: Path) -> None:
    data = shipped_data()
    data["base_salary"].append({"from": date(2027, 7, 1), "value": 2_700_000, "source": "test"})
    data["maternity_grant"].append(
        {"from": date(2027, 3, 1), "value": 2_000_000, "source": "restated"}
    )
    book = RateBook.load(write_rates(tmp_path / "rates.toml", data))
    assert date(2027, 7, 1) in book.changes()
    assert date(2027, 3, 1) not in book.changes()
    assert book.integer("base_salary", date(2027, 7, 1)) == 2_700_000
    assert book.snapshot(date(2027, 7, 1)).household_monthly[0] == 121_500


def test_snapshot_needs_every_bhyt_rate_and_says_when_bhxh_ones_are_missing(
    book: RateBook,
) -> None:
    start = book.covers_from()
    assert book.snapshot(start).on == start
    assert book.snapshot(start).complete
    earlier = book.snapshot(date(2024, 3, 1))  # before Luật 41/2024: BHXH rows start later
    assert not earlier.complete
    assert (earlier.base_salary, earlier.household_monthly[0]) == (1_800_000, 81_000)
    first_bhyt = book.covers_from(BHYT_RATES)
    assert first_bhyt == date(2019, 7, 1)
    with pytest.raises(RatesError, match="no row in force"):
        book.snapshot(date.fromordinal(first_bhyt.toordinal() - 1))


# --- figures of domain.md sections 2, 3 and 5, at both base salaries -------------------------

OLD = {
    "base_salary": 2_340_000,
    "base_salary_from": date(2024, 7, 1),
    "base_salary_source": "NĐ 73/2024/NĐ-CP",
    "household_monthly": (105_300, 73_710, 63_180, 52_650, 42_120),
    "student_support_percent": 50,
    "student_yearly": 631_800,
    "visit_threshold": 351_000,
    "copay_cap": 14_040_000,
    "voluntary_min_income": 1_500_000,
    "voluntary_min_premium": 330_000,
    "voluntary_max_income": 46_800_000,
    "voluntary_max_premium": 10_296_000,
    "funeral_grant": 23_400_000,
}
NEW = {
    "base_salary": 2_530_000,
    "base_salary_from": date(2026, 7, 1),
    "base_salary_source": "NĐ 161/2026/NĐ-CP, Điều 3.2",
    "household_monthly": (113_850, 79_695, 68_310, 56_925, 45_540),
    "student_support_percent": 50,
    "student_monthly": 56_925,
    "student_yearly": 683_100,
    "near_poor_support_percent": 70,
    "near_poor_monthly": 34_155,
    "visit_threshold": 379_500,
    "copay_cap": 15_180_000,
    "voluntary_min_income": 1_500_000,
    "voluntary_min_premium": 330_000,
    "voluntary_max_income": 50_600_000,
    "voluntary_max_premium": 11_132_000,
    "funeral_grant": 25_300_000,
}
SAME = {
    "bhyt_rate_percent": Decimal("4.5"),
    "household_ladder_percent": (100, 70, 60, 50, 40),
    "payment_periods": (3, 6, 12),
    "visit_threshold_percent": 15,
    "copay_cap_multiple": 6,
    "voluntary_rate_percent": 22,
    "poverty_line": 1_500_000,
    "voluntary_max_multiple": 20,
    "voluntary_support_max_months": 120,
    "maternity_grant": 2_000_000,
    "social_pension": 500_000,
}
FIGURE_CASES = [
    pytest.param(OLD_BASE_DAY, k, v, id=f"2340000-{k}") for k, v in (SAME | OLD).items()
] + [pytest.param(NEW_BASE_DAY, k, v, id=f"2530000-{k}") for k, v in (SAME | NEW).items()]


@pytest.mark.parametrize(("on", "field", "expected"), FIGURE_CASES)
def test_snapshot_figure(book: RateBook, on: date, field: str, expected: object) -> None:
    assert getattr(book.snapshot(on), field) == expected


# Domain §5 support table: (group, percent, support, net monthly cost at the minimum income)
SUPPORT_TABLE = [
    ("poor", 50, 165_000, 165_000),
    ("near_poor", 40, 132_000, 198_000),
    ("ethnic_minority", 30, 99_000, 231_000),
    ("other", 20, 66_000, 264_000),
]


@pytest.mark.parametrize("on", [OLD_BASE_DAY, NEW_BASE_DAY], ids=["2340000", "2530000"])
@pytest.mark.parametrize(("group", "percent", "amount", "net"), SUPPORT_TABLE)
def test_snapshot_support_table(
    book: RateBook, on: date, group: str, percent: int, amount: int, net: int
) -> None:
    support = {rate.group: rate for rate in book.snapshot(on).voluntary_support}
    assert support[group] == SupportRate(group, percent, amount, net)


def test_snapshot_support_order_follows_group_codes(book: RateBook) -> None:
    groups = tuple(rate.group for rate in book.snapshot(NEW_BASE_DAY).voluntary_support)
    assert groups == SUPPORT_GROUPS == ("poor", "near_poor", "ethnic_minority", "other")


def test_snapshot_records_date_and_poverty_source(book: RateBook) -> None:
    figures = book.snapshot(NEW_BASE_DAY)
    assert figures.on == NEW_BASE_DAY
    assert "07/2021" in figures.poverty_line_source


# --- exact arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),
        (Fraction(49, 100), 0),
        (Fraction(-1, 2), -1),
        (Fraction(7), 7),
    ],
)
def test_round_half_up(amount: Fraction, expected: int) -> None:
    assert round_half_up(amount) == expected


@pytest.mark.parametrize(
    ("amount", "percents", "expected"),
    [
        (1_490_000, (Decimal("4.5"), 70), 46_935),
        (101, (50,), 51),  # 50.5 rounds up, not to even
        (103, (50,), 52),  # 51.5 rounds up
        (1_000_001, (Decimal("4.5"),), 45_000),  # 45,000.045
    ],
)
def test_percent_of(amount: int, percents: tuple[int | Decimal, ...], expected: int) -> None:
    assert percent_of(amount, *percents) == expected


# --- corrupted files -------------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _set(key: str, row: int, field: str, value: object) -> Mutation:
    """Return a mutation setting one field of one (1-based) row."""

    def mutate(data: dict[str, Any]) -> None:
        data[key][row - 1][field] = value

    return mutate


def _del_row_field(key: str, row: int, field: str) -> Mutation:
    """Return a mutation deleting one field of one (1-based) row."""

    def mutate(data: dict[str, Any]) -> None:
        del data[key][row - 1][field]

    return mutate


def _swap_base_rows(data: dict[str, Any]) -> None:
    rows = data["base_salary"]
    rows[1], rows[2] = rows[2], rows[1]


BAD_FILES = [
    pytest.param(lambda d: d.pop("poverty_line"), "poverty_line", None, "missing", id="missing"),
    pytest.param(
        _set("base_salary", 4, "from", date(2024, 7, 1)),
        "base_salary",
        4,
        "strictly increasing",
        id="same-date",
    ),
    pytest.param(_swap_base_rows, "base_salary", 3, "strictly increasing", id="dates-back"),
    pytest.param(_set("base_salary", 4, "value", -1), "base_salary", 4, "đồng", id="negative"),
    pytest.param(
        _set("base_salary", 4, "value", "2.530.000"), "base_salary", 4, "đồng", id="dotted-text"
    ),
    pytest.param(
        _set("base_salary", 4, "value", 2530000.5), "base_salary", 4, "whole", id="float-money"
    ),
    pytest.param(_set("base_salary", 4, "value", True), "base_salary", 4, "đồng", id="boolean"),
    pytest.param(
        _set("bhyt_rate_percent", 1, "value", "bốn phẩy năm"),
        "bhyt_rate_percent",
        1,
        "percentage",
        id="text-percent",
    ),
    pytest.param(
        _set("student_support_percent", 2, "value", 150),
        "student_support_percent",
        2,
        "between 0 and 100",
        id="percent-over-100",
    ),
    pytest.param(
        _set("household_ladder_percent", 1, "value", []),
        "household_ladder_percent",
        1,
        "list",
        id="empty-ladder",
    ),
    pytest.param(
        _set("payment_periods", 1, "value", [6, 3, 12]),
        "payment_periods",
        1,
        "increasing",
        id="periods-unordered",
    ),
    pytest.param(
        _set("copay_cap_multiple", 1, "value", 0), "copay_cap_multiple", 1, "at least 1", id="zero"
    ),
    pytest.param(
        _set("base_salary", 2, "from", "2023-07-01"), "base_salary", 2, "date", id="quoted-date"
    ),
    pytest.param(
        _set("base_salary", 2, "from", datetime(2023, 7, 1, 8, 0)),  # noqa: DTZ001
        "base_salary",
        2,
        "date",
        id="datetime",
    ),
    pytest.param(
        _del_row_field("base_salary", 3, "source"), "base_salary", 3, "source", id="nosrc"
    ),
    pytest.param(
        _set("base_salary", 3, "source", "  "), "base_salary", 3, "source", id="blank-src"
    ),
    pytest.param(_set("base_salary", 3, "note", "x"), "base_salary", 3, "note", id="extra-field"),
    pytest.param(
        lambda d: d.update(base_salary=2_530_000), "base_salary", None, "list", id="not-a-list"
    ),
    pytest.param(lambda d: d.update(base_salary=[]), "base_salary", None, "list", id="empty-list"),
    pytest.param(
        lambda d: d["base_salary"].append(2_700_000), "base_salary", 5, "from", id="bare-row"
    ),
    pytest.param(
        lambda d: d.update(schema_version=2), "schema_version", None, "schema_version", id="v2"
    ),
    pytest.param(
        lambda d: d.pop("schema_version"), "schema_version", None, "None", id="no-version"
    ),
    pytest.param(
        lambda d: d.update(base_salry=[]), "base_salry", None, "unknown name", id="misspelt-key"
    ),
]


@pytest.mark.parametrize(("mutate", "key", "row", "fragment"), BAD_FILES)
def test_corrupted_file_names_file_key_and_row(
    tmp_path: Path, mutate: Mutation, key: str, row: int | None, fragment: str
) -> None:
    data = shipped_data()
    mutate(data)
    path = write_rates(tmp_path / "broken-rates.toml", data)
    with pytest.raises(RatesError) as caught:
        RateBook.load(path)
    error = caught.value
    message = str(error)
    assert (error.path, error.key, error.row) == (path, key, row)
    assert str(path) in message
    assert key in message
    assert fragment in message
    if row is not None:
        assert f"row {row}" in message


def test_invalid_toml_names_the_file_and_gives_a_hint(tmp_path: Path) -> None:
    text = default_rates_path().read_text(encoding="utf-8")
    assert "value = 2_530_000" in text
    path = tmp_path / "rates.toml"
    path.write_text(text.replace("value = 2_530_000", "value = 2.530.000"), encoding="utf-8")
    with pytest.raises(RatesError, match="not valid TOML") as caught:
        RateBook.load(path)
    assert str(path) in str(caught.value)
    assert "without dots" in str(caught.value)


def test_missing_file_raises_rates_error(tmp_path: Path) -> None:
    with pytest.raises(RatesError, match="cannot read"):
        RateBook.load(tmp_path / "absent.toml")


def test_the_next_change_is_told_only_when_it_is_near() -> None:
    book = RateBook.load(default_rates_path())
    assert book.next_change(date(2026, 12, 2)) == date(2027, 1, 1)
    assert book.next_change(date(2026, 9, 1)) is None  # four months ahead: not yet
    assert book.next_change(date(2027, 1, 1)) is None  # on the day it is today's figure
    assert book.next_change(date(2026, 5, 1)) == date(2026, 7, 1)


# --- the base-salary history and the pension rise (issue #19, kind 2) ------------------------


def test_a_snapshot_holds_the_base_salary_history_known_on_its_day(book: RateBook) -> None:
    before = book.snapshot(OLD_BASE_DAY).base_salary_history
    after = book.snapshot(NEW_BASE_DAY).base_salary_history
    assert [(r.start, r.value) for r in after] == [
        (date(2019, 7, 1), 1_490_000),
        (date(2023, 7, 1), 1_800_000),
        (date(2024, 7, 1), 2_340_000),
        (date(2026, 7, 1), 2_530_000),
    ]
    assert before == after[:3]
    assert after[-1].source == "NĐ 161/2026/NĐ-CP, Điều 3.2"


def test_the_pension_rise_is_an_optional_rate_from_its_first_row(book: RateBook) -> None:
    assert book.snapshot(NEW_BASE_DAY).pension_rise_percent == 8
    assert book.snapshot(NEW_BASE_DAY).pension_rise_from == date(2026, 7, 1)
    assert book.snapshot(NEW_BASE_DAY).pension_rise_source.startswith("NĐ 162/2026")
    earlier = book.snapshot(OLD_BASE_DAY)
    assert earlier.pension_rise_percent is None
    assert earlier.pension_rise_from is None
    # it starts later than every other rate, yet older snapshots still work
    assert book.covers_from() == date(2025, 7, 1)
    assert date(2026, 7, 1) in book.changes()
