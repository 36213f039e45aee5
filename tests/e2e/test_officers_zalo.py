"""Officers on Zalo end to end, on the fake Zalo Bot API: invited, notified, choosing by number,
sending a list file, and getting the chart and exports (by sendPhoto and by link)."""

from __future__ import annotations

import io
import re
import socket
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest

from bot.app import Loa, open_loa, zalo_running
from bot.channels.zalo import ZaloChannel
from bot.clock import FixedClock
from bot.config import load_settings
from bot.core.accounts import Account
from bot.store.registrations import RegistrationStatus
from tests.fakes.zalo_server import FakeZalo
from tests.officers.broadcasts.seed import Person, seed
from tests.store_queries import audit_entries

ADMIN = "ad000000001"
OFFICER = "of000000002"
RESIDENT = "re000000003"
DUE = date(2026, 12, 20)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    async with FakeZalo() as fake:
        yield fake


@pytest.fixture
async def loa(zalo: FakeZalo, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa on the fake Zalo only, with one administrator on Zalo."""
    env = {
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_API_URL": zalo.url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "ADMIN_IDS": f"zalo:{ADMIN}",
    }
    async with open_loa(load_settings(env, env_file=None), clock=clock) as opened:
        yield opened


@pytest.fixture
async def polling(loa: Loa) -> AsyncIterator[ZaloChannel]:
    """That Loa serving the fake Zalo by long polling."""
    async with zalo_running(loa, poll_timeout=1) as channel:
        yield channel


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def linking(zalo: FakeZalo, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa on the fake Zalo by polling, with PUBLIC_URL: files go by sendPhoto and by link."""
    port = _free_port()
    env = {
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_API_URL": zalo.url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "ADMIN_IDS": f"zalo:{ADMIN}",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
    }
    settings = load_settings(env, env_file=None)
    async with open_loa(settings, clock=clock) as opened, zalo_running(opened, poll_timeout=1):
        yield opened


def _workbook(rows: list[list[object]]) -> bytes:
    """Return a commune's list as an officer keeps it in Excel (a title row first)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"])
    sheet.append(["Họ và tên", "Ngày sinh", "Mã số BHXH", "SĐT", "Thôn", "Hạn thẻ"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _say(zalo: FakeZalo, user: str, text: str) -> str:
    """Send `text` as `user`; return the next text Loa sends them."""
    count = len(zalo.sent(user)) + 1
    zalo.push_text(user, text, name=user[:2])
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == user, count=count)
    return zalo.sent(user)[-1].text


def _number(screen: str, label: str) -> str:
    """Return the number a numbered list shows for the first item containing `label`."""
    for line in screen.splitlines():
        found = re.match(r"\s*(\d+)\. (.*)", line)
        if found and label in found.group(2):
            return found.group(1)
    raise AssertionError(f"no item {label!r} in:\n{screen}")


async def _invite_officer(zalo: FakeZalo) -> None:
    invitation = await _say(zalo, ADMIN, "/moi Xã Hòa Phú")
    assert "Trên Zalo: nhắn cho Loa dòng này: /start cb-" in invitation
    typed = re.search(r"/start cb-\S+", invitation)
    assert typed is not None
    welcome = await _say(zalo, OFFICER, typed.group(0))
    assert "cán bộ phụ trách Xã Hòa Phú" in welcome


async def _register(zalo: FakeZalo) -> None:
    """A resident of Hòa Phú registers, typing everything."""
    for text in ("/start", "3", "1", "đồng ý", "Nguyễn Thị Hoa", "0905 123 456"):
        await _say(zalo, RESIDENT, text)
    await _say(zalo, RESIDENT, "Xã Hòa Phú")
    await _say(zalo, RESIDENT, "Thôn Phú Sơn")
    await _say(zalo, RESIDENT, "4")
    await _say(zalo, RESIDENT, "buổi sáng")
    count = len(zalo.sent(OFFICER)) + 1
    assert "Đăng ký thành công" in await _say(zalo, RESIDENT, "1")
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER, count=count)


async def test_an_officer_invited_on_zalo_gets_a_registration_and_sets_its_status(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa
) -> None:
    await _invite_officer(zalo)
    officer = await loa.store.officers.get(Account("zalo", OFFICER))
    assert officer is not None
    assert officer.commune_keys == {"hoa phu"}
    await _register(zalo)
    notice = zalo.sent(OFFICER)[-1].text
    assert "Đăng ký tư vấn mới" in notice
    assert "Nguyễn Thị Hoa" in notice
    changed = await _say(zalo, OFFICER, _number(notice, "Đã tham gia"))
    assert "DK000001: Đã tham gia" in changed
    (registration,) = await loa.store.registrations.listing()
    assert registration.status is RegistrationStatus.JOINED
    audit = [e for e in await audit_entries(loa.store.db) if e.action.startswith("status")]
    assert [(e.actor, e.action) for e in audit] == [(f"zalo:{OFFICER}", "status:joined")]


async def test_a_number_typed_by_a_resident_is_never_an_officer_choice(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa
) -> None:
    await _invite_officer(zalo)
    await _register(zalo)
    menu = await _say(zalo, OFFICER, "/start")  # the officer is a resident too
    assert "Tính tiền đóng" in menu
    await _say(zalo, OFFICER, "2")  # the residents' menu item, not a status
    (registration,) = await loa.store.registrations.listing()
    assert registration.status is RegistrationStatus.NEW


async def test_an_officer_on_zalo_walks_broadcast_to_one_village_by_numbers(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa, clock: FixedClock
) -> None:
    people = [
        Person(50_000 + i, f"Người {i}", "Hòa Phú", "Thôn Đông" if i < 3 else "Thôn Phú Sơn", DUE)
        for i in range(5)
    ]
    await seed(loa.store.db, people, clock.now())
    await _invite_officer(zalo)
    audience = await _say(zalo, OFFICER, "/broadcast")
    assert "bước 1/5" in audience
    narrowed = await _say(zalo, OFFICER, _number(audience, "Thôn Đông"))
    assert "Thôn Đông" in narrowed
    message = await _say(zalo, OFFICER, _number(narrowed, "Tiếp"))
    assert "bước 2/5" in message
    preview = await _say(zalo, OFFICER, "Chào {{ ten }}, mời họp thôn tối thứ Bảy.")
    assert "bước 3/5" in preview
    assert "Sẽ gửi cho: 3 người" in preview
    when = await _say(zalo, OFFICER, _number(preview, "Tiếp"))
    assert "bước 4/5" in when
    confirm = await _say(zalo, OFFICER, _number(when, "ngay"))
    assert "bước 5/5" in confirm
    created = await _say(zalo, OFFICER, _number(confirm, "Xác nhận"))
    assert "Đã lên lịch đợt gửi số 1 cho 3 người" in created
    broadcast = await loa.store.broadcasts.get(1)
    assert broadcast is not None
    assert broadcast.created_by == f"zalo:{OFFICER}"
    assert broadcast.notify_chat == f"zalo:{OFFICER}"
    report = await _say(zalo, OFFICER, _number(created, "Báo cáo"))  # the controls answer too
    assert "số 1" in report
    screens = (audience, narrowed, message, preview, when, confirm, created)
    assert not [screen for screen in screens if "bấm" in screen.lower()]  # no buttons on Zalo


async def test_an_officer_on_zalo_is_told_a_file_cannot_come_there_yet(
    zalo: FakeZalo, polling: ZaloChannel
) -> None:
    await _invite_officer(zalo)
    said = await _say(zalo, OFFICER, "/export")
    assert "Danh sách đăng ký tư vấn" in said  # the caption first
    assert "chưa gửi được qua Zalo" in said
    assert ".xlsx" in said


async def test_an_officer_on_zalo_imports_a_list_by_sending_a_file(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa
) -> None:
    await _invite_officer(zalo)
    content = _workbook(
        [
            [
                "Nguyễn Văn Ba",
                "05/03/1958",
                "0123456789",
                "0905123456",
                "Thôn Phú Sơn",
                "31/12/2026",
            ],
            ["Trần Thị Tư", "07/08/1961", "0123456788", "", "Thôn Đông", "15/01/2027"],
            ["Lê Văn Năm", "01/01/1970", "01234ABC89", "", "Thôn Đông", "15/01/2027"],
        ]
    )
    count = len(zalo.sent(OFFICER)) + 1
    zalo.push_file(OFFICER, content, "danh_sach_hoa_phu.xlsx", name="Lan")
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER, count=count)
    report = zalo.sent(OFFICER)[-1].text
    assert "danh_sach_hoa_phu.xlsx: 3 dòng" in report
    assert "• Thêm mới: 2" in report
    assert "• Bị từ chối: 1" in report
    assert "Dòng 5:" in report  # the officer's own row number, title row included
    assert zalo.file_fetches == 1
    assert await loa.store.residents.count() == 2
    ba = await loa.store.residents.find_by_phone("+84905123456")
    assert [(r.full_name, r.commune, r.village) for r in ba] == [
        ("Nguyễn Văn Ba", "Xã Hòa Phú", "Thôn Phú Sơn")
    ]
    entries = await audit_entries(loa.store.db)
    assert [e.actor for e in entries if e.action == "import"] == [f"zalo:{OFFICER}"]


async def test_a_list_larger_than_loa_takes_from_zalo_is_refused_before_download(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa
) -> None:
    await _invite_officer(zalo)
    count = len(zalo.sent(OFFICER)) + 1
    zalo.push_file(OFFICER, _workbook([]), "ds_lon.xlsx", size=25_000_000)
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER, count=count)
    text = zalo.sent(OFFICER)[-1].text
    assert "tệp ds_lon.xlsx nặng 25 MB" in text
    assert "chỉ cho bot tải tệp đến 20 MB" in text
    assert zalo.file_fetches == 0


async def test_a_residents_file_on_zalo_is_not_imported_nor_fetched(
    zalo: FakeZalo, polling: ZaloChannel, loa: Loa
) -> None:
    content = _workbook([["Nguyễn Văn Ba", "05/03/1958", "0123456789", "", "", "31/12/2026"]])
    zalo.push_file(RESIDENT, content, "ds.xlsx")
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT)
    assert "chỉ đọc được tin nhắn chữ" in zalo.sent(RESIDENT)[-1].text
    assert zalo.file_fetches == 0
    assert await loa.store.residents.count() == 0


async def test_stats_on_zalo_with_a_public_url_sends_the_chart_as_a_photo(
    zalo: FakeZalo, linking: Loa
) -> None:
    await _invite_officer(zalo)
    summary = await _say(zalo, OFFICER, "/stats")
    assert "Xã Hòa Phú" in summary
    await zalo.wait_for("sendPhoto", lambda c: c.params["chat_id"] == OFFICER)
    (photo,) = zalo.photos(OFFICER)
    assert photo.content.startswith(b"\x89PNG\r\n\x1a\n")  # Zalo fetched it from Loa
    assert photo.content_type == "image/png"
    assert photo.url.startswith(linking.settings.public_url + "/files/")
    async with httpx.AsyncClient() as http:
        again = await http.get(photo.url)
    assert again.status_code == 200
    assert again.content == photo.content


async def test_export_on_zalo_with_a_public_url_sends_a_link_to_the_spreadsheet(
    zalo: FakeZalo, linking: Loa, clock: FixedClock
) -> None:
    await _invite_officer(zalo)
    await _register(zalo)
    said = await _say(zalo, OFFICER, "/export")
    assert "Danh sách đăng ký tư vấn – Xã Hòa Phú: 1 dòng" in said  # the caption first
    assert "ngày 26/11/2026" in said  # 24 hours from now, Vietnam time
    found = re.search(r"(http://127\.0\.0\.1:\d+/files/[A-Za-z0-9_-]+)", said)
    assert found is not None
    async with httpx.AsyncClient() as http:
        got = await http.get(found.group(1))
        assert got.status_code == 200
        assert "attachment;" in got.headers["content-disposition"]
        assert ".xlsx" in got.headers["content-disposition"]
        sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
        assert sheet is not None
        rows = [[str(cell or "") for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert any("Nguyễn Thị Hoa" in row for row in rows[1:])
        clock.advance(timedelta(hours=24))
        gone = await http.get(found.group(1))
        assert gone.status_code == 404
        assert "hết hạn" in gone.text
    assert zalo.photos() == []
