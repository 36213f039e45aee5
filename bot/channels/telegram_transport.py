"""Telegram delivery for the outbox sender: Bot API errors become the sender's neutral ones."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from telegram import Bot
from telegram.constants import MessageLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.channels.plain import split_text
from bot.channels.telegram import keyboard, retry_seconds
from bot.core.types import Button
from bot.outbox.sender import PermanentError, RateLimited, TransientError, Unreachable

__all__ = ["TelegramTransport", "retry_seconds", "sender_bot"]

_GONE = ("chat not found", "user is deactivated", "bot was kicked", "peer_id_invalid")


def sender_bot(token: str, api_url: str, *, pool_size: int = 128, timeout: float = 10.0) -> Bot:
    """Return a Bot for the sender (no PTB rate limiter: the sender paces and retries itself)."""
    request = HTTPXRequest(
        connection_pool_size=pool_size,
        read_timeout=timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
        pool_timeout=timeout,
    )
    return Bot(
        token,
        base_url=f"{api_url}/bot",
        base_file_url=f"{api_url}/file/bot",
        request=request,
    )


class TelegramTransport:
    """Delivers outbox messages with a python-telegram-bot `Bot` (initialised by the caller)."""

    def __init__(self, bot: Bot, *, part_interval: float = 1.0) -> None:
        self.bot = bot
        self.part_interval = part_interval

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Send `text` in parts of at most 4,096 characters; buttons go under the last part."""
        parts = split_text(text, MessageLimit.MAX_TEXT_LENGTH)
        for index, part in enumerate(parts):
            if index:
                await asyncio.sleep(self.part_interval)
            last = index == len(parts) - 1
            markup = keyboard(buttons) if last else None
            try:
                await self.bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
            except TelegramError as exc:
                raise _neutral(exc) from exc


def _neutral(exc: TelegramError) -> Exception:
    """Map a Bot API error to the sender's exceptions."""
    if isinstance(exc, RetryAfter):
        return RateLimited(retry_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):
        return Unreachable(exc.message)
    if isinstance(exc, BadRequest):
        if any(marker in exc.message.lower() for marker in _GONE):
            return Unreachable(exc.message)
        return PermanentError(f"bad request: {exc.message}")
    if isinstance(exc, ChatMigrated):
        return PermanentError(f"chat moved to {exc.new_chat_id}")
    if isinstance(exc, TimedOut):
        return TransientError(f"timed out: {exc.message}")
    if isinstance(exc, InvalidToken):
        return TransientError(f"token refused: {exc.message}")
    if isinstance(exc, NetworkError):
        return TransientError(exc.message)
    return TransientError(exc.message)
