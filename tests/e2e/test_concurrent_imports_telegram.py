"""Two officers send their communes' lists at the same moment: each gets their own report."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.officer_helpers import add_officer

OFFICERS = {6001: "Ea Tul", 6002: "Hòa Vang"}
CSV = "text/csv"
HEADER = "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ"
# More rows than one staging batch (10,000), so both imports stage in several steps.
ROWS = 12_500


def listing(commune: str, first_number: int, bad_every: int) -> bytes:
    """A commune's list: ROWS residents, every `bad_every`-th with an impossible expiry date."""
    lines = [HEADER]
    for i in range(ROWS):
        expiry = "31/02/2027" if i % bad_every == 0 else "31/12/2027"
        lines.append(f"Người Thứ {i},01/01/1960,{first_number + i:010d},,Thôn 1,{commune},{expiry}")
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
async def officers_loa(
    server: FakeTelegram, db_path: Path, clock: FixedClock
) -> AsyncIterator[Loa]:
    settings = fake_settings(server, db_path)
    async with open_loa(settings, clock=clock) as loa:
        for user_id, commune in OFFICERS.items():
            await add_officer(loa.store, user_id, f"Cán bộ {commune}", commune, clock.now())
        async with telegram_running(loa, poll_timeout=1):
            yield loa


async def test_two_officers_importing_at_once_each_get_their_exact_report(
    server: FakeTelegram, officers_loa: Loa
) -> None:
    server.push_document(6001, "ea_tul.csv", listing("Ea Tul", 100_000_000, 50), CSV)
    server.push_document(6002, "hoa_vang.csv", listing("Hòa Vang", 200_000_000, 100), CSV)

    async def report(chat: int) -> str:
        await server.wait_for("sendMessage", lambda c: _chat(c) == chat, timeout=60)
        return server.sent(chat)[-1].text

    ea_tul, hoa_vang = await asyncio.gather(report(6001), report(6002))
    assert f"ea_tul.csv: {ROWS:,} dòng".replace(",", ".") in ea_tul
    assert f"• Thêm mới: {ROWS - ROWS // 50:,}".replace(",", ".") in ea_tul
    assert f"• Bị từ chối: {ROWS // 50}" in ea_tul
    assert f"hoa_vang.csv: {ROWS:,} dòng".replace(",", ".") in hoa_vang
    assert f"• Thêm mới: {ROWS - ROWS // 100:,}".replace(",", ".") in hoa_vang
    assert f"• Bị từ chối: {ROWS // 100}" in hoa_vang
    total = ROWS - ROWS // 50 + ROWS - ROWS // 100
    assert await officers_loa.store.residents.count() == total


def _chat(call: object) -> int | None:
    chat = getattr(call, "params", {}).get("chat_id")
    return int(chat) if chat is not None else None
