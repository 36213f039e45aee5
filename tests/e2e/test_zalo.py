"""Residents on Zalo end to end, on a fake Zalo Bot API: polling, webhook, outbox, `loa run`."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import Loa, load_rates, open_loa, outbox_preparer, serve, zalo_running
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_transport import ZaloTransport
from bot.cli import main
from bot.clock import FixedClock
from bot.config import ConfigError, Settings, load_settings
from bot.officers.importing.service import import_residents
from bot.outbox.sender import Pacer, Sender
from bot.store import ContactStatus, OutboxItem, OutboxStatus
from scheduler.planner import plan_reminders
from tests.fakes.zalo_server import FakeZalo
from tests.store_queries import find_contact, outbox_rows

RESIDENT = "7a3f0c9e21d4"
SECRET = "s3cret-for-tests"
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
    "Nguyễn Văn Ba,05/03/1958,0123456789,0905 123 456,Thôn 3,Ea Tul,02/12/2026\n"
)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    async with FakeZalo() as fake:
        yield fake


def _settings(zalo: FakeZalo, db_path: Path, **extra: str) -> Settings:
    env = {
        "ZALO_BOT_TOKEN": zalo.token,
        "ZALO_API_URL": zalo.url,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "WEB_PORT": "0",
        **extra,
    }
    return load_settings(env, env_file=None)


@pytest.fixture
async def zalo_loa(zalo: FakeZalo, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    """Loa configured for the fake server, with Zalo only."""
    async with open_loa(_settings(zalo, db_path), clock=clock) as loa:
        yield loa


@pytest.fixture
async def polling(zalo_loa: Loa) -> AsyncIterator[ZaloChannel]:
    """That Loa serving the fake Zalo by long polling."""
    async with zalo_running(zalo_loa, poll_timeout=1) as channel:
        yield channel


async def _say(zalo: FakeZalo, text: str, *, parts: int = 1) -> str:
    """Send `text` as the resident; return the reply (its last `parts` texts joined)."""
    count = len(zalo.sent(RESIDENT)) + parts
    zalo.push_text(RESIDENT, text, name="Hoa")
    await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT, count=count)
    return "\n".join(s.text for s in zalo.sent(RESIDENT)[-parts:])


async def test_a_resident_uses_the_calculator_by_typing_numbers_and_words(
    zalo: FakeZalo, polling: ZaloChannel
) -> None:
    menu = await _say(zalo, "/start")
    assert "  2. 🧮 Tính tiền đóng" in menu
    assert "(Gõ số hoặc tên mục để chọn)" in menu
    assert "4. BHXH tự nguyện" in await _say(zalo, "2")
    incomes = await _say(zalo, "bhxh tu nguyen")  # the words, no diacritics
    assert "  • 3.000.000 đồng" in incomes  # an amount is asked: the list has no numbers
    assert "3. " not in incomes
    groups = await _say(zalo, "3")  # 3 million, not the third item
    assert "dân tộc thiểu số" in groups
    key = next(line.split(".")[0].strip() for line in groups.splitlines() if "dân tộc" in line)
    result = await _say(zalo, key)
    assert "Bạn đóng: 561.000 đồng/tháng" in result  # 660,000 less 30% of 22% × 1,500,000
    assert all(len(s.text) <= 2000 for s in zalo.sent())
    assert zalo.calls("getUpdates")[0].params["timeout"] == "1"


async def test_a_resident_registers_typing_the_phone_number(
    zalo: FakeZalo, polling: ZaloChannel, zalo_loa: Loa
) -> None:
    await _say(zalo, "/start")
    assert "1. BHYT hộ gia đình" in await _say(zalo, "3")
    assert "1. ✅ Đồng ý" in await _say(zalo, "1")
    assert "họ và tên" in await _say(zalo, "đồng ý")
    assert "Số điện thoại" in await _say(zalo, "Nguyễn Thị Hoa")
    assert "xã" in await _say(zalo, "0905 123 456")
    assert "thôn" in await _say(zalo, "Xã Hòa Phú")
    assert "  • 6 người\n  • Bỏ qua" in await _say(zalo, "Thôn Phú Sơn")
    assert "3. Buổi tối" in await _say(zalo, "7")  # seven people, not the seventh item
    summary = await _say(zalo, "buổi tối")
    assert "Số người trong hộ: 7" in summary
    assert "0905 123 456" in summary
    assert "buổi tối" in summary
    done = await _say(zalo, "1")
    assert "Đăng ký thành công" in done
    contact = await find_contact(zalo_loa.store.db, "zalo", RESIDENT)
    assert contact is not None
    (registration,) = await zalo_loa.store.registrations.for_contact(contact.id)
    assert registration.phone == "+84905123456"


async def test_typed_numbers_mean_the_number_asked_and_lists_count_one_to_n(
    zalo: FakeZalo, polling: ZaloChannel
) -> None:
    page = await _say(zalo, "bhyt ho gia dinh bao nhieu tien")
    assert "Gõ số người" in page
    months = await _say(zalo, "4")  # the page asked for the household size: 4 people
    assert "mấy tháng" in months
    assert "  • 3 tháng\n  • 6 tháng\n  • 12 tháng" in months
    result = await _say(zalo, "12")
    assert "4 người" in result
    kinds = await _say(zalo, "/start")
    assert "  1. 📖" in kinds
    assert "  5. ☎️" in kinds


async def test_a_message_delivered_twice_is_answered_once(
    zalo: FakeZalo, polling: ZaloChannel
) -> None:
    update = zalo.text_update(RESIDENT, "/start", message_id="dup-1")
    zalo.push(update)
    zalo.push(update)
    await _say(zalo, "/help")  # answered after both copies were taken
    await asyncio.sleep(0.2)
    texts = [s.text for s in zalo.sent(RESIDENT)]
    assert len(texts) == 2
    assert texts[0].startswith("Xin chào")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_the_webhook_refuses_a_wrong_secret_and_dedupes_retries(
    zalo: FakeZalo, db_path: Path, clock: FixedClock
) -> None:
    port = _free_port()
    settings = _settings(
        zalo,
        db_path,
        ZALO_WEBHOOK_URL="https://loa.example.vn/zalo/hook",
        ZALO_WEBHOOK_SECRET=SECRET,
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
    )
    local = f"http://127.0.0.1:{port}/zalo/hook"
    async with open_loa(settings, clock=clock) as loa, zalo_running(loa) as channel:
        (registered,) = zalo.calls("setWebhook")
        assert registered.params == {
            "url": "https://loa.example.vn/zalo/hook",
            "secret_token": SECRET,
        }
        update = zalo.text_update(RESIDENT, "/start", message_id="wh-1")
        assert await zalo.deliver_webhook(update, url=local, secret="wrong-secret") == 403
        assert await zalo.deliver_webhook(update, url=local, secret="") == 403
        await channel.settle()
        assert zalo.sent() == []
        assert await find_contact(loa.store.db, "zalo", RESIDENT) is None

        assert await zalo.deliver_webhook(update, url=local) == 200
        assert await zalo.deliver_webhook(update, url=local) == 200  # Zalo retried
        await channel.settle()
        assert len(zalo.sent(RESIDENT)) == 1
        assert zalo.calls("getUpdates") == []

    async with open_loa(settings, clock=clock) as loa, zalo_running(loa) as channel:  # restart
        assert await zalo.deliver_webhook(update, url=local) == 200  # a retry from before it
        fresh = zalo.text_update(RESIDENT, "/help", message_id="wh-2")
        assert await zalo.deliver_webhook(fresh, url=local) == 200
        await channel.settle()
        texts = [s.text for s in zalo.sent(RESIDENT)]
        assert len(texts) == 2  # the retry was not answered again; the new message was


async def test_a_reminder_reaches_zalo_through_the_outbox(
    zalo: FakeZalo, zalo_loa: Loa, clock: FixedClock
) -> None:
    store = zalo_loa.store
    reader = await store.contacts.touch("zalo", RESIDENT, "Hoa", clock.now())
    gone = await store.contacts.touch("zalo", "blocked-user", "Lan", clock.now())
    items = [OutboxItem(c.id, "reminder", "Thẻ BHYT của bạn sắp hết hạn") for c in (reader, gone)]
    await store.outbox.enqueue_many(items, clock.now())
    zalo.block("blocked-user")
    async with ZaloClient(zalo.token, zalo.url, retries=0) as client:
        sender = Sender(
            store.outbox,
            ZaloTransport(client),
            Pacer(10, 5),
            clock,
            channel="zalo",
            preparer=outbox_preparer(store, zalo_loa.settings),
        )
        stats = await sender.drain()
    assert [s.text for s in zalo.sent(RESIDENT)] == ["Thẻ BHYT của bạn sắp hết hạn"]
    assert (stats.sent, stats.skipped) == (1, 1)
    rows = {row.contact_id: row for row in await outbox_rows(store.db)}
    assert rows[reader.id].status is OutboxStatus.SENT
    assert rows[gone.id].status is OutboxStatus.SKIPPED
    blocked = await store.contacts.get(gone.id)
    assert blocked is not None
    assert blocked.status is ContactStatus.BLOCKED


async def test_loa_run_with_only_a_zalo_token_serves_zalo_and_sends_reminders(
    zalo: FakeZalo, db_path: Path, clock: FixedClock, tmp_path: Path
) -> None:
    settings = _settings(zalo, db_path)
    assert settings.telegram_bot_token == ""
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(LIST, encoding="utf-8")
    async with open_loa(settings, clock=clock) as loa:
        await import_residents(
            loa.store.residents, listing, today=date(2026, 11, 25), now=clock.now()
        )
        (resident,) = await loa.store.residents.find_by_phone("+84905123456")
        contact = await loa.store.contacts.touch("zalo", RESIDENT, "Ba", clock.now())
        await loa.store.residents.link(resident.id, contact.id, clock.now())
        stop = asyncio.Event()
        task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
        try:
            (reminder,) = await zalo.wait_for("sendMessage")
            assert "Nguyễn Văn Ba" in reminder.params["text"]
            zalo.push_text("someone-else", "/start")
            await zalo.wait_for("sendMessage", count=2)
        finally:
            stop.set()
            await task
    assert [s.chat_id for s in zalo.sent()] == [RESIDENT, "someone-else"]


async def test_a_wrong_zalo_token_fails_at_start(zalo: FakeZalo, db_path: Path) -> None:
    settings = load_settings(
        {"ZALO_BOT_TOKEN": "123:not-the-token", "ZALO_API_URL": zalo.url}, env_file=None
    )
    async with open_loa(settings, database=db_path) as loa:
        with pytest.raises(ConfigError, match="ZALO_BOT_TOKEN was refused by Zalo"):
            async with zalo_running(loa):
                pass
    assert zalo.sent() == []


def test_loa_run_with_a_wrong_zalo_token_exits_2_with_one_line(
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    urls: list[str] = []

    async def fake_until(stop: asyncio.Event) -> None:
        async with FakeZalo() as fake:
            urls.append(fake.url)
            ready.set()
            await stop.wait()

    stop = asyncio.Event()
    thread = threading.Thread(target=loop.run_until_complete, args=(fake_until(stop),))
    thread.start()
    try:
        assert ready.wait(5)
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
        monkeypatch.setenv("ZALO_BOT_TOKEN", "123:not-the-token")
        monkeypatch.setenv("ZALO_API_URL", urls[0])
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
        assert main(["run"]) == 2
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(5)
        loop.close()
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "loa: ZALO_BOT_TOKEN was refused by Zalo (check the token)"


async def test_one_person_on_two_apps_gets_one_reminder_on_the_app_used_last(
    zalo: FakeZalo, zalo_loa: Loa, clock: FixedClock, tmp_path: Path
) -> None:
    store = zalo_loa.store
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(LIST, encoding="utf-8")
    await import_residents(store.residents, listing, today=date(2026, 11, 25), now=clock.now())
    (resident,) = await store.residents.find_by_phone("+84905123456")
    start = clock.now()
    on_telegram = await store.contacts.touch("telegram", "8001", "Ba", start - timedelta(days=3))
    await store.residents.link(resident.id, on_telegram.id, start - timedelta(days=3))
    on_zalo = await store.contacts.touch("zalo", RESIDENT, "Ba", start - timedelta(days=2))
    await store.residents.link(resident.id, on_zalo.id, start - timedelta(days=2))
    await store.contacts.touch("telegram", "8001", "Ba", start - timedelta(days=1))

    report = await plan_reminders(
        store, zalo_loa.renderer, load_rates(zalo_loa.settings), zalo_loa.settings, clock.now()
    )
    again = await plan_reminders(
        store, zalo_loa.renderer, load_rates(zalo_loa.settings), zalo_loa.settings, clock.now()
    )

    assert [p.contact_id for p in report.planned] == [on_telegram.id]
    assert again.planned == []
    rows = await outbox_rows(store.db)
    assert [row.contact_id for row in rows] == [on_telegram.id]
    linked = await store.residents.for_contact(on_zalo.id)
    assert [r.id for r in linked] == [resident.id]  # still linked from Zalo too


async def test_on_zalo_a_typed_phone_links_only_with_the_birth_date(
    zalo: FakeZalo, polling: ZaloChannel, zalo_loa: Loa, clock: FixedClock, tmp_path: Path
) -> None:
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(LIST, encoding="utf-8")
    await import_residents(
        zalo_loa.store.residents, listing, today=date(2026, 11, 25), now=clock.now()
    )
    ways = await _say(zalo, "nhắc tôi gia hạn thẻ")
    key = next(line.split(".")[0].strip() for line in ways.splitlines() if "điện thoại" in line)
    assert "Gõ số điện thoại" in await _say(zalo, key)
    assert "ngày sinh" in await _say(zalo, "0905 123 456")
    wrong = await _say(zalo, "06/03/1958")
    assert "chưa khớp" in wrong
    assert "Nguyễn Văn Ba" not in wrong
    await _say(zalo, key)
    await _say(zalo, "0905 123 456")
    right = await _say(zalo, "05/03/1958")
    assert "Nguyễn Văn Ba: hết hạn 02/12/2026" in right


async def test_id_tells_a_zalo_user_their_own_id(zalo: FakeZalo, polling: ZaloChannel) -> None:
    said = await _say(zalo, "/id")
    assert f"Mã của bạn trên Zalo: {RESIDENT}" in said
    assert "loa officers add" in said
