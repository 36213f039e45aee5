"""/qr over the fake Telegram Bot API: an officer picks a village and gets its leaflet PDF,
whose QR code opens Loa with that village's stored code; nobody prints another commune's."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from bot.officers.broadcasts.choices import short_id
from bot.store.drafts import Place as DraftPlace
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.officer_helpers import add_officer, commune
from tests.officers.broadcasts.seed import Person, seed
from tests.store_queries import audit_entries

OFFICER = 8001
DUE = date(2026, 12, 20)


@pytest.fixture
async def loa_bot(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    async with open_loa(fake_settings(server, db_path), clock=clock) as loa:
        people = [
            Person(60_000 + i, f"Người {i}", "Xã Hòa Phú", village, DUE)
            for i, village in enumerate(["Thôn Đông", "Thôn Đông", "Buôn Ea Kmũt"])
        ]
        people.append(Person(60_100, "Người khác", "Xã Tân Lập", "Thôn 1", DUE))
        await seed(loa.store.db, people, clock.now())
        await add_officer(loa.store, OFFICER, "Cán bộ Bình", "Xã Hòa Phú", clock.now())
        async with telegram_running(loa, poll_timeout=1):
            yield loa


def _buttons(server: FakeTelegram) -> dict[str, str]:
    markup = server.sent(OFFICER)[-1].reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


async def test_an_officer_prints_one_villages_leaflet_from_the_chat(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    server.push_text(OFFICER, "/qr", user_id=OFFICER)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER)
    offered = _buttons(server)
    assert "🖨️ Tất cả 2 thôn" in offered
    assert {"Thôn Đông", "Buôn Ea Kmũt"} <= set(offered)
    assert "Thôn 1" not in offered  # another commune's village
    server.push_callback(OFFICER, offered["Buôn Ea Kmũt"], user_id=OFFICER)
    await server.wait_for("sendDocument", lambda c: len(server.calls("sendDocument")) == 2)
    sent, qr = [m for m in server.sent(OFFICER) if m.document is not None]
    assert sent.document is not None
    assert qr.document is not None
    assert qr.document.name.endswith(".png")
    assert "Buôn Ea Kmũt" in (qr.caption or "")
    (from_png,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.document.content)))
    assert sent.document.name.endswith(".pdf")
    assert "1 trang A5" in (sent.caption or "")
    reader = pypdf.PdfReader(io.BytesIO(sent.document.content))
    (page,) = reader.pages
    text = " ".join(page.extract_text().split())
    assert "Buôn Ea Kmũt" in text
    assert "Xã Hòa Phú" in text
    (image,) = page.images
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))
    (code,) = await loa_bot.store.leaflets.for_commune(commune("Xã Hòa Phú").key)
    assert found.text == f"https://t.me/loa_test_bot?start={code.code}"
    assert from_png.text == found.text
    assert code.village == "Buôn Ea Kmũt"
    assert [e.action for e in await audit_entries(loa_bot.store.db)][-1] == "leaflet"


async def test_a_forged_choice_for_another_commune_prints_nothing(
    server: FakeTelegram, loa_bot: Loa
) -> None:
    server.push_text(OFFICER, "/qr", user_id=OFFICER)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER)
    other = f"off:qr:{short_id(commune('Xã Tân Lập').key)}:*"
    server.push_callback(OFFICER, other, user_id=OFFICER)
    (answer,) = await server.wait_for("answerCallbackQuery")
    assert "không dùng được" in answer.params.get("text", "")
    assert not server.calls("sendDocument")
    assert await loa_bot.store.leaflets.for_commune(commune("Xã Tân Lập").key) == []


async def test_a_resident_cannot_print_leaflets(server: FakeTelegram, loa_bot: Loa) -> None:
    server.push_text(7777, "/qr", user_id=7777)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == 7777)
    assert "không có quyền" in (server.sent(7777)[-1].text or "")
    assert await loa_bot.store.leaflets.for_commune(commune("Xã Hòa Phú").key) == []


async def test_an_officer_lists_and_revokes_their_communes_codes_only(
    server: FakeTelegram, loa_bot: Loa, clock: FixedClock
) -> None:
    hoa_phu, tan_lap = commune("Xã Hòa Phú"), commune("Xã Tân Lập")
    dong = await loa_bot.store.leaflets.live_or_create(
        hoa_phu, DraftPlace("thon dong", "Thôn Đông"), "l-dong0001", "test", clock.now()
    )
    other = await loa_bot.store.leaflets.live_or_create(
        tan_lap, DraftPlace("thon 1", "Thôn 1"), "l-tanlap01", "test", clock.now()
    )
    server.push_text(OFFICER, "/qr", user_id=OFFICER)
    await server.wait_for("sendMessage", lambda c: c.params["chat_id"] == OFFICER)
    server.push_callback(OFFICER, _buttons(server)["🔑 Xem, thu hồi mã tờ rơi"], user_id=OFFICER)
    await server.wait_for("sendMessage", lambda c: "Mã tờ rơi" in c.params.get("text", ""))
    listed = server.sent(OFFICER)[-1].text or ""
    assert "Thôn Đông: l-dong0001 – đang dùng, in ngày" in listed
    assert "l-tanlap01" not in listed  # another commune's code

    forged = f"off:qr:{short_id(hoa_phu.key)}:-{other.code}"  # Tân Lập's code under Hòa Phú
    server.push_callback(OFFICER, forged, user_id=OFFICER)
    (answer,) = await server.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    assert "không dùng được" in answer.params.get("text", "")
    assert await loa_bot.store.leaflets.live(other.code) is not None

    server.push_callback(OFFICER, _buttons(server)["🚫 Thu hồi Thôn Đông"], user_id=OFFICER)
    await server.wait_for("sendMessage", lambda c: "Đã thu hồi" in c.params.get("text", ""))
    assert "Đã thu hồi mã l-dong0001 của Thôn Đông" in (server.sent(OFFICER)[-1].text or "")
    assert await loa_bot.store.leaflets.live(dong.code) is None
    assert await loa_bot.store.leaflets.live(other.code) is not None
    assert [e.action for e in await audit_entries(loa_bot.store.db)][-1] == "leaflet_revoke"
