"""The leaflet PDF, read back: every diacritic, long names wrapped, one page per village."""

from __future__ import annotations

import io

import pypdf
import zxingcpp
from PIL import Image

from bot.officers.leaflets import (
    LeafletPage,
    leaflet_pdf,
    new_code,
    qr_png,
    telegram_link,
)
from bot.render import HOTLINE, Renderer

MARKS = "Thôn Lẫn Đặc Mỡ Hữu đường"  # ẫ ặ ữ ỡ đ and friends
LONG = "Thôn Trường Xuân Thượng Lẫn Đặc Biệt Hữu Mỡ Đồng Sông Cửu Hạ"
COMMUNE = "Xã Quảng Đức Nguyễn Văn Trỗi Vĩnh Phước Hưng Thạnh Lộc Ấp Ba"


def _page(village: str, n: int = 0) -> LeafletPage:
    code = new_code()
    return LeafletPage(COMMUNE, village, f"v {n}", code, telegram_link("@LoaBot", code))


def _texts(pdf: bytes) -> list[str]:
    """Each page's text, with the line breaks of wrapping made spaces again."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_names_keep_every_diacritic_and_long_names_wrap_onto_the_page() -> None:
    assert len(LONG) == 60
    assert len(COMMUNE) == 60
    pdf = leaflet_pdf([_page(MARKS), _page(LONG, 1)], Renderer(), zalo=False, phone="0912 345 678")
    texts = _texts(pdf)
    assert len(texts) == 2  # nothing spilled onto a page of its own
    for text, village in zip(texts, [MARKS, LONG], strict=True):
        assert COMMUNE in text
        assert village in text
        assert HOTLINE in text
        assert "0912 345 678" in text
        assert "Zalo" not in text


def test_the_zalo_code_is_printed_where_zalo_is_configured() -> None:
    page = _page(MARKS)
    (text,) = _texts(leaflet_pdf([page], Renderer(), zalo=True))
    assert f"Zalo: tìm Loa và nhắn mã {page.code}" in text


def test_three_hundred_villages_make_three_hundred_pages() -> None:
    pages = [_page(f"Thôn {n}", n) for n in range(1, 301)]
    texts = _texts(leaflet_pdf(pages, Renderer(), zalo=False))
    assert len(texts) == 300
    assert all(f"Thôn {n} " in text for n, text in enumerate(texts, start=1))


def test_the_qr_code_decodes_to_the_deep_link() -> None:
    page = _page(LONG)
    assert page.link == f"https://t.me/LoaBot?start={page.code}"
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(page.link))))
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == page.link


def test_codes_are_short_opaque_and_telegram_safe() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert code.startswith("l-")
        assert len(code) <= 64
        assert code[2:].replace("-", "").replace("_", "").isalnum()
        assert code.isascii()
