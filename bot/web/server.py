"""The process's one aiohttp server; channels, file links and health plug their routes in.

Routes are added while the process starts (`app.router`), then `running()` listens on
WEB_HOST:WEB_PORT — only when some route was added — and runs what waited for it (the
webhook registrations: Telegram and Zalo call an address only once it answers).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web

from bot.config import ConfigError

__all__ = ["WebServer"]

log = logging.getLogger(__name__)


class WebServer:
    """One aiohttp application and the site it listens on."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application()
        self.url = ""
        """Where it listens once running, e.g. http://127.0.0.1:8443 (the real port for 0)."""
        self._on_listening: list[Callable[[], Awaitable[None]]] = []

    def when_listening(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once the server listens (at once if it has no routes)."""
        self._on_listening.append(callback)

    @property
    def needed(self) -> bool:
        """Tell whether any route was added (otherwise nothing listens)."""
        return bool(len(self.app.router.routes()))

    @asynccontextmanager
    async def running(self) -> AsyncIterator[WebServer]:
        """Listen for the block (when a route needs it), after running the waiting callbacks.

        A port that cannot be taken raises ConfigError naming WEB_HOST/WEB_PORT.
        """
        runner: web.AppRunner | None = None
        if self.needed:
            runner = web.AppRunner(self.app, access_log=None)
            await runner.setup()
            try:
                await web.TCPSite(runner, self.host, self.port).start()
            except OSError as exc:
                await runner.cleanup()
                raise ConfigError(
                    f"WEB_PORT: cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                    "another program or another Loa may use it (set WEB_HOST/WEB_PORT)"
                ) from None
            host, port = runner.addresses[0][:2]
            self.url = f"http://{host}:{port}"
            log.info("web server listening on %s", self.url)
        try:
            for callback in self._on_listening:
                await callback()
            yield self
        finally:
            if runner is not None:
                await runner.cleanup()
