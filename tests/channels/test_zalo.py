"""The Zalo adapter, client and transport: payloads, numbered text, error mapping, dedupe."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.channels.zalo import render, to_incoming
from bot.channels.zalo_client import (
    ZaloApiError,
    ZaloClient,
    ZaloInvalidToken,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnreachable,
    parse_update,
)
from bot.channels.zalo_transport import ZaloTransport
from bot.core.types import Button, Kind, Reply
from bot.outbox.sender import PermanentError, RateLimited, TransientError, Unreachable
from bot.store.outbox import OutboxReason
from tests.fakes.zalo_server import FakeZalo


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    async with FakeZalo() as fake:
        yield fake


async def _no_sleep(seconds: float) -> None:
    return None


def test_a_text_update_becomes_a_neutral_text_with_string_ids() -> None:
    payload = {
        "ok": True,
        "result": {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": "6ede9afa", "display_name": "Hoa", "is_bot": False},
                "chat": {"id": "6ede9afa", "chat_type": "PRIVATE"},
                "text": "nhà 4 người đóng bao nhiêu",
                "message_id": "2d758cb5",
                "date": 1750316131602,
            },
        },
    }
    update = parse_update(payload)
    assert update is not None
    incoming = to_incoming(update)
    assert incoming is not None
    assert (incoming.channel, incoming.sender_id, incoming.kind) == ("zalo", "6ede9afa", Kind.TEXT)
    assert incoming.text == "nhà 4 người đóng bao nhiêu"
    assert incoming.display_name == "Hoa"
    assert incoming.reply_to == "6ede9afa"


def test_commands_groups_and_stickers() -> None:
    fake = FakeZalo()
    command = parse_update(fake.text_update("u1", "/Start abc"))
    group = parse_update(fake.text_update("u1", "hi", chat_type="GROUP"))
    sticker = parse_update(fake.text_update("u1", "", event_name="message.sticker.received"))
    assert command is not None
    assert group is not None
    assert sticker is not None
    started = to_incoming(command)
    assert started is not None
    assert (started.kind, started.command, started.text) == (Kind.COMMAND, "start", "abc")
    assert to_incoming(group) is None
    unsupported = to_incoming(sticker)
    assert unsupported is not None
    assert unsupported.kind is Kind.UNSUPPORTED
    assert parse_update({"ok": True, "result": None}) is None


def test_choices_are_numbered_and_long_text_is_split_at_paragraphs() -> None:
    reply = Reply("Chọn:", (Button("BHYT hộ gia đình", "a"), Button("BHXH tự nguyện", "b")))
    (text,) = render(reply)
    assert "  1. BHYT hộ gia đình\n  2. BHXH tự nguyện" in text
    paragraphs = ["Đoạn " + str(i) + " " + "x" * 590 for i in range(6)]
    parts = render(Reply("\n\n".join(paragraphs)))
    assert len(parts) == 2  # three paragraphs of 597 characters fit in 2,000, four do not
    assert all(len(part) <= 2000 for part in parts)
    assert parts[1].startswith("Đoạn 3 ")


async def test_the_client_maps_platform_errors(zalo: FakeZalo) -> None:
    async with ZaloClient(zalo.token, zalo.url, retries=0) as client:
        assert (await client.get_me()).id == zalo.bot_id
        zalo.fail_next("sendMessage", 429, "Too Many Requests", retry_after=7)
        with pytest.raises(ZaloRateLimited) as limited:
            await client.send_message("u1", "a")
        assert limited.value.retry_after == 7
        zalo.block("u2")
        with pytest.raises(ZaloUnreachable):
            await client.send_message("u2", "a")
        zalo.fail_next("sendMessage", 500, "Internal error")
        with pytest.raises(ZaloNetworkError):
            await client.send_message("u1", "a")
        with pytest.raises(ZaloApiError) as too_long:
            await client.send_message("u1", "x" * 2001)
        assert too_long.value.code == 400
        assert await client.get_updates(poll_seconds=0) is None  # 408: nothing queued
    async with ZaloClient("999:wrong", zalo.url) as wrong:
        with pytest.raises(ZaloInvalidToken):
            await wrong.get_me()


async def test_the_client_waits_out_a_short_rate_limit_and_retries(zalo: FakeZalo) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    zalo.fail_next("sendMessage", 429, "Too Many Requests", retry_after=2)
    zalo.fail_next("getMe", 502, "Bad Gateway", times=2)
    async with ZaloClient(zalo.token, zalo.url, retries=2, sleep=sleep) as client:
        await client.send_message("u1", "xin chào")
        await client.get_me()
    assert waits == [2.0, 0.5, 1.0]
    assert [s.text for s in zalo.sent("u1")] == ["xin chào"]


async def test_the_transport_maps_errors_for_the_outbox_sender(zalo: FakeZalo) -> None:
    async with ZaloClient(zalo.token, zalo.url, retries=0) as client:
        transport = ZaloTransport(client, part_interval=0)
        await transport.deliver("u1", "Nhắc hạn thẻ", (Button("Gia hạn", "renew"),))
        assert zalo.sent("u1")[-1].text.startswith("Nhắc hạn thẻ\n\n  1. Gia hạn")
        zalo.fail_next("sendMessage", 429, "Too Many Requests", retry_after=3)
        with pytest.raises(RateLimited):
            await transport.deliver("u1", "a", ())
        zalo.block("u3")
        with pytest.raises(Unreachable):
            await transport.deliver("u3", "a", ())
        zalo.fail_next("sendMessage", 503, "Service Unavailable")
        with pytest.raises(TransientError):
            await transport.deliver("u1", "a", ())
        zalo.fail_next("sendMessage", 400, "Bad Request: something odd")
        with pytest.raises(PermanentError, match="zalo 400"):
            await transport.deliver("u1", "a", ())
        off = ZaloTransport(client, proactive=False)
        with pytest.raises(PermanentError, match="ZALO_PROACTIVE") as refused:
            await off.deliver("u1", "a", ())
        assert refused.value.code == OutboxReason.PROACTIVE_OFF  # stored as this code
    assert len(zalo.sent("u1")) == 1


def test_lone_surrogates_from_the_wire_become_replacement_characters() -> None:
    payload = json.loads(
        '{"event_name": "message.text.received", "message": {"from": {"id": "u\\ud800",'
        ' "display_name": "Hoa\\udfff"}, "chat": {"id": "u\\ud800", "chat_type": "PRIVATE"},'
        ' "text": "xin ch\\u00e0o \\ud800", "message_id": "m\\udc00", "date": 1}}'
    )
    update = parse_update(payload)
    assert update is not None
    assert update.message is not None
    assert update.message.message_id == "m\ufffd"
    incoming = to_incoming(update)
    assert incoming is not None
    assert (incoming.sender_id, incoming.display_name) == ("u\ufffd", "Hoa\ufffd")
    assert incoming.text == "xin chào \ufffd"
