"""`loa leaflet`: a PDF per commune whose text and QR images hold the villages and their links."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from bot.cli import main

HEADER = "Họ và tên,Ngày sinh,Mã số BHXH,Số CCCD,Số điện thoại,Thôn,Xã,Hạn thẻ"
VILLAGES = ["Long Thủy", "Thôn Lẫn Đặc Mỡ Hữu Đường", "Ấp Bình Thạnh Trung"]


def _residents(path: Path, villages: list[str], commune: str = "Xã An Phú") -> Path:
    rows = [
        f"Người Số {n},01/02/1960,{100000001 + n:010d},,,{village},{commune},31/12/2027"
        for n, village in enumerate(villages)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "loa.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    assert main(["import", "residents", str(_residents(tmp_path / "list.csv", VILLAGES))]) == 0
    return path


def _live_links(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT village, code FROM leaflet_codes WHERE revoked_at IS NULL"
        ).fetchall()
    return {village: f"https://t.me/LoaBot?start={code}" for village, code in rows}


def _decoded(image: Image.Image) -> str:
    (found,) = zxingcpp.read_barcodes(image)
    return str(found.text)


def test_the_pdf_holds_each_village_and_its_qr_decodes_to_the_stored_link(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, pngs = tmp_path / "out" / "an-phu.pdf", tmp_path / "qr"
    args = ["leaflet", "--commune", "an phu", "-o", str(out), "--png", str(pngs)]
    assert main([*args, "--telegram-bot", "@LoaBot", "--phone", "0912.345.678"]) == 0
    assert "3 page(s) for Xã An Phú" in capsys.readouterr().out
    links = _live_links(db)
    assert len(links) == 3
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 3
    seen = {}
    for page in reader.pages:
        text = " ".join(page.extract_text().split())
        assert "Xã An Phú" in text
        assert "1900 9068" in text
        assert "0912 345 678" in text
        (image,) = page.images
        village = next(v for v in VILLAGES if v in text)
        seen[village] = _decoded(image.image)
    assert seen == links
    files = sorted(pngs.iterdir())
    assert len(files) == 3
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert {_decoded(Image.open(f)) for f in files} == set(links.values())


def test_printing_again_reuses_the_codes_and_one_village_can_be_asked(
    db: Path, tmp_path: Path
) -> None:
    base = ["leaflet", "--commune", "Xã An Phú", "--telegram-bot", "LoaBot"]
    assert main([*base, "-o", str(tmp_path / "all.pdf")]) == 0
    first = _live_links(db)
    one = tmp_path / "one.pdf"
    assert main([*base, "--village", "thon lan dac mo huu duong", "-o", str(one)]) == 0
    assert _live_links(db) == first
    (page,) = pypdf.PdfReader(one).pages
    assert "Thôn Lẫn Đặc Mỡ Hữu Đường" in " ".join(page.extract_text().split())
    assert _decoded(page.images[0].image) == first["Thôn Lẫn Đặc Mỡ Hữu Đường"]


def test_a_revoked_code_is_listed_as_revoked_and_the_village_gets_a_new_one(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["leaflet", "--commune", "An Phú", "--telegram-bot", "LoaBot"]
    assert main([*base, "--village", "Long Thủy", "-o", str(tmp_path / "a.pdf")]) == 0
    old = _live_links(db)["Long Thủy"].rsplit("=", 1)[1]
    capsys.readouterr()
    assert main(["leaflet", "revoke", old]) == 0
    assert main(["leaflet", "revoke", old]) == 1
    assert "is not a live leaflet code" in capsys.readouterr().err
    assert main([*base, "--village", "Long Thủy", "-o", str(tmp_path / "b.pdf")]) == 0
    new = _live_links(db)["Long Thủy"].rsplit("=", 1)[1]
    assert new != old
    capsys.readouterr()
    assert main(["leaflet", "codes", "--commune", "An Phú"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == [old, new]
    assert "revoked" in listed[0]
    assert listed[1].endswith("live")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--commune", "Xã Không Có", "-o", "x.pdf", "--telegram-bot", "LoaBot"], "no villages"),
        (["--commune", "An Phú", "-o", "x.pdf"], "--telegram-bot"),
        (["--commune", "An Phú", "--telegram-bot", "LoaBot"], "-o FILE.pdf"),
        (
            ["--commune", "An Phú", "-o", "x.pdf", "--telegram-bot", "B", "--phone", "<b>1</b>"],
            "--phone",
        ),
        (
            ["--commune", "An Phú", "--village", "Thôn Mới", "-o", "x.pdf", "--telegram-bot", "B"],
            "not a known village",
        ),
    ],
)
def test_what_cannot_be_printed_is_one_clear_line_and_exit_2(
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["leaflet", *args]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_where_zalo_is_configured_each_page_gives_the_code_to_type(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1234567890:zalo-token-for-tests")
    out = tmp_path / "zalo.pdf"
    assert main(["leaflet", "--commune", "An Phú", "-o", str(out), "--telegram-bot", "B"]) == 0
    codes = {link.rsplit("=", 1)[1] for link in _live_links(db).values()}
    texts = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(out).pages]
    assert {text.split("nhắn mã ")[1].split()[0] for text in texts} == codes
