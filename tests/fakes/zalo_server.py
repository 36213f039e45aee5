"""A fake Zalo Bot API server on 127.0.0.1 that the Zalo client talks to over HTTP.

In a test, inside the test's event loop::

    async with FakeZalo() as server:
        client = ZaloClient(server.token, server.url)
        server.push_text("u1", "/start")
        [call] = await server.wait_for("sendMessage")

Behaviour worth knowing (modelled on what public clients of the platform show):

- Every method is a POST of JSON to ``/bot<TOKEN>/<method>``; answers are
  ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N, "description": …}`` with
  the same HTTP status. A wrong token answers 401.
- ``getUpdates`` returns **one** update per call (no ``update_id``) and, when its ``timeout``
  passes with nothing queued, error 408. It answers 409 while a webhook is set.
- ``sendMessage`` refuses empty text and text over 2,000 characters (400); a blocked user
  answers 403 to every ``send*`` call.
- ``sendPhoto`` takes a photo **URL** and fetches it, as Zalo must; a URL that does not answer
  200 with an image is refused (400). `photos` returns what was sent, with the fetched bytes.
- `push_file` queues a file event (``message.file.received`` with ``message.file`` holding
  ``url``, ``name``, ``size``, ``mime_type``: a shape public clients use, not a documented
  one) whose URL the fake itself serves at ``/files/<n>``; `file_fetches` counts the GETs.
- `fail_next` makes the next calls of a method fail (429 with ``retry_after``, 500, …).
- `deliver_webhook` posts an update to the URL given at ``setWebhook``, with the secret in
  ``X-Bot-Api-Secret-Token`` (or another secret, to test refusals); `redeliver` repeats one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

__all__ = ["Call", "FakeZalo", "SentPhoto", "SentText"]

JSON = dict[str, Any]
TEXT_LIMIT = 2000


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: JSON
    status: int = 0


@dataclass(frozen=True)
class SentText:
    """A text the bot sent."""

    chat_id: str
    text: str
    message_id: str


@dataclass(frozen=True)
class SentPhoto:
    """A photo the bot sent: the URL it gave, its caption, and the bytes fetched from it."""

    chat_id: str
    url: str
    caption: str
    content: bytes
    content_type: str


@dataclass
class _Fault:
    status: int
    description: str
    retry_after: float | None = None


@dataclass
class FakeZalo:
    """The fake server; start it with `async with`."""

    token: str = "1234567890:fake-zalo-token"
    bot_id: str = "bot-0001"
    calls_log: list[Call] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        self._updates: deque[JSON] = deque()
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._sent: list[SentText] = []
        self._photos: list[SentPhoto] = []
        self._files: dict[str, bytes] = {}
        self._unannounced: set[str] = set()
        self.file_fetches = 0
        self._faults: dict[str, deque[_Fault]] = {}
        self._blocked: set[str] = set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self.url = ""

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/files/{key}", self._serve_file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do ------------------------------------------------------------------------

    def text_update(
        self,
        user_id: str,
        text: str,
        *,
        name: str = "Cư dân",
        message_id: str | None = None,
        chat_type: str = "PRIVATE",
        event_name: str = "message.text.received",
    ) -> JSON:
        """Build an update as Zalo sends it (ids are strings)."""
        message: JSON = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": chat_type},
            "text": text,
            "message_id": message_id or f"m{next(self._ids)}",
            "date": int(time.time() * 1000),
        }
        if event_name != "message.text.received":
            del message["text"]
        return {"event_name": event_name, "message": message}

    def file_update(
        self,
        user_id: str,
        content: bytes,
        file_name: str,
        *,
        name: str = "Cán bộ",
        size: int | None = -1,
        mime_type: str = "application/octet-stream",
        event_name: str = "message.file.received",
        message_id: str | None = None,
        announce_length: bool = True,
    ) -> JSON:
        """Build a file event whose URL this fake serves (`size` -1: the real size; None: none).

        Without `announce_length` the file is served chunked, with no Content-Length.
        """
        key = f"f{next(self._ids)}"
        self._files[key] = content
        if not announce_length:
            self._unannounced.add(key)
        file: JSON = {"url": f"{self.url}/files/{key}", "name": file_name, "mime_type": mime_type}
        if size is not None:
            file["size"] = len(content) if size == -1 else size
        update = self.text_update(
            user_id, "", name=name, message_id=message_id, event_name=event_name
        )
        update["message"]["file"] = file
        return update

    def push_file(self, user_id: str, content: bytes, file_name: str, **fields: Any) -> JSON:
        """Queue a file event from `user_id` for getUpdates."""
        return self.push(self.file_update(user_id, content, file_name, **fields))

    def photos(self, chat_id: str | None = None) -> list[SentPhoto]:
        """Return the photos sent, to one chat or all."""
        return [p for p in self._photos if chat_id is None or p.chat_id == chat_id]

    def push(self, update: JSON) -> JSON:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._new_update.set()
        return update

    def push_text(self, user_id: str, text: str, **fields: Any) -> JSON:
        """Queue a text message from `user_id` for getUpdates."""
        return self.push(self.text_update(user_id, text, **fields))

    async def deliver_webhook(
        self, update: JSON, *, url: str | None = None, secret: str | None = None
    ) -> int:
        """POST `update` as Zalo does (to `url`, else the registered one); return the status.

        Tests pass the local address of the public HTTPS URL registered with setWebhook.
        """
        headers = {"X-Bot-Api-Secret-Token": self.webhook_secret if secret is None else secret}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url or self.webhook_url, json=update, headers=headers) as response,
        ):
            return response.status

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the calls received, of one method or all."""
        return [c for c in self.calls_log if method is None or c.method == method]

    def sent(self, chat_id: str | None = None) -> list[SentText]:
        """Return the texts sent, to one chat or all."""
        return [s for s in self._sent if chat_id is None or s.chat_id == chat_id]

    def block(self, user_id: str) -> None:
        """Make `user_id` refuse messages (403), as after blocking the bot."""
        self._blocked.add(user_id)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str = "error",
        *,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with this error."""
        queue = self._faults.setdefault(method, deque())
        queue.extend(_Fault(status, description, retry_after) for _ in range(times))

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        count: int = 1,
        within: float = 5.0,
    ) -> list[Call]:
        """Wait until `count` answered calls of `method` match; return them."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            found = [
                c for c in self.calls(method) if c.status and (predicate is None or predicate(c))
            ]
            if len(found) >= count:
                return found
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise AssertionError(f"{method}: {len(found)} of {count} calls after {within} s")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), timeout=min(left, 0.2))

    # --- the API ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await request.json() if request.can_read_body else {}
        except ValueError:
            params = {}
        call = Call(method, params if isinstance(params, dict) else {})
        self.calls_log.append(call)
        try:
            status, body = await self._answer(request.match_info["token"], call)
        finally:
            self._new_call.set()
        call.status = status
        self._new_call.set()
        return web.json_response(body, status=status)

    async def _answer(self, token: str, call: Call) -> tuple[int, JSON]:
        if token != self.token:
            return _error(401, "Unauthorized")
        faults = self._faults.get(call.method)
        if faults:
            fault = faults.popleft()
            status, body = _error(fault.status, fault.description)
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            return status, body
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is None:
            return _error(404, "Not Found")
        result: tuple[int, JSON] = await handler(call.params)
        return result

    async def _m_getMe(self, params: JSON) -> tuple[int, JSON]:
        return _ok({"id": self.bot_id, "account_name": "bot.Loa", "account_type": "BASIC"})

    async def _m_getUpdates(self, params: JSON) -> tuple[int, JSON]:
        if self.webhook_url:
            return _error(409, "Conflict: webhook is set")
        timeout = float(params.get("timeout", 30))
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._updates:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return _error(408, "Request timeout")
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), timeout=left)
            except TimeoutError:
                return _error(408, "Request timeout")
            if self._closing:
                break
        if not self._updates:
            return _error(408, "Request timeout")
        return _ok(self._updates.popleft())

    async def _m_setWebhook(self, params: JSON) -> tuple[int, JSON]:
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not url or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: url and a secret_token of 8-256 characters needed")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _m_deleteWebhook(self, params: JSON) -> tuple[int, JSON]:
        self.webhook_url, self.webhook_secret = "", ""
        return _ok({"url": ""})

    async def _m_getWebhookInfo(self, params: JSON) -> tuple[int, JSON]:
        return _ok({"url": self.webhook_url})

    async def _m_sendMessage(self, params: JSON) -> tuple[int, JSON]:
        chat_id, text = str(params.get("chat_id", "")), params.get("text")
        if not chat_id:
            return _error(400, "Bad Request: chat_id is required")
        if chat_id in self._blocked:
            return _error(403, "Forbidden: the user has blocked the bot")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: text is empty")
        if len(text) > TEXT_LIMIT:
            return _error(400, "Bad Request: text is too long")
        message_id = f"s{next(self._ids)}"
        self._sent.append(SentText(chat_id, text, message_id))
        return _ok({"message_id": message_id, "date": int(time.time() * 1000)})

    async def _m_sendPhoto(self, params: JSON) -> tuple[int, JSON]:
        chat_id, photo = str(params.get("chat_id", "")), params.get("photo")
        caption = params.get("caption", "")
        if not chat_id or not isinstance(photo, str) or not photo.startswith("http"):
            return _error(400, "Bad Request: chat_id and a photo URL are required")
        if chat_id in self._blocked:
            return _error(403, "Forbidden: the user has blocked the bot")
        if not isinstance(caption, str) or len(caption) > TEXT_LIMIT:
            return _error(400, "Bad Request: caption is too long")
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(photo) as response,
            ):
                content, kind = await response.read(), response.content_type
                fetched = response.status == 200 and kind.startswith("image/")
        except aiohttp.ClientError:
            fetched = False
        if not fetched:
            return _error(400, "Bad Request: the photo could not be fetched")
        self._photos.append(SentPhoto(chat_id, photo, caption, content, kind))
        return _ok({"message_id": f"p{next(self._ids)}", "date": int(time.time() * 1000)})

    async def _serve_file(self, request: web.Request) -> web.StreamResponse:
        key = request.match_info["key"]
        content = self._files.get(key)
        if content is None:
            return web.Response(status=404)
        self.file_fetches += 1
        if key not in self._unannounced:
            return web.Response(body=content, content_type="application/octet-stream")
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        with contextlib.suppress(ConnectionResetError):  # the reader may stop early
            for start in range(0, len(content), 65536):
                await response.write(content[start : start + 65536])
            await response.write_eof()
        return response


def _ok(result: Any) -> tuple[int, JSON]:
    return 200, {"ok": True, "result": result}


def _error(status: int, description: str) -> tuple[int, JSON]:
    return status, {"ok": False, "error_code": status, "description": description}
