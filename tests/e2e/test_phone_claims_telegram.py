"""A stranger who types a neighbour's phone number can never claim their card (#12.1).

Over the fake Bot API, with the commune's list imported: a typed phone is only a claim, so
Loa asks the card holder's birth date, counts each miss towards the person's daily limit
(and the number's), and never shows a name, a date or a place — nor whether the number is
on the list — until both match.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from bot.app import Loa
from bot.channels.telegram import TelegramChannel
from bot.clock import VIETNAM
from bot.officers.importing.service import import_residents
from bot.residents.actions.reminders import MAX_CLAIM_FAILURES_A_DAY, MAX_FAILURES_A_DAY
from tests.fakes.telegram_server import FakeTelegram
from tests.store_queries import find_contact

STRANGER = 7100
NEIGHBOUR_PHONE = "0906 246 810"
LIST = (
    "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"
    "Nguyễn Văn Ba,14/06/1957,0123456789,0906 246 810,Thôn 3,Ea Tul,31/12/2026\n"
    "Trần Thị Tư,07/08/1961,0123456780,0905 999 888,Thôn 4,Ea Tul,15/01/2027\n"
)
SECRETS = ("Nguyễn Văn Ba", "Văn Ba", "31/12/2026", "Thôn 3", "14/06/1957", "Ea Tul")


async def load_list(loa: Loa, tmp_path: Path) -> None:
    path = tmp_path / "danh_sach.csv"
    path.write_text(LIST, encoding="utf-8-sig")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    report = await import_residents(loa.store.residents, path, today=date(2026, 11, 25), now=now)
    assert report.added == 2


async def exchange(server: FakeTelegram, chat: int, text: str, *, button: bool = False) -> str:
    """Send one text (or button press) from `chat` and return Loa's reply to it."""
    before = len(server.sent(chat))
    if button:
        server.push_callback(chat, text)
    else:
        server.push_text(chat, text)
    await server.wait_for(
        "sendMessage", lambda c: c.params.get("chat_id") in (chat, str(chat)), count=before + 1
    )
    return server.sent(chat)[-1].text


async def claim(server: FakeTelegram, chat: int, phone: str, born: str) -> tuple[str, str]:
    """Walk «Nhắc hạn thẻ» → «Theo số điện thoại» → phone → birth date; return two replies."""
    if not server.sent(chat):
        await exchange(server, chat, "/start")
    await exchange(server, chat, "remind:phone", button=True)
    asked = await exchange(server, chat, phone)
    answered = await exchange(server, chat, born)
    return asked, answered


async def linked_cards(loa: Loa, chat: int) -> list[str]:
    contact = await find_contact(loa.store.db, "telegram", str(chat))
    assert contact is not None
    return [r.full_name for r in await loa.store.residents.for_contact(contact.id)]


async def test_forty_wrong_tries_meet_the_limit_and_never_name_anyone(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    await exchange(server, STRANGER, "/start")
    replies: list[str] = []
    for attempt in range(40):
        asked, answered = await claim(server, STRANGER, NEIGHBOUR_PHONE, f"1/1/{1950 + attempt}")
        assert "ngày sinh" in asked
        replies += [asked, answered]
    for reply in replies:
        for secret in SECRETS:
            assert secret not in reply
    misses = [r for r in replies if "chưa khớp" in r]
    refused = [r for r in replies if "thử nhiều lần" in r]
    assert len(misses) == MAX_FAILURES_A_DAY
    assert len(refused) == 40 - MAX_FAILURES_A_DAY
    # Even the right birth date is refused once the day's tries are spent.
    _, late = await claim(server, STRANGER, NEIGHBOUR_PHONE, "14/06/1957")
    assert "thử nhiều lần" in late
    assert await linked_cards(telegram_loa, STRANGER) == []


async def test_a_listed_and_an_unlisted_number_get_the_same_answer(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    listed = await claim(server, STRANGER, NEIGHBOUR_PHONE, "02/02/1970")
    unlisted = await claim(server, STRANGER + 1, "0912 000 111", "02/02/1970")
    assert listed == unlisted


async def test_the_right_phone_and_birth_date_link_the_card(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    _, wrong = await claim(server, STRANGER, NEIGHBOUR_PHONE, "15/06/1957")
    assert "chưa khớp" in wrong
    _, right = await claim(server, STRANGER, NEIGHBOUR_PHONE, "14/6/1957")
    assert "Nguyễn Văn Ba: hết hạn 31/12/2026 (Thôn 3, Ea Tul)" in right
    assert "Trần Thị Tư" not in right
    assert await linked_cards(telegram_loa, STRANGER) == ["Nguyễn Văn Ba"]


async def test_many_accounts_together_cannot_guess_one_birth_date(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    for n in range(MAX_CLAIM_FAILURES_A_DAY):
        _, answered = await claim(server, 8000 + n, NEIGHBOUR_PHONE, f"1/1/{1940 + n}")
        assert "chưa khớp" in answered
    _, guessed = await claim(server, 9000, NEIGHBOUR_PHONE, "14/06/1957")
    assert "thử nhiều lần" in guessed
    assert await linked_cards(telegram_loa, 9000) == []
    # Another resident's number is not affected.
    _, other = await claim(server, 9001, "0905 999 888", "07/08/1961")
    assert "Trần Thị Tư" in other


async def test_the_message_log_keeps_what_was_given_not_the_numbers_or_names(
    server: FakeTelegram, bot: TelegramChannel, telegram_loa: Loa, tmp_path: Path
) -> None:
    await load_list(telegram_loa, tmp_path)
    await claim(server, STRANGER, NEIGHBOUR_PHONE, "15/06/1957")
    _, right = await claim(server, STRANGER, NEIGHBOUR_PHONE, "14/06/1957")
    assert "Nguyễn Văn Ba" in right
    await exchange(server, STRANGER, "remind:id", button=True)
    await exchange(server, STRANGER, "0123456780")
    await exchange(server, STRANGER, "07/08/1961")
    await exchange(server, STRANGER, "/nhacnho")
    contact = await find_contact(telegram_loa.store.db, "telegram", str(STRANGER))
    assert contact is not None
    logged = [m.text for m in await telegram_loa.store.messages.for_contact(contact.id)]
    typed = ("0906 246 810", "+84906246810", "14/06/1957", "15/06/1957", "0123456780", "07/08/1961")
    for text in logged:
        for secret in (*typed, "Nguyễn Văn Ba", "Trần Thị Tư"):
            assert secret not in text
    for given in ("[phone]", "[birth_date]", "[id_number]", "[remind/linked]", "[remind/overview]"):
        assert given in logged
    assert logged.count("[phone]") == 2
    assert any("gõ thêm ngày sinh" in text for text in logged)  # other replies are kept whole
