"""Officers on Zalo end to end, on the fake Zalo Bot API: invited, notified, choosing by number."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, zalo_running
from bot.channels.zalo import ZaloChannel
from bot.clock import FixedClock
from bot.config import load_settings
from bot.core.accounts import Account
from bot.store.registrations import RegistrationStatus
from tests.fakes.zalo_server import FakeZalo
from tests.officers.broadcasts.seed import Person, seed

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
    audit = [e for e in await loa.store.officers.audit_entries() if e.action.startswith("status")]
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
