"""The ZNS client against the fake ZNS server over HTTP, with its tokens in a real SQLite store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.zns_client import (
    ZnsClient,
    ZnsError,
    ZnsNetworkError,
    ZnsNotAuthorised,
    ZnsQuota,
    ZnsQuotaExceeded,
    ZnsRateLimited,
    ZnsTokenInvalid,
    ZnsUnreachable,
)
from bot.clock import FixedClock
from bot.core.zns import ZnsTokens
from bot.store import Store
from tests.fakes.zns_server import QUOTA, TEMPLATE, TOKEN, FakeZns

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
PHONE = "+84905123456"
DATA = {"ten": "Nguyễn Văn A", "han_the": "31/12/2026"}


@pytest.fixture
async def server() -> AsyncIterator[FakeZns]:
    async with FakeZns() as fake:
        yield fake


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def _seeded(store: Store, server: FakeZns, *, expires: datetime | None = None) -> None:
    tokens = ZnsTokens(server.access_token, expires, server.refresh_token)
    assert await store.zns_tokens.seed(tokens, NOW)


def _client(
    server: FakeZns, store: Store, clock: FixedClock | None = None, **options: float
) -> ZnsClient:
    return ZnsClient(
        server.app_id,
        server.secret_key,
        store.zns_tokens,
        api_url=server.url,
        oauth_url=server.url,
        clock=clock or FixedClock(NOW),
        sleep=lambda _: asyncio.sleep(0),
        **options,  # type: ignore[arg-type]
    )


async def test_a_send_reaches_the_phone_in_the_form_zns_takes(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    async with _client(server, store) as client:
        sent = await client.send(PHONE, "tpl-1", DATA, "outbox-7")
    [got] = server.sent
    assert (got.phone, got.template_id, got.data, got.tracking_id) == (
        "84905123456",
        "tpl-1",
        DATA,
        "outbox-7",
    )
    assert sent.msg_id == got.msg_id
    assert sent.quota == ZnsQuota(500, 499)
    assert sent.sent_time is not None
    assert TOKEN not in server.calls  # a seeded token of unknown expiry is used until refused


async def test_a_name_with_markup_is_sent_as_text(server: FakeZns, store: Store) -> None:
    await _seeded(store, server)
    name = "<b>{{ x }}</b> " + "A" * 200
    async with _client(server, store) as client:
        await client.send(PHONE, "tpl-1", {"ten": name}, "t1")
    assert server.sent[0].data == {"ten": name}


async def test_a_number_not_in_e164_is_refused_before_any_call(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    async with _client(server, store) as client:
        with pytest.raises(ValueError, match="not a Vietnamese number"):
            await client.send("0905123456", "tpl-1", DATA, "t1")
    assert server.calls == []


@pytest.mark.parametrize(
    ("mark", "code"), [("no_zalo", -118), ("reject", -139)], ids=["no-zalo", "rejected"]
)
async def test_unreachable_phones_raise_with_the_code(
    server: FakeZns, store: Store, mark: str, code: int
) -> None:
    await _seeded(store, server)
    getattr(server, mark)("84905123456")
    async with _client(server, store) as client:
        with pytest.raises(ZnsUnreachable) as raised:
            await client.send(PHONE, "tpl-1", DATA, "t1")
        await client.send("+84912345678", "tpl-1", DATA, "t2")  # others still go
    assert raised.value.code == code
    assert [s.phone for s in server.sent] == ["84912345678"]


async def test_the_quota_runs_out(server: FakeZns, store: Store) -> None:
    server.daily_quota = 2
    await _seeded(store, server)
    async with _client(server, store) as client:
        first = await client.send(PHONE, "tpl-1", DATA, "t1")
        await client.send(PHONE, "tpl-1", DATA, "t2")
        with pytest.raises(ZnsQuotaExceeded) as raised:
            await client.send(PHONE, "tpl-1", DATA, "t3")
        assert await client.quota() == ZnsQuota(2, 0)
    assert first.quota == ZnsQuota(2, 1)
    assert raised.value.code == -144
    assert len(server.sent) == 2


async def test_a_short_rate_limit_is_waited_out_and_a_long_one_raised(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    server.fail_next(TEMPLATE, error=-32)
    async with _client(server, store) as client:
        await client.send(PHONE, "tpl-1", DATA, "t1")
        server.fail_next(TEMPLATE, status=429, retry_after=60)
        with pytest.raises(ZnsRateLimited) as raised:
            await client.send(PHONE, "tpl-1", DATA, "t2")
    assert raised.value.retry_after == 60
    assert len(server.sent) == 1


async def test_other_errors_carry_the_platform_code_and_message(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    server.fail_next(TEMPLATE, error=-109)
    async with _client(server, store) as client:
        with pytest.raises(ZnsError) as raised:
            await client.send(PHONE, "tpl-1", DATA, "t1")
    assert type(raised.value) is ZnsError
    assert (raised.value.code, raised.value.message) == (-109, "fault")


async def test_a_send_is_not_repeated_after_a_server_error_but_the_quota_is(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    server.fail_next(TEMPLATE, status=502)
    server.fail_next(QUOTA, status=503)
    async with _client(server, store) as client:
        with pytest.raises(ZnsNetworkError):
            await client.send(PHONE, "tpl-1", DATA, "t1")
        assert await client.quota() == ZnsQuota(500, 500)
    assert server.calls.count(TEMPLATE) == 1
    assert server.calls.count(QUOTA) == 2


async def test_a_slow_answer_past_the_timeout_is_a_network_error(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    server.slow(2.0)
    async with _client(server, store, timeout=0.2) as client:
        with pytest.raises(ZnsNetworkError):
            await client.send(PHONE, "tpl-1", DATA, "t1")
        await client.send(PHONE, "tpl-1", DATA, "t2")
    assert "t2" in [s.tracking_id for s in server.sent]


async def test_an_expired_token_is_refreshed_once_and_the_rotated_tokens_stored(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    first_refresh = server.refresh_token
    server.expire_access()
    async with _client(server, store) as client:
        await client.send(PHONE, "tpl-1", DATA, "t1")
    stored = await store.zns_tokens.get()
    assert stored == ZnsTokens(
        server.access_token, NOW + timedelta(seconds=server.expires_in), server.refresh_token
    )
    assert stored.refresh_token != first_refresh
    assert server.spent_refresh_tokens == [first_refresh]
    assert server.calls == [TEMPLATE, TOKEN, TEMPLATE]


async def test_a_token_refused_after_a_refresh_fails_loudly(server: FakeZns, store: Store) -> None:
    await _seeded(store, server)
    server.expire_access()
    server.fail_next(TEMPLATE, error=-124, times=2)
    async with _client(server, store) as client:
        with pytest.raises(ZnsTokenInvalid):
            await client.send(PHONE, "tpl-1", DATA, "t1")
    assert server.calls.count(TOKEN) == 1
    assert server.sent == []


async def test_the_token_is_refreshed_before_it_expires(server: FakeZns, store: Store) -> None:
    clock = FixedClock(NOW)
    await _seeded(store, server, expires=NOW + timedelta(hours=2))
    async with _client(server, store, clock) as client:
        await client.send(PHONE, "tpl-1", DATA, "t1")
        assert TOKEN not in server.calls
        clock.set(NOW + timedelta(hours=1, minutes=40))  # within the 30-minute margin
        await client.send(PHONE, "tpl-1", DATA, "t2")
    assert server.calls == [TEMPLATE, TOKEN, TEMPLATE]


async def test_a_spent_refresh_token_is_refused_and_says_to_authorise_again(
    server: FakeZns, store: Store, tmp_path: Path
) -> None:
    spent = server.refresh_token
    await _seeded(store, server, expires=NOW)  # expired: the first call refreshes
    async with _client(server, store) as client:
        await client.quota()
    assert server.spent_refresh_tokens == [spent]
    stale = await Store.open(tmp_path / "stale.db")  # a copy of the store from before
    try:
        await stale.zns_tokens.seed(ZnsTokens("old-access", NOW, spent), NOW)
        async with _client(server, stale) as client:
            with pytest.raises(ZnsNotAuthorised) as raised:
                await client.quota()
    finally:
        await stale.close()
    assert raised.value.code == -14014


async def test_a_crash_right_after_the_rotation_leaves_a_usable_stored_token(
    server: FakeZns, db_path: Path
) -> None:
    """The process dies once the refresh answer is stored, before the caller goes on."""

    class Crash(Exception):
        pass

    store = await Store.open(db_path)
    await _seeded(store, server, expires=NOW)  # expired: the first call refreshes

    class DyingKeeper:
        async def get(self) -> ZnsTokens | None:
            return await store.zns_tokens.get()

        async def save(self, tokens: ZnsTokens, now: datetime) -> None:
            await store.zns_tokens.save(tokens, now)
            raise Crash

    client = ZnsClient(
        server.app_id,
        server.secret_key,
        DyingKeeper(),
        api_url=server.url,
        oauth_url=server.url,
        clock=FixedClock(NOW),
    )
    with pytest.raises(Crash):
        await client.send(PHONE, "tpl-1", DATA, "t1")
    await client.aclose()
    await store.close()
    assert server.sent == []

    restarted = await Store.open(db_path)  # a new process on the same file
    try:
        async with _client(server, restarted) as again:
            await again.send(PHONE, "tpl-1", DATA, "t1")
            server.expire_access()
            await again.send(PHONE, "tpl-1", DATA, "t2")  # and the stored refresh token works
    finally:
        await restarted.close()
    assert [s.tracking_id for s in server.sent] == ["t1", "t2"]
    assert len(server.spent_refresh_tokens) == 2


async def test_a_refresh_done_by_another_process_is_picked_up_not_repeated(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server, expires=NOW + timedelta(hours=5))
    async with _client(server, store) as ours, _client(server, store) as theirs:
        await ours.send(PHONE, "tpl-1", DATA, "t1")  # ours now holds the seeded tokens
        server.expire_access()
        await theirs.send(PHONE, "tpl-1", DATA, "t2")  # theirs refreshes and stores
        await ours.send(PHONE, "tpl-1", DATA, "t3")  # ours is refused, finds theirs stored
    assert server.calls.count(TOKEN) == 1
    assert len(server.sent) == 3


async def test_unseeded_store_is_not_authorised(server: FakeZns, store: Store) -> None:
    async with _client(server, store) as client:
        with pytest.raises(ZnsNotAuthorised):
            await client.quota()
    assert server.calls == []


async def test_concurrent_sends_refused_together_refresh_once(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server)
    server.expire_access()
    async with _client(server, store) as client:
        await asyncio.gather(*(client.send(PHONE, "tpl-1", DATA, f"t{n}") for n in range(5)))
    assert server.calls.count(TOKEN) == 1
    assert sorted(s.tracking_id for s in server.sent) == [f"t{n}" for n in range(5)]


async def test_a_send_cancelled_during_the_refresh_still_stores_the_rotated_tokens(
    server: FakeZns, store: Store
) -> None:
    await _seeded(store, server, expires=NOW)  # expired: the send refreshes first
    seeded = server.refresh_token
    server.slow(0.5)  # the token call answers late
    async with _client(server, store) as client:
        sending = asyncio.create_task(client.send(PHONE, "tpl-1", DATA, "t1"))
        await asyncio.wait_for(server.token_called.wait(), timeout=10)
        sending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sending
    # closing the client waited for the exchange: the server rotated and the store has it
    assert server.spent_refresh_tokens == [seeded]
    stored = await store.zns_tokens.get()
    assert stored is not None
    assert stored.refresh_token == server.refresh_token
    assert server.sent == []
