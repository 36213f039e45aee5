"""A small typed async client for the Zalo Bot API (`<api_url>/bot<TOKEN>/<method>`, JSON).

Answers look like Telegram's: `{"ok": true, "result": …}` or `{"ok": false, "error_code": N,
"description": "…"}`. Differences that shape this client: `getUpdates` returns one update per
call (not a list, no `update_id`) and answers error 408 when the long poll ends empty; ids are
strings; a text message holds at most 2,000 characters.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from bot.core.text import valid_unicode

__all__ = [
    "DEFAULT_API_URL",
    "TEXT_LIMIT",
    "BotInfo",
    "ZaloApiError",
    "ZaloClient",
    "ZaloInvalidToken",
    "ZaloMessage",
    "ZaloNetworkError",
    "ZaloRateLimited",
    "ZaloUnreachable",
    "ZaloUpdate",
    "parse_update",
]

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000
POLL_EMPTY = 408  # getUpdates: the long poll ended without a message

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

_GONE = ("block", "not found", "not exist", "invalid user", "invalid chat", "unfollow")


class ZaloApiError(Exception):
    """The Bot API refused a call; `code` is the platform's error code (or the HTTP status)."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"zalo {method}: error {code}: {description}")
        self.method = method
        self.code = code
        self.description = description


class ZaloRateLimited(ZaloApiError):
    """Too many requests: wait `retry_after` seconds."""

    def __init__(self, method: str, code: int, description: str, retry_after: float) -> None:
        super().__init__(method, code, description)
        self.retry_after = retry_after


class ZaloInvalidToken(ZaloApiError):
    """The token was refused (401, or 404 on the bot's own URL)."""


class ZaloUnreachable(ZaloApiError):
    """The user blocked the bot, is unknown, or the bot may not write to them (403)."""


class ZaloNetworkError(ZaloApiError):
    """The request did not get a usable answer: connection error, timeout or 5xx."""


