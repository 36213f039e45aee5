"""Printable village leaflets: one A5 PDF page per village with its QR code, and the QR PNGs."""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF

from bot.core.leaflets import LEAFLET_PREFIX
from bot.render import Renderer

__all__ = [
    "FONT",
    "FONT_BOLD",
    "LeafletPage",
    "leaflet_pdf",
    "new_code",
    "png_name",
    "qr_png",
    "telegram_link",
]

FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
"""Debian's fonts-dejavu-core (`make setup` installs it): DejaVu Sans covers Vietnamese."""
FONT = FONT_FOLDER / "DejaVuSans.ttf"
FONT_BOLD = FONT_FOLDER / "DejaVuSans-Bold.ttf"

_MARGIN = 12.0  # mm, on an A5 page of 148 × 210 mm
_QR_SIZE = 78.0  # mm: large enough to scan from arm's length
_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class LeafletPage:
    """What one village's page shows: the place, its code and the Telegram link it opens."""

    commune: str
    village: str
    village_key: str
    code: str
    link: str


def new_code() -> str:
    """Return a fresh leaflet code: the prefix and 8 random URL-safe characters (48 bits)."""
    return LEAFLET_PREFIX + secrets.token_urlsafe(6)


def telegram_link(bot_username: str, code: str) -> str:
    """Return the t.me deep link that starts a chat with the bot carrying `code`."""
    return f"https://t.me/{bot_username.strip().lstrip('@')}?start={code}"


def qr_png(link: str, scale: int = 10) -> bytes:
    """Return the QR code of `link` as a PNG (medium error correction, a 4-module border)."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def png_name(page: LeafletPage) -> str:
    """Return the file name of a village's QR PNG, from its key ("thon-2.png")."""
    return (_UNSAFE.sub("-", page.village_key).strip("-") or page.code) + ".png"


def leaflet_pdf(
    pages: Sequence[LeafletPage],
    renderer: Renderer,
    *,
    zalo: bool,
    phone: str = "",
    font: Path = FONT,
    bold: Path = FONT_BOLD,
) -> bytes:
    """Return the PDF of the leaflets: one A5 page per village, the font embedded."""
    pdf = FPDF(orientation="P", unit="mm", format=(148, 210))  # A5
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_font("DejaVu", "", str(font))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_title(renderer.label("leaflet.heading", {"commune": pages[0].commune}))
    lines = renderer.text("leaflet/can_do").splitlines()
    for page in pages:
        _page(pdf, page, renderer, lines, zalo=zalo, phone=phone)
    return bytes(pdf.output())


def _page(
    pdf: FPDF,
    page: LeafletPage,
    renderer: Renderer,
    can_do: list[str],
    *,
    zalo: bool,
    phone: str,
) -> None:
    """Draw one village's page; long names wrap onto more lines, never off the page."""
    pdf.add_page()
    _text(pdf, renderer.label("leaflet.heading", {"commune": page.commune}), 19, bold=True)
    _text(pdf, renderer.label("leaflet.village", {"village": page.village}), 15, bold=True)
    pdf.ln(3)
    pdf.image(io.BytesIO(qr_png(page.link)), x=(pdf.w - _QR_SIZE) / 2, w=_QR_SIZE)
    pdf.ln(2)
    _text(pdf, renderer.label("leaflet.scan"), 11)
    if zalo:
        _text(pdf, renderer.label("leaflet.zalo", {"code": page.code}), 11, bold=True)
    pdf.ln(3)
    for line in can_do:
        _text(pdf, "• " + line, 10, align="L")
    pdf.ln(3)
    _text(pdf, renderer.label("leaflet.hotline"), 12, bold=True)
    if phone:
        _text(pdf, renderer.label("leaflet.phone", {"phone": phone}), 11)


def _text(pdf: FPDF, text: str, size: float, *, bold: bool = False, align: str = "C") -> None:
    """Write `text` across the page's width, wrapped at words (a word too long is split)."""
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
