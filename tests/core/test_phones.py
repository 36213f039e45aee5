"""Tests for bot.core.phones: normalising, explaining and displaying Vietnamese numbers."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from bot.core.phones import display_phone, normalise_phone, phone_problem


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0905 123 456", "+84905123456"),
        ("0905.123.456", "+84905123456"),
        ("0905-123-456", "+84905123456"),
        ("+84 905 123 456", "+84905123456"),
        ("84905123456", "+84905123456"),
        ("0084 905 123 456", "+84905123456"),
        ("+84 (0) 905 123 456", "+84905123456"),
        ("905123456", "+84905123456"),
        ("  0912345678 ", "+84912345678"),
        ("０９０５１２３４５６", "+84905123456"),
        ("(0236) 3822 123", "+842363822123"),
        ("024 3825 1234", "+842438251234"),
        ("2363822123", "+842363822123"),
        ("842363822123", "+842363822123"),
    ],
)
def test_normalise_accepts_common_typings(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164
    assert phone_problem(typed) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "too_short"),
        ("0905 123", "too_short"),
        ("090512345678", "too_long"),
        ("0905 12a 456", "letters"),
        ("không có", "letters"),
        ("+1 650 253 0000", "not_vietnamese"),
        ("0033 1 23 45 67 89", "not_vietnamese"),
        ("0123456789", "invalid"),
        ("0190 123 456", "invalid"),
        ("1900 9068", "too_short"),
        ("1800 1234 56", "invalid"),
        ("09#05123456", "invalid"),
    ],
)
def test_problem_codes(typed: str, problem: str) -> None:
    assert normalise_phone(typed) is None
    assert phone_problem(typed) == problem


def test_agrees_with_phonenumbers_validity_on_every_prefix() -> None:
    """Our range check must accept exactly the library's valid VN mobiles and landlines."""
    personal = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    rng = random.Random(7)
    checked = accepted = 0
    for prefix in range(1000, 10000):
        for length in (9, 10):
            national = f"{prefix}{rng.randrange(10 ** (length - 4)):0{length - 4}d}"
            number = phonenumbers.parse("0" + national, "VN")
            expected = (
                phonenumbers.is_valid_number(number)
                and phonenumbers.number_type(number) in personal
            )
            ours = normalise_phone("0" + national)
            assert (ours is not None) == expected, national
            if ours is not None:
                assert ours == phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164
                )
                accepted += 1
            checked += 1
    assert checked == 18000
    assert accepted > 1000  # the sample really contains valid numbers


@pytest.mark.parametrize(
    ("e164", "shown"),
    [("+84905123456", "0905 123 456"), ("+842363822123", "0236 3822 123")],
)
def test_display_phone(e164: str, shown: str) -> None:
    assert display_phone(e164) == shown
    assert normalise_phone(shown) == e164


@pytest.mark.parametrize("stored", ["0905123456", "+16502530000", "+84 905 123 456", ""])
def test_a_number_not_vietnamese_e164_is_shown_as_stored(stored: str) -> None:
    assert display_phone(stored) == stored


def test_no_number_is_shown_as_nothing() -> None:
    assert display_phone(None) == ""
