"""Files by link over real HTTP: the file while the link lives, a polite 404 after."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from aiohttp import web

from bot.channels.file_links import LINK_LIFETIME, FileServer
from bot.clock import FixedClock
from bot.core.types import Attachment
from bot.store import Store

GONE = "Liên kết này không còn dùng được."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def files(db_path: Path, clock: FixedClock) -> AsyncIterator[FileServer]:
    """A FileServer on a real store, served on 127.0.0.1 at its PUBLIC_URL."""
    store = await Store.open(db_path)
    port = _free_port()
    server = FileServer(store.file_links, clock, f"http://127.0.0.1:{port}/", gone_text=GONE)
    app = web.Application()
    server.add_routes(app)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield server
    await runner.cleanup()
    await store.close()


async def test_a_link_serves_the_file_under_its_own_name_until_it_expires(
    files: FileServer, clock: FixedClock
) -> None:
    content = b"\xef\xbb\xbfH\xe1\xbb\x8d t\xc3\xaan\n"
    link = await files.offer(Attachment("đăng_ký 12.csv", content), "zalo:of1")
    assert link.expires_at == clock.now() + LINK_LIFETIME
    token = urlsplit(link.url).path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits
    async with httpx.AsyncClient() as http:
        got = await http.get(link.url)
        again = await http.get(link.url)  # not one-time: a link preview must not use it up
        assert got.status_code == again.status_code == 200
        assert got.content == content
        assert got.headers["content-type"] == "text/csv; charset=utf-8"
        assert got.headers["content-disposition"] == (
            'attachment; filename="__ng_k__12.csv"; '
            "filename*=UTF-8''%C4%91%C4%83ng_k%C3%BD%2012.csv"
        )
        assert got.headers["cache-control"] == "no-store"
        clock.advance(LINK_LIFETIME)
        gone = await http.get(link.url)
        assert gone.status_code == 404
        assert gone.text == GONE
        assert (await http.get(link.url[:-1] + "x")).status_code == 404
        assert (await http.get(link.url.rsplit("/", 1)[0] + "/..")).status_code == 404


async def test_a_picture_is_shown_inline_and_unknown_tokens_are_refused_politely(
    files: FileServer,
) -> None:
    link = await files.offer(Attachment("so_lieu.png", b"\x89PNG\r\n", photo=True), "zalo:of1")
    async with httpx.AsyncClient() as http:
        got = await http.get(link.url)
        assert got.headers["content-type"] == "image/png"
        assert got.headers["content-disposition"].startswith("inline;")
        for token in ("short", "A" * 43, "%00" * 20):
            refused = await http.get(f"{files.base}/files/{token}")
            assert refused.status_code == 404
            assert refused.text == GONE


async def test_expired_links_are_purged_at_start(files: FileServer, clock: FixedClock) -> None:
    await files.offer(Attachment("a.csv", b"a"), "zalo:of1")
    clock.advance(LINK_LIFETIME + timedelta(seconds=1))
    await files.offer(Attachment("b.csv", b"b"), "zalo:of1")
    assert await files.purge() == 0  # the new link purged the old one already
    clock.advance(LINK_LIFETIME)
    assert await files.purge() == 1
