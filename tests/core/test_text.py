"""Tests for Vietnamese text cleaning, folding and normalisation."""

from __future__ import annotations

import timeit
import unicodedata

import pytest

from bot.core.text import MAX_LENGTH, clean, fold, normalise, valid_unicode


def nfd(text: str) -> str:
    """Return `text` decomposed, as some phone keyboards send it."""
    return unicodedata.normalize("NFD", text)


class TestClean:
    def test_composes_decomposed_text(self) -> None:
        assert clean(nfd("Bảo hiểm y tế")) == unicodedata.normalize("NFC", "Bảo hiểm y tế")

    def test_removes_control_characters_but_keeps_newlines(self) -> None:
        assert clean("a\x00b\x07c\r\nd\x1be\x7f") == "abc\nde"

    def test_turns_tabs_into_spaces_and_trims(self) -> None:
        assert clean("\t  xin\tchào \n ") == "xin chào"

    def test_caps_the_length(self) -> None:
        assert len(clean("á" * (MAX_LENGTH + 500))) == MAX_LENGTH

    def test_keeps_diacritics_case_and_emoji(self) -> None:
        assert clean("Đóng BHYT 🙂") == "Đóng BHYT 🙂"


class TestFold:
    @pytest.mark.parametrize(
        ("text", "folded"),
        [
            ("Bảo hiểm Y TẾ", "bao hiem y te"),
            ("ĐÓNG đủ", "dong du"),
            ("Hộ gia đình, 4 người!!!", "ho gia dinh 4 nguoi"),
            ("“Thẻ” — hết hạn…", "the het han"),
            ("  nhiều   khoảng\ttrắng \n", "nhieu khoang trang"),
            ("1.5 triệu, 3.000.000đ", "1.5 trieu 3.000.000d"),
            ("-3 tuổi", "-3 tuoi"),
            ("1-2 người", "1 2 nguoi"),
            ("Cuối câu.", "cuoi cau"),
            ("ngày 1/7/2026", "ngay 1 7 2026"),
            ("🙂🙂", ""),
            ("xin chào 👋🏽 bạn", "xin chao ban"),
            ("a\u200bb", "ab"),
            ("", ""),
        ],
    )
    def test_folds(self, text: str, folded: str) -> None:
        assert fold(text) == folded

    @pytest.mark.parametrize(
        "text", ["Nhà tôi 4 người đóng bảo hiểm y tế bao nhiêu", "Đắk Lắk", "Cần Thơ ạ"]
    )
    def test_decomposed_input_folds_like_composed(self, text: str) -> None:
        assert fold(nfd(text)) == fold(text)
        assert fold(nfd(text)).isascii()

    def test_every_vietnamese_letter_folds_to_ascii(self) -> None:
        letters = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
        folded = fold(letters + letters.upper())
        assert folded.isascii()
        assert set(folded) <= set("aeiouyd")


class TestNormalise:
    @pytest.mark.parametrize(
        ("text", "normalised"),
        [
            ("bhyt", "bao hiem y te"),
            ("BHXH", "bao hiem xa hoi"),
            ("bhxh tn", "bao hiem xa hoi tu nguyen"),
            ("bhxhtn", "bao hiem xa hoi tu nguyen"),
            ("hgđ", "ho gia dinh"),
            ("hgd", "ho gia dinh"),
            ("hssv", "hoc sinh sinh vien"),
            ("mua bh", "mua bao hiem"),
            ("được ko", "duoc khong"),
            ("dc k", "duoc khong"),
            ("đc hok", "duoc khong"),
            ("được hông", "duoc khong"),
            ("dc hong", "duoc khong"),
            ("bn tiền", "bao nhieu tien"),
            ("bnhieu", "bao nhieu"),
            ("nhiêu tiền", "bao nhieu tien"),
            ("bao nhiêu tiền", "bao nhieu tien"),
            ("làm j", "lam gi"),
            ("4 ng", "4 nguoi"),
            ("4ng", "4 nguoi"),
            ("3tr", "3 trieu"),
            ("3 tr", "3 trieu"),
            ("1tr5", "1 trieu 5"),
            ("500k", "500 nghin"),
            ("500 ngàn", "500 nghin"),
            ("3 củ", "3 trieu"),
            ("6th", "6 thang"),
            ("3000000đ", "3000000 dong"),
        ],
    )
    def test_expands(self, text: str, normalised: str) -> None:
        assert normalise(text) == normalised

    @pytest.mark.parametrize(
        ("text", "normalised"),
        [
            ("thẻ bị hỏng", "the bi hong"),  # "hỏng" (broken) is not "hông" (không)
            ("nhiều người", "nhieu nguoi"),  # "nhiều" (many) is not "nhiêu" (bao nhiêu)
            ("tn là gì", "tn la gi"),  # alone, "tn" may be "tin nhắn"
            ("k", "khong"),
            ("500 k", "500 nghin"),
            ("tr", "tr"),  # "tr" is "triệu" only after a number
        ],
    )
    def test_keeps_ambiguous_words_in_context(self, text: str, normalised: str) -> None:
        assert normalise(text) == normalised

    def test_full_message(self) -> None:
        assert (
            normalise("bhyt hgđ 4ng đóng bn? thu nhập 3tr5/tháng, có đc ko ạ")
            == "bao hiem y te ho gia dinh 4 nguoi dong bao nhieu thu nhap 3 trieu 5 thang "
            "co duoc khong a"
        )

    def test_decomposed_input(self) -> None:
        assert normalise(nfd("Đóng BHYT được hông")) == "dong bao hiem y te duoc khong"

    @pytest.mark.parametrize(
        "text", ["bhyt hgđ 4ng đóng bn", "3tr5 được hông", "nhiêu tiền vậy", "bhxh tn 500k"]
    )
    def test_is_idempotent(self, text: str) -> None:
        assert normalise(normalise(text)) == normalise(text)

    def test_is_fast(self) -> None:
        message = "Nhà tôi 4 người thì đóng BHYT hộ gia đình bao nhiêu tiền một năm vậy cháu ơi?"
        runs = 2000
        best = min(timeit.repeat(lambda: normalise(message), number=runs, repeat=5)) / runs
        assert best < 60e-6  # 20 µs measured; generous for a loaded CI machine


def test_valid_unicode_replaces_lone_surrogates_and_joins_pairs() -> None:
    assert valid_unicode("a\ud800b") == "a\ufffdb"
    assert valid_unicode("\udcff\udcfe") == "\ufffd\ufffd"  # surrogateescape'd bytes
    assert valid_unicode("\ud83d\ude00") == "\U0001f600"
    assert valid_unicode("chào") == "chào"
    assert clean("x \ud800").encode("utf-8") == "x \ufffd".encode()
