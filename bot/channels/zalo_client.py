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
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote, urlsplit

import httpx

from bot.core.officer import FileTooLarge
from bot.core.text import valid_unicode

__all__ = [
    "DEFAULT_API_URL",
    "FILE_EVENTS",
    "TEXT_LIMIT",
    "BotInfo",
    "ZaloApiError",
    "ZaloClient",
    "ZaloFile",
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
FILE_EVENTS = frozenset(
    {"message.file.received", "message.document.received", "message.pdf.received"}
)
"""Event names that may carry a file. The platform documents none of them (only text, image,
sticker and unsupported); these are the names public clients of it handle (README)."""
_KNOWN_EVENTS = frozenset(
    {
        "message.text.received",
        "message.image.received",
        "message.sticker.received",
        "message.unsupported.received",
    }
)
_URL_KEYS = ("url", "file_url", "download_url", "link", "href")
_NAME_KEYS = ("name", "file_name", "filename", "title")
_SIZE_KEYS = ("size", "file_size")
_TYPE_KEYS = ("mime_type", "content_type", "type")

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
class ZaloFile:
    """A file a user sent: where to fetch it, its name, MIME type and size (when given)."""

    url: str
    name: str
    mime_type: str
    size: int | None


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
    file: ZaloFile | None = None
    caption: str = ""


@dataclass(frozen=True, slots=True)
class ZaloUpdate:
    """One event: `event_name` such as `message.text.received`, and its message."""

    event_name: str
    message: ZaloMessage | None


def _text(value: object) -> str:
    """Return an id or name as a string ("" for missing), never with a lone surrogate."""
    return "" if value is None else valid_unicode(str(value))


def _first(fields: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """Return the first of `keys` that `fields` holds with a non-empty value, else None."""
    for key in keys:
        value = fields.get(key)
        if value not in (None, ""):
            return value
    return None


def _size(value: object) -> int | None:
    """Read a size in bytes (a number or a numeric string); None if missing or nonsense."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int | float) and value >= 0:
        return int(value)
    return None


def _name_from_url(url: str) -> str:
    """Return the last path segment of `url`, decoded ("" if there is none)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def _file_in(fields: Mapping[str, Any], outer: Mapping[str, Any]) -> ZaloFile | None:
    """Read a file from `fields`; name, size and type may also sit beside it in `outer`."""
    url = _first(fields, _URL_KEYS)
    if not isinstance(url, str) or urlsplit(url.strip()).scheme not in ("http", "https"):
        return None
    url = valid_unicode(url.strip())
    name = _first(fields, _NAME_KEYS) or _first(outer, _NAME_KEYS)
    size = _first(fields, _SIZE_KEYS)
    kind = _first(fields, _TYPE_KEYS) or _first(outer, _TYPE_KEYS)
    return ZaloFile(
        url=url,
        name=valid_unicode(str(name)) if name is not None else _name_from_url(url),
        mime_type=kind if isinstance(kind, str) and "/" in kind else "",  # not "file", "xlsx"
        size=_size(size if size is not None else _first(outer, _SIZE_KEYS)),
    )


def parse_file(raw: Mapping[str, Any]) -> ZaloFile | None:
    """Find a sent file in a message, whichever shape it comes in; None if there is none.

    Tried in order: `file` or `document` as an object (`url`, `name`, `size`, `mime_type`)
    or as a bare URL with `file_name`/`file_size`/`mime_type` beside it; the Official
    Account shape `attachments[0].payload`; and flat `attachment_url`/`file_url`/`url`
    fields. Only http(s) addresses count.
    """
    for key in ("file", "document", "attachment"):
        value = raw.get(key)
        if isinstance(value, Mapping):
            found = _file_in(value, raw)
        elif isinstance(value, str):
            found = _file_in({"url": value}, raw)
        else:
            continue
        if found is not None:
            return found
    attachments = raw.get("attachments")
    if isinstance(attachments, list) and attachments and isinstance(attachments[0], Mapping):
        payload = attachments[0].get("payload")
        if isinstance(payload, Mapping):
            found = _file_in(payload, attachments[0])
            if found is not None:
                return found
    flat = {
        "url": _first(raw, ("attachment_url", "file_url", "document_url", "url")),
        "name": raw.get("attachment_name"),
    }
    return _file_in(flat, raw)


def parse_update(
    payload: Mapping[str, Any], file_events: frozenset[str] = FILE_EVENTS
) -> ZaloUpdate | None:
    """Read an update, bare or wrapped in `{"ok": …, "result": …}`; None if it is not one.

    A message of one of `file_events` carries its file (when one can be found in it).
    """
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
    event = body["event_name"]
    file = parse_file(raw) if event in file_events else None
    if file is None and event not in _KNOWN_EVENTS:
        # Undocumented events are how files may come: their field names (never their
        # values) tell the operator what the platform sent.
        log.info("zalo event %s not understood; its fields: %s", event, ", ".join(sorted(raw)))
    caption = raw.get("caption")
    message = ZaloMessage(
        message_id=_text(raw.get("message_id")),
        sender_id=_text(sender.get("id")),
        sender_name=_text(sender.get("display_name") or sender.get("name")),
        chat_id=_text(chat.get("id")) or _text(sender.get("id")),
        chat_type=_text(chat.get("chat_type")).upper() or "PRIVATE",
        date=int(date) if isinstance(date, int | float) else 0,
        text=valid_unicode(text) if isinstance(text, str) else None,
        file=file,
        caption=valid_unicode(caption) if isinstance(caption, str) else "",
    )
    return ZaloUpdate(event, message)


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
        file_events: frozenset[str] = FILE_EVENTS,
    ) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.file_events = file_events
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
        return parse_update(result, self.file_events) if isinstance(result, Mapping) else None

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

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str:
        """Send the picture at `photo_url` (Zalo fetches it) with a caption; return its id."""
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption[:TEXT_LIMIT]
        result = await self.call("sendPhoto", params)
        return _text(result.get("message_id")) if isinstance(result, Mapping) else ""

    async def download(self, url: str, path: Path, limit: int) -> None:
        """Stream the file at `url` to `path`, refusing it past `limit` bytes.

        Raises FileTooLarge (and keeps nothing of the file) when the announced or the
        received length passes `limit`, ZaloNetworkError when the file cannot be fetched.
        """
        received = 0
        try:
            async with self._http.stream(
                "GET", url, timeout=self.timeout, follow_redirects=True
            ) as response:
                if response.status_code != 200:
                    raise ZaloNetworkError("download", response.status_code, "file not fetched")
                announced = _size(response.headers.get("content-length", ""))
                if announced is not None and announced > limit:
                    raise FileTooLarge(announced, limit)
                with path.open("wb") as out:
                    async for chunk in response.aiter_bytes():
                        received += len(chunk)
                        if received > limit:
                            raise FileTooLarge(received, limit)
                        out.write(chunk)
        except httpx.HTTPError as exc:
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise ZaloNetworkError("download", 0, type(exc).__name__) from exc
        except BaseException:
            await asyncio.to_thread(path.unlink, missing_ok=True)
            raise