@dataclass(frozen=True, slots=True)
class BotInfo:
    """The bot's own account, from getMe."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ZaloMessage:
    """One message of an update; every id is a string."""

    message_id: str
    sender_id: str
    sender_name: str
    chat_id: str
    chat_type: str
    date: int
    text: str | None


@dataclass(frozen=True, slots=True)
class ZaloUpdate:
    """One event: `event_name` such as `message.text.received`, and its message."""

    event_name: str
    message: ZaloMessage | None


def _text(value: object) -> str:
    """Return an id or name as a string ("" for missing), never with a lone surrogate."""
    return "" if value is None else valid_unicode(str(value))


def parse_update(payload: Mapping[str, Any]) -> ZaloUpdate | None:
    """Read an update, bare or wrapped in `{"ok": …, "result": …}`; None if it is not one."""
    body: Any = payload.get("result", payload) if "event_name" not in payload else payload
    if not isinstance(body, Mapping) or not isinstance(body.get("event_name"), str):
        return None
    raw = body.get("message")
    if not isinstance(raw, Mapping):
        return ZaloUpdate(body["event_name"], None)
    sender = raw.get("from") if isinstance(raw.get("from"), Mapping) else {}
    chat = raw.get("chat") if isinstance(raw.get("chat"), Mapping) else {}
    assert isinstance(sender, Mapping)
    assert isinstance(chat, Mapping)
    text = raw.get("text")
    date = raw.get("date")
    message = ZaloMessage(
        message_id=_text(raw.get("message_id")),
        sender_id=_text(sender.get("id")),
        sender_name=_text(sender.get("display_name") or sender.get("name")),
        chat_id=_text(chat.get("id")) or _text(sender.get("id")),
        chat_type=_text(chat.get("chat_type")).upper() or "PRIVATE",
        date=int(date) if isinstance(date, int | float) else 0,
        text=valid_unicode(text) if isinstance(text, str) else None,
    )
    return ZaloUpdate(body["event_name"], message)


def _retry_after(body: Mapping[str, Any], headers: httpx.Headers) -> float:
    """Return the wait a 429 asks for (parameters.retry_after, Retry-After, else 1 s)."""
    parameters = body.get("parameters")
    if isinstance(parameters, Mapping) and isinstance(parameters.get("retry_after"), int | float):
        return float(parameters["retry_after"])
    header = headers.get("retry-after", "")
    try:
        return max(0.0, float(header))
    except ValueError:
        return 1.0


def _error(method: str, status: int, body: Mapping[str, Any], headers: httpx.Headers) -> Exception:
    """Map a refused call to the right ZaloApiError subclass."""
    raw_code = body.get("error_code")
    code = int(raw_code) if isinstance(raw_code, int) else status
    description = str(body.get("description") or f"HTTP {status}")
    if 429 in (code, status):
        return ZaloRateLimited(method, code, description, _retry_after(body, headers))
    if 401 in (code, status) or (status == 404 and method == "getMe"):
        return ZaloInvalidToken(method, code, description)
    if 403 in (code, status):
        return ZaloUnreachable(method, code, description)
    if code == 400 and any(marker in description.lower() for marker in _GONE):
        return ZaloUnreachable(method, code, description)
    if status >= 500 or code >= 500:
        return ZaloNetworkError(method, code, description)
    return ZaloApiError(method, code, description)


class ZaloClient:
    """Calls the Zalo Bot API; retries network errors, 5xx and short rate limits.

    `retries` counts extra attempts after the first; a 429 asking to wait longer than
    `max_rate_wait` seconds is raised at once (the outbox sender pauses on it instead).
    """

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        retry_base: float = 0.5,
        max_rate_wait: float = 5.0,
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.timeout = timeout
        self.retries = retries
        self.retry_base = retry_base
        self.max_rate_wait = max_rate_wait
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._own_http = http is None
        self._sleep = sleep

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened."""
        if self._own_http:
            await self._http.aclose()

    async def call(
        self, method: str, params: Mapping[str, Any] | None = None, *, wait: float | None = None
    ) -> Any:
        """Call `method` with JSON `params`; return its `result` or raise a ZaloApiError."""
        attempt = 0
        while True:
            try:
                return await self._once(method, params, wait)
            except ZaloRateLimited as exc:
                if attempt >= self.retries or exc.retry_after > self.max_rate_wait:
                    raise
                wait = exc.retry_after
            except ZaloNetworkError as exc:
                if attempt >= self.retries:
                    raise
                wait = self.retry_base * 2**attempt
                log.warning("zalo %s failed (%s); retrying in %.1f s", method, exc.code, wait)
            attempt += 1
            await self._sleep(wait)

    async def _once(self, method: str, params: Mapping[str, Any] | None, wait: float | None) -> Any:
        """Make one request and read its answer."""
        try:
            response = await self._http.post(
                f"{self.base}/{method}",
                json=dict(params or {}),
                timeout=wait if wait is not None else self.timeout,
            )
        except httpx.HTTPError as exc:
            raise ZaloNetworkError(method, 0, f"{type(exc).__name__}: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, Mapping):
            body = {}
        if response.status_code == 200 and body.get("ok") is True:
            return body.get("result")
        raise _error(method, response.status_code, body, response.headers)

    async def get_me(self) -> BotInfo:
        """Return the bot's account; raises ZaloInvalidToken for a wrong token."""
        result = await self.call("getMe")
        result = result if isinstance(result, Mapping) else {}
        name = result.get("account_name") or result.get("display_name") or result.get("name")
        return BotInfo(_text(result.get("id")), _text(name))

    async def get_updates(self, poll_seconds: int = 30) -> ZaloUpdate | None:
        """Long-poll for one update; None when the poll ended without one."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(poll_seconds)}, wait=poll_seconds + self.timeout
            )
        except ZaloApiError as exc:
            if exc.code == POLL_EMPTY:
                return None
            raise
        return parse_update(result) if isinstance(result, Mapping) else None

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Send updates to `url` (HTTPS), with `secret_token` in X-Bot-Api-Secret-Token."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Stop webhook delivery (getUpdates works only without a webhook)."""
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> str:
        """Return the webhook URL in force ("" for none)."""
        result = await self.call("getWebhookInfo")
        return _text(result.get("url")) if isinstance(result, Mapping) else ""

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send a text (at most 2,000 characters); return the new message's id."""
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return _text(result.get("message_id")) if isinstance(result, Mapping) else ""
