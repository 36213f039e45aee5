"""Zalo delivery for the outbox sender: Bot API errors become the sender's neutral ones."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.channels.zalo import render
from bot.channels.zalo_client import (
    ZaloApiError,
    ZaloClient,
    ZaloInvalidToken,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloUnreachable,
)
from bot.core.types import Button, Reply
from bot.outbox.sender import PermanentError, RateLimited, TransientError, Unreachable
from bot.store.outbox import OutboxReason

__all__ = ["ProactiveOff", "ZaloTransport", "neutral"]

log = logging.getLogger(__name__)


class ZaloTransport:
    """Delivers outbox messages through a `ZaloClient` (built with `retries=0`: the sender retries).

    With `proactive=False` (ZALO_PROACTIVE=false) nothing is sent: every message fails at
    once with a clear reason, visible in `loa outbox`.
    """

    def __init__(
        self, client: ZaloClient, *, proactive: bool = True, part_interval: float = 1.0
    ) -> None:
        self.client = client
        self.proactive = proactive
        self.part_interval = part_interval

    async def deliver(self, chat_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Send `text` with its choices numbered, in parts of at most 2,000 characters."""
        if not self.proactive:
            raise ProactiveOff("proactive messages are off on Zalo (ZALO_PROACTIVE=false)")
        parts = render(Reply(text, tuple(buttons)))
        for index, part in enumerate(parts):
            if index:
                await asyncio.sleep(self.part_interval)
            try:
                await self.client.send_message(chat_id, part)
            except ZaloApiError as exc:
                raise neutral(exc) from exc


class ProactiveOff(PermanentError):
    """Proactive messages are not allowed on this channel by configuration."""

    code = OutboxReason.PROACTIVE_OFF


def neutral(exc: ZaloApiError) -> Exception:
    """Map a Zalo Bot API error to the sender's exceptions (logging the platform's code)."""
    if isinstance(exc, ZaloRateLimited):
        return RateLimited(exc.retry_after)
    if isinstance(exc, ZaloUnreachable):
        return Unreachable(f"zalo {exc.code}: {exc.description}")
    if isinstance(exc, ZaloNetworkError | ZaloInvalidToken):
        return TransientError(f"zalo {exc.code}: {exc.description}")
    log.warning("zalo refused a message: error %s: %s", exc.code, exc.description)
    if 400 <= exc.code < 500:
        return PermanentError(f"zalo {exc.code}: {exc.description}")
    return TransientError(f"zalo {exc.code}: {exc.description}")
