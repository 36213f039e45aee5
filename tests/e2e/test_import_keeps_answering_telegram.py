"""While an officer's large list is being read, residents are still answered."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

from bot.app import Loa, open_loa, telegram_running
from bot.clock import FixedClock
from bot.core.registry import ResidentRow
from bot.officers.importing.reader import ImportParse, RowError
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import Call, FakeTelegram

ADMIN = 4242
RESIDENT = 5151
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = 3_000
GATE_ROW = 1_000  # the import pauses on this row until the resident has been answered


def crafted_list() -> bytes:
    """A list whose every row has a 2,000-character name (the crafted file of issue 12)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Họ và tên", "Ngày sinh", "Mã số BHXH", "Xã", "Hạn thẻ"])
    for i in range(ROWS):
        sheet.append(["A" * 2_000, "01/01/1960", f"{100_000_000 + i:010d}", "Ea Tul", "31/12/2027"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
async def officer_loa(server: FakeTelegram, db_path: Path, clock: FixedClock) -> AsyncIterator[Loa]:
    settings = fake_settings(server, db_path, ADMIN_IDS=str(ADMIN))
    async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
        yield loa


def _to(chat: int) -> Callable[[Call], bool]:
    """Match calls addressed to `chat`."""
    return lambda call: int(call.params.get("chat_id", 0)) == chat


async def test_a_resident_is_answered_while_a_large_list_is_being_read(
    server: FakeTelegram, officer_loa: Loa, monkeypatch: pytest.MonkeyPatch
) -> None:
    reached, release = threading.Event(), threading.Event()
    waited_out: list[bool] = []
    parse_row = ImportParse._parse_row

    def gated(
        self: ImportParse, row_number: int, cells: Sequence[object]
    ) -> ResidentRow | RowError:
        if row_number == GATE_ROW:
            reached.set()
            # Reading on the event loop would block it here: the resident could not be
            # answered, and the gate would give up waiting.
            waited_out.append(not release.wait(timeout=10))
        return parse_row(self, row_number, cells)

    monkeypatch.setattr(ImportParse, "_parse_row", gated)
    server.push_document(ADMIN, "crafted.xlsx", crafted_list(), XLSX)
    assert await asyncio.to_thread(reached.wait, 30)

    server.push_text(RESIDENT, "/start")
    await server.wait_for("sendMessage", _to(RESIDENT), timeout=30)
    assert not server.sent(ADMIN)  # the import is still on row GATE_ROW
    release.set()

    await server.wait_for("sendMessage", _to(ADMIN), timeout=60)
    assert waited_out == [False]
    report = server.sent(ADMIN)[0].text
    assert "crafted.xlsx: 3.000 dòng" in report
    assert "• Bị từ chối: 3.000" in report
    assert "dài 2.000 ký tự, tối đa 255" in report
