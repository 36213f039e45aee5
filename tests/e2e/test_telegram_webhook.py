"""`loa run` with Telegram by webhook, and /healthz and /metrics, on the one web server.

The real serve() runs against the fake Bot API: it calls setWebhook, then updates are POSTed
over HTTP to its web server on 127.0.0.1 as Telegram would send them, with the secret header.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import aiohttp

from bot.app import Loa, open_loa, serve
from bot.clock import FixedClock
from bot.config import Settings
from bot.officers.importing.service import import_residents
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact

SECRET = "webhook-secret_for-tests"
PUBLIC = "https://loa.example.vn/telegram/hook"
RESIDENT = 4242
STRANGER = 7777
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
    "Trần Thị Mận,05/03/1958,0123456789,0905 123 456,Thôn 3,Ea Tul,02/12/2026\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def _serving(loa: Loa, clock: FixedClock) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
    try:
        yield
    finally:
        stop.set()
        await task


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def _until(check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait (up to 10 s) until `check()` is true; the bound only stops a broken test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not await check():
        assert loop.time() < deadline, f"never happened: {what}"
        await asyncio.sleep(0.05)


def _webhook_settings(server: FakeTelegram, db_path: Path, port: int) -> Settings:
    return fake_settings(
        server,
        db_path,
        TELEGRAM_WEBHOOK_URL=PUBLIC,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        WEB_PORT=str(port),
        METRICS_CACHE_SECONDS="0",  # the clock stands still: count at every scrape
    )


async def test_a_resident_is_answered_by_webhook_and_a_wrong_secret_is_refused(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> None:
    port = _free_port()
    local = f"http://127.0.0.1:{port}/telegram/hook"
    async with open_loa(_webhook_settings(server, db_path, port), clock=clock) as loa:
        async with _serving(loa, clock):
            (registered,) = await server.wait_for("setWebhook")
            assert registered.params["url"] == PUBLIC
            assert registered.params["secret_token"] == SECRET
            assert registered.params["allowed_updates"] == ["message", "callback_query"]

            forged = server.text_update(STRANGER, "/start")
            assert await server.deliver_webhook(forged, url=local, secret="not-the-secret") == 403
            assert await server.deliver_webhook(forged, url=local, secret="") == 403
            status, _ = await _get(f"http://127.0.0.1:{port}/telegram/hook")
            assert status == 405  # only Telegram's POST is served there

            update = server.text_update(RESIDENT, "/start", first_name="Mận")
            assert await server.deliver_webhook(update, url=local) == 200
            (answer, *_) = await server.wait_for(
                "sendMessage", lambda c: c.params["chat_id"] == RESIDENT
            )
            assert answer.params["text"].startswith("Xin chào")

            question = server.text_update(RESIDENT, "bhyt hộ gia đình bao nhiêu tiền")
            assert await server.deliver_webhook(question, url=local) == 200
            sent_before = len(server.sent(RESIDENT))
            await server.wait_for(
                "sendMessage",
                lambda c: c.params["chat_id"] == RESIDENT,
                count=sent_before + 1,
            )
            assert await server.deliver_webhook(question, url=local) == 200  # sent again
            thanks = server.text_update(RESIDENT, "cảm ơn")
            assert await server.deliver_webhook(thanks, url=local) == 200
            await server.wait_for(
                "sendMessage",
                lambda c: c.params["chat_id"] == RESIDENT,
                count=len(server.sent(RESIDENT)) + 1,
            )
            answered = len(server.sent(RESIDENT))
            assert await server.deliver_webhook(thanks, url=local) == 200  # and again
            assert await server.deliver_webhook({"not": "an update"}, url=local) == 400

        assert len(server.sent(RESIDENT)) == answered  # a repeated update is never answered
        incoming = await loa.store.db.fetchone(
            "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in'"
        )
        assert incoming is not None
        assert incoming["n"] == 3  # /start, the question, the thanks: repeats not handled
        assert server.sent(STRANGER) == []
        assert await find_contact(loa.store.db, "telegram", str(STRANGER)) is None
        assert server.calls("getUpdates") == []  # no polling beside the webhook
        assert server.calls("deleteWebhook") == []


async def test_healthz_and_metrics_count_without_revealing_anyone(
    server: FakeTelegram, db_path: Path, clock: FixedClock, tmp_path: Path
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    listing = tmp_path / "danh_sach.csv"
    listing.write_text(LIST, encoding="utf-8")
    async with open_loa(_webhook_settings(server, db_path, port), clock=clock) as loa:
        await import_residents(
            loa.store.residents, listing, today=date(2026, 11, 25), now=clock.now()
        )
        (resident,) = await loa.store.residents.find_by_phone("+84905123456")
        contact = await loa.store.contacts.touch("telegram", str(RESIDENT), "Mận", clock.now())
        await loa.store.residents.link(resident.id, contact.id, clock.now())
        async with _serving(loa, clock):
            await server.wait_for("setWebhook")

            async def reminded() -> bool:
                _, body = await _get(f"{base}/metrics")
                return 'loa_reminders{status="sent"} 1' in body

            await _until(reminded, "the reminder was sent")
            server.fail_next("sendMessage", status=429, retry_after=1)  # the reply waits once
            update = server.text_update(RESIDENT, "/start", first_name="Mận")
            assert await server.deliver_webhook(update, url=f"{base}/telegram/hook") == 200
            await server.wait_for(
                "sendMessage", lambda c: c.params["chat_id"] == RESIDENT and c.status == 200, 2
            )

            async def planned() -> bool:
                _, body = await _get(f"{base}/healthz")
                return '"last_run": null' not in body

            await _until(planned, "the planner ran at start-up")
            health_status, health = await _get(f"{base}/healthz")
            metrics_status, metrics = await _get(f"{base}/metrics")

    assert health_status == 200
    body = json.loads(health)
    assert body["healthy"] is True
    checks = body["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["migrations"]["ok"] is True
    assert checks["migrations"]["pending"] == []
    assert checks["sender_telegram"]["ok"] is True
    assert checks["sender_telegram"]["last_loop"] == "2026-11-25T09:00:00+07:00"
    assert checks["planner"]["last_run_ok"] is True

    assert metrics_status == 200
    assert 'loa_residents{source="import"} 1' in metrics
    assert 'loa_reminders{status="sent"} 1' in metrics
    assert 'loa_outbox_rows{status="sent"} 1' in metrics
    assert 'loa_rate_limited_total{channel="telegram"} 1' in metrics
    assert 'loa_sender_rate_limit{channel="telegram"} 30' in metrics
    assert 'loa_sender_messages_total{channel="telegram",outcome="sent"} 1' in metrics
    assert "loa_planner_last_run_ok 1" in metrics
    messages_in = next(line for line in metrics.splitlines() if 'direction="in"' in line)
    assert int(messages_in.rsplit(" ", 1)[1]) >= 1
    for secret in (
        "Trần Thị Mận",
        "Mận",
        "0905",
        "905123456",
        "0123456789",
        str(RESIDENT),
        server.token,
        server.token.split(":")[1],
        SECRET,
    ):
        assert secret not in health
        assert secret not in metrics
