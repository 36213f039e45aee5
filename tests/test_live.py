"""Live replies: paced per chat, merged when they queue up, retried until they arrive."""

from __future__ import annotations

import asyncio

import pytest

from bot.live import Part, ReplyLine
from bot.outbox.sender import Pacer, PermanentError, RateLimited, TransientError
from tests.outbox.test_sender import FakeTime


class FakeChat:
    """Records sent parts with their time; raises scripted errors first."""

    def __init__(self, time: FakeTime, errors: list[Exception] | None = None) -> None:
        self.time = time
        self.errors = list(errors or [])
        self.sent: list[tuple[float, str, str | None]] = []
        self.tries = 0

    async def send(self, chat_id: str, part: Part[str]) -> None:
        self.tries += 1
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((self.time.t, part.text, part.extra))


def line_for(chat: FakeChat, time: FakeTime, pacer: Pacer | None, **kw: float) -> ReplyLine[str]:
    return ReplyLine(chat.send, pacer, limit=100, monotonic=time.monotonic, sleep=time.sleep, **kw)


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


def pacer_for(time: FakeTime, rate: float = 30, per_chat: float = 1) -> Pacer:
    return Pacer(rate, per_chat, monotonic=time.monotonic, sleep=time.sleep, margin=0.0)


async def test_a_reply_refused_with_429_many_times_still_arrives(time: FakeTime) -> None:
    chat = FakeChat(time, [RateLimited(2) for _ in range(10)])
    pacer = pacer_for(time)
    await line_for(chat, time, pacer).send("a", [Part("xin chào")])
    assert [text for _, text, _ in chat.sent] == ["xin chào"]
    assert chat.tries == 11
    assert chat.sent[0][0] >= 20.0  # each 429 paused the whole pacer for its retry_after


async def test_network_errors_are_retried_with_backoff(time: FakeTime) -> None:
    chat = FakeChat(time, [TransientError("502"), TransientError("timed out")])
    await line_for(chat, time, None).send("a", [Part("xin chào")])
    assert [text for _, text, _ in chat.sent] == ["xin chào"]
    assert chat.sent[0][0] == pytest.approx(0.5 + 1.0)


async def test_past_the_deadline_or_on_a_refusal_the_sender_is_told(time: FakeTime) -> None:
    chat = FakeChat(time, [TransientError("down")] * 100)
    with pytest.raises(TransientError):
        await line_for(chat, time, None, deadline=60).send("a", [Part("x")])
    assert time.t <= 60
    refused = FakeChat(time, [PermanentError("bad request")])
    with pytest.raises(PermanentError):
        await line_for(refused, time, None).send("a", [Part("x")])


async def test_replies_queued_while_the_chat_waits_are_merged_in_order(time: FakeTime) -> None:
    chat = FakeChat(time)
    line = line_for(chat, time, pacer_for(time))
    await asyncio.gather(
        line.send("a", [Part("một", "k1")]),
        line.send("a", [Part("hai", "k2")]),
        line.send("a", [Part("ba")]),
        line.send("a", [Part("tệp", "file", mergeable=False)]),
    )
    assert chat.sent == [(0.0, "một", "k1"), (1.0, "hai\n\nba", "k2"), (2.0, "tệp", "file")]
    assert line.merged == 1


async def test_merged_text_never_goes_over_the_limit(time: FakeTime) -> None:
    chat = FakeChat(time)
    line = line_for(chat, time, pacer_for(time))
    await asyncio.gather(*(line.send("a", [Part(str(i) * 45)]) for i in range(4)))
    assert [len(text) for _, text, _ in chat.sent] == [45, 92, 45]


async def test_a_reply_waiting_for_its_chat_lets_bulk_sends_to_others_go(time: FakeTime) -> None:
    pacer = pacer_for(time, rate=10, per_chat=1)
    assert await pacer.acquire_live("a") is False
    pacer.release("a")
    times: list[tuple[str, float]] = []

    async def reply() -> None:
        await pacer.acquire_live("a")
        times.append(("live a", time.t))
        pacer.release("a")

    async def bulk() -> None:
        await pacer.acquire("b")
        times.append(("bulk b", time.t))
        pacer.release("b")

    await asyncio.gather(reply(), bulk())
    assert times == [("bulk b", 0.0), ("live a", 1.0)]
