"""/healthz answers 503 with the failing check named; /metrics keeps to the text format."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import Loa
from bot.clock import VIETNAM, FixedClock
from bot.config import ConfigError
from bot.core.types import Button
from bot.outbox.sender import Pacer, Sender
from bot.store import Store
from bot.web.health import Watch, add_health_route
from bot.web.metrics import CONTENT_TYPE, Family, add_metrics_route, exposition
from bot.web.server import WebServer


class _Nowhere:
    """A transport that is never used: these senders do not run."""

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        raise AssertionError("not sent in these tests")


async def _health(watch: Watch) -> tuple[int, dict[str, Any]]:
    server = WebServer("127.0.0.1", 0)
    add_health_route(server, watch)
    async with (
        server.running(),
        aiohttp.ClientSession() as session,
        session.get(f"{server.url}/healthz") as response,
    ):
        return response.status, json.loads(await response.text())


async def test_a_fresh_process_is_healthy(loa: Loa, clock: FixedClock) -> None:
    status, body = await _health(Watch(loa.store.metrics, clock, loa.settings.tz))
    assert status == 200
    assert body["healthy"] is True
    assert body["checks"]["planner"] == {"ok": True, "last_run": None, "last_run_ok": None}


async def test_a_database_newer_than_the_code_is_unhealthy(loa: Loa, clock: FixedClock) -> None:
    await loa.store.db.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '')"
    )
    status, body = await _health(Watch(loa.store.metrics, clock, loa.settings.tz))
    assert status == 503
    assert body["checks"]["migrations"]["unknown"] == [9999]
    assert body["checks"]["database"] == {"ok": True}


async def test_a_sender_that_is_not_running_is_unhealthy(loa: Loa, clock: FixedClock) -> None:
    watch = Watch(loa.store.metrics, clock, loa.settings.tz)
    watch.senders = [Sender(loa.store.outbox, _Nowhere(), Pacer(30, 1), clock, channel="zalo")]
    status, body = await _health(watch)
    assert status == 503
    assert body["checks"]["sender_zalo"] == {"ok": False, "last_loop": None}


async def test_a_stale_sender_loop_is_unhealthy(loa: Loa, clock: FixedClock) -> None:
    watch = Watch(loa.store.metrics, clock, loa.settings.tz)
    sender = Sender(loa.store.outbox, _Nowhere(), Pacer(30, 1), clock)
    sender.stats.looped_at = clock.now()
    watch.senders = [sender]
    assert (await _health(watch))[0] == 200
    clock.advance(timedelta(minutes=6))
    status, body = await _health(watch)
    assert status == 503
    assert body["checks"]["sender_telegram"]["last_loop"] == "2026-11-25T09:00:00+07:00"


async def test_a_failed_or_old_planner_run_is_unhealthy(loa: Loa, clock: FixedClock) -> None:
    watch = Watch(loa.store.metrics, clock, loa.settings.tz)
    watch.planner_finished(ok=False)
    status, body = await _health(watch)
    assert status == 503
    assert body["checks"]["planner"]["last_run_ok"] is False
    watch.planner_finished(ok=True)
    assert (await _health(watch))[0] == 200
    clock.advance(timedelta(hours=27))
    assert (await _health(watch))[0] == 503


async def test_an_unreachable_database_is_unhealthy(tmp_path: Path, clock: FixedClock) -> None:
    store = await Store.open(tmp_path / "loa.db")
    await store.close()
    status, body = await _health(Watch(store.metrics, clock, VIETNAM))
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert str(tmp_path) not in json.dumps(body)


async def test_metrics_answer_the_text_format(loa: Loa, clock: FixedClock) -> None:
    server = WebServer("127.0.0.1", 0)
    add_metrics_route(server, Watch(loa.store.metrics, clock, loa.settings.tz))
    async with (
        server.running(),
        aiohttp.ClientSession() as session,
        session.get(f"{server.url}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE
        text = await response.text()
    assert "# TYPE loa_outbox_rows gauge\n" in text
    assert 'loa_outbox_rows{status="queued"} 0\n' in text
    assert 'loa_messages{direction="out"} 0\n' in text
    assert "loa_planner_last_run_ok" not in text  # not run yet: absent, not a made-up value


async def test_row_counts_are_kept_for_the_cache_time_then_counted_again(
    loa: Loa, clock: FixedClock
) -> None:
    watch = Watch(loa.store.metrics, clock, loa.settings.tz, gauges_for=timedelta(seconds=30))
    assert (await watch.gauges()).messages.get("in", 0) == 0
    contact = await loa.store.contacts.touch("telegram", "1", "", clock.now())
    await loa.store.messages.add(contact.id, "in", "text", "chào", clock.now())
    clock.advance(timedelta(seconds=29))
    assert (await watch.gauges()).messages.get("in", 0) == 0  # still the count of 29 s ago
    clock.advance(timedelta(seconds=1))
    assert (await watch.gauges()).messages.get("in", 0) == 1


def test_the_exposition_escapes_labels_and_writes_numbers_plainly() -> None:
    family = Family("x_total", "counter", "Things.", [((("a", 'q"\\\n'),), 3.0), ((), 0.25)])
    assert exposition([family]) == (
        '# HELP x_total Things.\n# TYPE x_total counter\nx_total{a="q\\"\\\\\\n"} 3\nx_total 0.25\n'
    )


async def _ok(request: web.Request) -> web.Response:
    return web.Response()


async def test_a_port_in_use_names_the_setting() -> None:
    first = WebServer("127.0.0.1", 0)
    first.app.router.add_get("/healthz", _ok)
    async with first.running():
        port = int(first.url.rsplit(":", 1)[1])
        second = WebServer("127.0.0.1", port)
        second.app.router.add_get("/healthz", _ok)
        with pytest.raises(ConfigError, match=rf"^WEB_PORT: cannot listen on 127.0.0.1:{port} "):
            async with second.running():
                pass


async def test_without_routes_nothing_listens() -> None:
    called: list[str] = []

    async def waiting() -> None:
        called.append("ran")

    server = WebServer("127.0.0.1", 0)
    server.when_listening(waiting)
    async with server.running():
        assert server.url == ""
    assert called == ["ran"]
