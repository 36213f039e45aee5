"""Telegram by webhook: updates POSTed to Loa's web server instead of fetched by getUpdates.

At start `register` calls setWebhook with TELEGRAM_WEBHOOK_URL and the secret; Telegram then
sends every update with the secret in `X-Telegram-Bot-Api-Secret-Token`. A call without the
right secret gets 403 and is not read; a good one is put on the Application's update queue
(python-telegram-bot built with `.updater(None)`), which handles it as a polled one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.web.hooks import checked_body

__all__ = ["ALLOWED_UPDATES", "SECRET_HEADER", "add_webhook_route", "register"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ("message", "callback_query")
log = logging.getLogger(__name__)


async def register(
    application: Application[Any, Any, Any, Any, Any, Any], url: str, secret: str
) -> None:
    """Ask Telegram to send updates to `url` with `secret` (the same updates as polling)."""
    await application.bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=list(ALLOWED_UPDATES)
    )


def add_webhook_route(
    app: web.Application,
    application: Application[Any, Any, Any, Any, Any, Any],
    secret: str,
    path: str,
    first_time: Callable[[int], Awaitable[bool]],
) -> None:
    """Serve Telegram's webhook calls at `POST path` of `app`.

    `first_time(update_id)` records an update and tells whether it is new: Telegram sends an
    update again when its call timed out, and a repeat is answered 200 but not handled.
    """
    app.router.add_post(path, _handler(application, secret, first_time))


def _handler(
    application: Application[Any, Any, Any, Any, Any, Any],
    secret: str,
    first_time: Callable[[int], Awaitable[bool]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def on_update(request: web.Request) -> web.StreamResponse:
        """Check the secret header, then queue the update and answer 200."""
        payload = await checked_body(request, SECRET_HEADER, secret, "telegram")
        if isinstance(payload, web.Response):
            return payload
        try:
            update = Update.de_json(payload, application.bot)
        except (KeyError, TypeError, ValueError):
            update = None
        if update is None:
            log.warning("telegram webhook call that is not an update: ignored")
            return web.json_response({"ok": False, "description": "not an update"}, status=400)
        if not await first_time(update.update_id):
            log.info("telegram update %s delivered again: ignored", update.update_id)
            return web.json_response({"ok": True})
        await application.update_queue.put(update)
        return web.json_response({"ok": True})

    return on_update
