"""Tests for bot.core.places: matching keys and display forms of communes and villages."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.places import MAX_PLACE_LENGTH, display_place, place_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Thôn 03", "thôn 3"),
        ("THÔN 3", "Thon 03"),
        ("Tổ dân phố 5", "TDP 05"),
        ("Tổ 5", "Tổ dân phố 05"),
        ("Khu phố 2", "KP.2"),
        ("Phường 3", "P.3"),
        ("Phường 03", "P3"),
        ("Xã Hòa Vang", "hoà vang"),
        ("Xã Hòa Vang", "Xa Hoa Vang"),
        ("Xã  Hòa   Vang ", "Hòa Vang"),
        ("Đặc khu Phú Quốc", "Phú Quốc"),
        ("Thị trấn Núi Thành", "núi thành"),
        ("Ấp Phú Hòa", "Phú Hoà"),
        ("Bản Na Hối", "na hoi"),
        ("Buôn Ea Sup", "Ea Súp"),
        ("Xã Ea H'Leo", "Ea Hleo"),
        ("Xã Ea H’Leo", "ea h'leo"),
        ("Phường Buôn Ma Thuột", "Buôn Ma Thuột"),
        ("Thôn Đông-Tây", "Đông Tây"),
        ("Sóc Trà Cuôn", "tra cuon"),
        ("Xóm Mới", "Mới"),
        ("Làng Sen", "Sen"),
    ],
)
def test_same_place_same_key(one: str, other: str) -> None:
    assert place_key(one) == place_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Thôn 3", "Tổ dân phố 3"),
        ("Thôn 3", "Thôn 13"),
        ("Thôn 3", "Xóm 3"),
        ("Tô Hiệu", "Hiệu"),
        ("Lạng Sơn", "Sơn"),
        ("Phường 3", "Xã 3"),
    ],
)
def test_different_places_different_keys(one: str, other: str) -> None:
    assert place_key(one) != place_key(other)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Thôn 03", "thon 3"),
        ("Tổ 5", "to dan pho 5"),
        ("Thôn 3A", "thon 3a"),
        ("Đồng Nai", "dong nai"),
        ("Xã", "xa"),
        ("Thôn", "thon"),
        ("", ""),
        ("  ,.  ", ""),
        ("Ấp 007", "ap 7"),
        ("Thôn 10", "thon 10"),
    ],
)
def test_place_key_values(text: str, key: str) -> None:
    assert place_key(text) == key


def test_place_key_folds_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Xã Điện Bàn")
    assert place_key(decomposed) == "dien ban"


def test_display_place_tidies_without_changing_words() -> None:
    decomposed = unicodedata.normalize("NFD", "  Thôn   Phú\tHòa \n")
    shown = display_place(decomposed)
    assert shown == "Thôn Phú Hòa"
    assert unicodedata.is_normalized("NFC", shown)


def test_display_place_caps_length() -> None:
    shown = display_place("Thôn " + "Mới " * 60)
    assert len(shown) <= MAX_PLACE_LENGTH
    assert shown.startswith("Thôn Mới Mới")
    assert not shown.endswith(" ")
