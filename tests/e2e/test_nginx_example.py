"""The README's nginx example, run as written in front of `loa run` (skipped without nginx).

The server block is taken from README.md; only the certificate (self-signed here), nginx's
own port and Loa's port are changed. Both webhooks and a file link go through it; a wrong
secret is refused; /healthz is not reachable through it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import textwrap
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.app import open_loa, serve
from bot.clock import FixedClock
from bot.store import LinkedFile
from tests.e2e.conftest import fake_settings
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.zalo_server import FakeZalo

ROOT = Path(__file__).resolve().parents[2]
RESIDENT = 4242
ZALO_RESIDENT = "7a3f0c9e21d4"
TOKEN = "A" * 43

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None or shutil.which("openssl") is None,
    reason="nginx or openssl is not installed",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _readme_server_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"\n(    server \{\n.*?\n    \})\n", readme, re.DOTALL)
    assert found, "the README has no nginx server block"
    return textwrap.dedent(found.group(1))


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """nginx with the README's server block on a free port; yield (nginx port, Loa port)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=loa.example.vn", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port, loa_port = _free_port(), _free_port()
    block = (
        _readme_server_block()
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
        .replace("/etc/letsencrypt/live/loa.example.vn/fullchain.pem", str(cert))
        .replace("/etc/letsencrypt/live/loa.example.vn/privkey.pem", str(key))
        .replace("127.0.0.1:8443", f"127.0.0.1:{loa_port}")
    )
    temp = tmp_path / "temp"
    temp.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n"
        f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n"
        f"  scgi_temp_path {temp}/scgi;\n{block}\n}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(conf)])
    try:
        for _ in range(200):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            time.sleep(0.05)
        yield port, loa_port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _post(url: str, body: object, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers, ssl=False) as response,
    ):
        return response.status


async def _get(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.get(url, ssl=False) as response:
        return response.status, await response.read()


async def test_the_readme_nginx_example_passes_both_webhooks_and_files(
    nginx: tuple[int, int], db_path: Path, clock: FixedClock
) -> None:
    port, loa_port = nginx
    public = f"https://127.0.0.1:{port}"
    async with FakeTelegram() as telegram, FakeZalo() as zalo:
        settings = fake_settings(
            telegram,
            db_path,
            TELEGRAM_WEBHOOK_URL="https://loa.example.vn/telegram/hook",
            TELEGRAM_WEBHOOK_SECRET="telegram-secret",
            ZALO_BOT_TOKEN=zalo.token,
            ZALO_API_URL=zalo.url,
            ZALO_WEBHOOK_URL="https://loa.example.vn/zalo/hook",
            ZALO_WEBHOOK_SECRET="zalo-secret",
            PUBLIC_URL="https://loa.example.vn",
            WEB_PORT=str(loa_port),
        )
        async with open_loa(settings, clock=clock) as loa:
            stop = asyncio.Event()
            task = asyncio.create_task(serve(loa, stop, clock, poll_timeout=1))
            try:
                await telegram.wait_for("setWebhook")
                await zalo.wait_for("setWebhook")
                tg_hook, zalo_hook = f"{public}/telegram/hook", f"{public}/zalo/hook"
                tg_secret = {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}
                update = telegram.text_update(RESIDENT, "/start")
                assert await _post(tg_hook, update, {}) == 403
                assert (
                    await _post(
                        tg_hook, update, {**tg_secret, "X-Telegram-Bot-Api-Secret-Token": "x"}
                    )
                    == 403
                )
                assert await _post(tg_hook, update, tg_secret) == 200
                await telegram.wait_for("sendMessage", lambda c: c.params["chat_id"] == RESIDENT)

                zalo_update = zalo.text_update(ZALO_RESIDENT, "/start", message_id="n-1")
                assert await _post(zalo_hook, zalo_update, {"X-Bot-Api-Secret-Token": "no"}) == 403
                assert (
                    await _post(zalo_hook, zalo_update, {"X-Bot-Api-Secret-Token": "zalo-secret"})
                    == 200
                )
                await zalo.wait_for("sendMessage", lambda c: c.params["chat_id"] == ZALO_RESIDENT)

                kept = LinkedFile(
                    "bao_cao.csv", "text/csv", b"a,b\n", "zalo:x", clock.now() + timedelta(hours=1)
                )
                await loa.store.file_links.add(TOKEN, kept, clock.now())
                assert await _get(f"{public}/files/{TOKEN}") == (200, b"a,b\n")
                assert (await _get(f"{public}/healthz"))[0] == 404
                assert (await _get(f"{public}/metrics"))[0] == 404
                assert (await _get(f"http://127.0.0.1:{loa_port}/healthz"))[0] == 200
            finally:
                stop.set()
                await task
