"""A fake Telegram Bot API server that the real python-telegram-bot talks to over HTTP.

In a test, inside the test's event loop::

    async with FakeTelegram() as server:
        app = (
            ApplicationBuilder()
            .token(server.token)
            .base_url(server.api_base_url)        # f"{server.url}/bot"
            .base_file_url(server.file_base_url)  # f"{server.url}/file/bot"
            .build()
        )
        server.push_text(42, "/start")
        [call] = await server.wait_for("sendMessage")

Standalone, for benchmarks and subprocess tests (prints ``READY http://127.0.0.1:PORT``, serves
until SIGTERM/SIGINT, then prints one JSON line of stats)::

    python -m tests.fakes.telegram_server --port 0 --limit 30 --per-chat 1

Behaviour worth knowing:

- Requests may be form-encoded, JSON or multipart; form values that look like JSON (numbers,
  booleans, objects such as ``reply_markup``) are decoded, free-text fields (``text``,
  ``caption``, ids of files and callback queries...) are kept as strings.
- Every call is recorded on arrival (`Call`), including rejected ones; `Call.status` is filled
  in once the answer is known.
- The outage switch answers every request with HTTP 502 and a JSON error body (PTB raises
  `NetworkError`); the socket stays open, so there is no connection-reset noise.
- A blocked chat answers 403 to every ``send*`` method (``sendChatAction`` included).
- Rate limits count accepted message sends (``send*`` except ``sendChatAction``) in a sliding
  one-second window, overall and per chat. Telegram's 20-per-minute group limit is not modelled.
- Like Telegram: text over 4096 characters, empty text, malformed ``parse_mode="HTML"``,
  ``callback_data`` over 64 bytes, an unknown callback query id and an edit that changes nothing
  all answer 400. MarkdownV2 is not validated; ``allowed_updates`` is ignored.
- Stopping the server wakes long-polling ``getUpdates`` and delayed calls, so shutdown is fast.
- Webhooks: ``setWebhook`` needs an ``https://`` URL and remembers it with its
  ``secret_token`` (`webhook`); while one is set ``getUpdates`` answers 409, as Telegram does,
  until ``deleteWebhook``. The fake never calls the webhook itself: a test builds an update
  (`text_update`) and POSTs it where the bot listens (`deliver_webhook`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import html
import json
import math
import re
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import BodyPartReader, web

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "DOWNLOAD_LIMIT",
    "Call",
    "FakeTelegram",
    "SentMessage",
    "Stats",
    "UploadedFile",
    "main",
]

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
BOT_USER: JSON = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Loa",
    "username": "loa_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
GROUP_SENDER_ID = 100001
"""User id of the person who writes in a group chat when a push does not name one."""

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
DOWNLOAD_LIMIT = 20_000_000  # getFile refuses larger files ("file is too big")

_TEXT_FIELDS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "file_id",
        "action", "url", "language_code", "title", "description", "short_description", "name",
        "emoji", "phone_number", "first_name", "last_name", "business_connection_id",
        "message_effect_id", "document", "photo", "audio", "video", "voice", "animation",
        "sticker", "secret_token",
    }
)  # fmt: skip
"""Params kept as strings: free text and file ids, which may happen to look like JSON."""
_ERROR_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^<>]*)>")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded or the server knows: name, bytes, MIME type and file id."""

    name: str
    content: bytes = field(repr=False)
    mime_type: str | None = None
    file_id: str | None = None

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.content)

    def as_dict(self) -> JSON:
        """Return a JSON-friendly summary (without the bytes)."""
        return {
            "name": self.name,
            "size": self.size,
            "mime_type": self.mime_type,
            "file_id": self.file_id,
        }


@dataclass
class Call:
    """One request received: canonical method name, decoded params, clock time, HTTP status."""

    method: str
    params: JSON
    at: float
    status: int | None = None


@dataclass(frozen=True)
class SentMessage:
    """A message the bot delivered (accepted send* call), as the fake recorded it."""

    method: str
    chat_id: int
    message_id: int
    at: float
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    document: UploadedFile | None = None
    photo: UploadedFile | None = None

    def as_dict(self) -> JSON:
        """Return a JSON-friendly form (file bytes summarised)."""
        return {
            "method": self.method,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "at": self.at,
            "text": self.text,
            "caption": self.caption,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "document": self.document.as_dict() if self.document else None,
            "photo": self.photo.as_dict() if self.photo else None,
        }


@dataclass
class Stats:
    """Counters: accepted sends, 429 answers, calls per method, first and last send time."""

    sent: int = 0
    rejected_429: int = 0
    per_method: dict[str, int] = field(default_factory=dict)
    first_send_at: float | None = None
    last_send_at: float | None = None

    def as_dict(self) -> JSON:
        """Return the counters as a JSON-friendly dict."""
        return {
            "sent": self.sent,
            "rejected_429": self.rejected_429,
            "per_method": dict(self.per_method),
            "first_send_at": self.first_send_at,
            "last_send_at": self.last_send_at,
        }


@dataclass
class _Fault:
    """A pending injected failure."""

    method: str
    status: int
    retry_after: int | None
    description: str | None
    remaining: int
    chat_id: int | None


@dataclass
class _Delay:
    """A pending injected delay."""

    method: str
    seconds: float
    remaining: int
    chat_id: int | None = None


class _ApiError(Exception):
    """An error answer: HTTP status, Telegram description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


_Handler = Callable[[Call], Awaitable[Any]]
_Rule = TypeVar("_Rule", _Fault, _Delay)


class FakeTelegram:
    """An aiohttp server speaking enough of the Bot API for python-telegram-bot 22."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        limit_per_second: int | None = None,
        limit_per_chat_per_second: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Configure the server; nothing listens until `start`."""
        self.token = token
        self.limit_per_second = limit_per_second
        self.limit_per_chat_per_second = limit_per_chat_per_second
        self.stats = Stats()
        self.url = ""
        self._host = host
        self._port = port
        self._clock = clock
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._update_signal = asyncio.Event()
        self._call_signal = asyncio.Event()
        self._calls: list[Call] = []
        self._sent: list[SentMessage] = []
        self._updates: list[JSON] = []
        self._last_update_id = 0
        self.webhook: JSON | None = None
        """The webhook set by setWebhook (url, secret_token, allowed_updates), else None."""
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._last_bot_message: dict[int, int] = {}
        self._files: dict[str, UploadedFile] = {}
        self._file_paths: dict[str, str] = {}
        self._file_counter = 0
        self._callback_ids: set[str] = set()
        self._callback_counter = 0
        self._blocked: set[int] = set()
        self._outage = False
        self._faults: list[_Fault] = []
        self._delays: list[_Delay] = []
        self._window: deque[float] = deque()
        self._chat_windows: dict[int, deque[float]] = {}
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "close": self._true,
                "logOut": self._true,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendChatAction": self._true,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._true,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "setChatMenuButton": self._true,
                "setMyDescription": self._true,
                "setMyShortDescription": self._true,
            }.items()
        }

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (port 0 picks a free port) and set `url`."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        app.router.add_get("/_fake/sent", self._handle_fake_sent)
        app.router.add_get("/_fake/stats", self._handle_fake_stats)
        app.router.add_post("/_fake/updates", self._handle_fake_push)
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Wake long polls and delayed calls, then close the server."""
        if self._runner is None:
            return
        self._closing.set()
        self._wake_update_waiters()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def api_base_url(self) -> str:
        """Return the value for `ApplicationBuilder.base_url`."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """Return the value for `ApplicationBuilder.base_file_url`."""
        return f"{self.url}/file/bot"

    # --- inspection --------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the recorded calls in arrival order, optionally of one method."""
        if method is None:
            return list(self._calls)
        wanted = method.lower()
        return [call for call in self._calls if call.method.lower() == wanted]

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Return the delivered messages in order, optionally to one chat."""
        return [m for m in self._sent if chat_id is None or m.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """Return the current state of a message (after edits), or None."""
        stored = self._messages.get((chat_id, message_id))
        return copy.deepcopy(stored) if stored is not None else None

    @property
    def commands(self) -> list[JSON]:
        """Return the bot commands set for the default scope and no language."""
        return list(self._commands.get(("default", ""), []))

    @property
    def pending_updates(self) -> list[JSON]:
        """Return the updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the brief asks for a plain timeout argument
    ) -> list[Call]:
        """Wait until `count` calls of `method` match `predicate`; return all matches."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            matches = [c for c in self.calls(method) if predicate is None or predicate(c)]
            if len(matches) >= count:
                return matches
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"expected {count} {method} call(s)"
                    f"{' matching the predicate' if predicate else ''} within {timeout} s, "
                    f"got {len(matches)}. Calls received:\n{self.dump_calls()}"
                )
            signal_ = self._call_signal
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal_.wait(), remaining)

    def dump_calls(self) -> str:
        """Return a readable listing of every call received, one per line."""
        if not self._calls:
            return "  (no calls)"
        start = self._calls[0].at
        return "\n".join(
            f"  +{call.at - start:7.3f}s {call.method} -> {call.status} {_brief(call.params)}"
            for call in self._calls
        )

    # --- behaviour switches ------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 502,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with an error."""
        if status == 429 and retry_after is None:
            retry_after = 1
        self._faults.append(
            _Fault(method.lower(), status, retry_after, description, times, chat_id)
        )

    def delay_next(
        self, method: str, seconds: float, times: int = 1, *, chat_id: int | None = None
    ) -> None:
        """Hold the next `times` calls of `method` for `seconds` before answering."""
        self._delays.append(_Delay(method.lower(), seconds, times, chat_id))

    def set_outage(self, on: bool) -> None:
        """Switch the outage on (every call answers 502) or off."""
        self._outage = on

    def block(self, chat_id: int) -> None:
        """Make send* methods to `chat_id` answer 403 (bot blocked by the user)."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Let `chat_id` receive messages again."""
        self._blocked.discard(chat_id)

    # --- files -------------------------------------------------------------------------------

    def add_file(
        self, file_id: str, content: bytes, file_name: str, mime_type: str | None = None
    ) -> UploadedFile:
        """Register a file so `getFile` and the file URL serve it."""
        return self._register_file(
            UploadedFile(file_name, content, mime_type, file_id), file_id=file_id
        )

    def _register_file(self, file: UploadedFile, file_id: str | None = None) -> UploadedFile:
        """Store `file` under `file_id` (or a new id) with a download path."""
        self._file_counter += 1
        file_id = file_id or f"file-{self._file_counter}"
        stored = replace(file, file_id=file_id)
        self._files[file_id] = stored
        self._file_paths[f"documents/{self._file_counter}/{file.name}"] = file_id
        return stored

    def _file_path(self, file_id: str) -> str:
        """Return the download path of a registered file."""
        return next(path for path, known in self._file_paths.items() if known == file_id)

    # --- update factories --------------------------------------------------------------------

    def push_raw(self, update: JSON) -> JSON:
        """Queue an update as given (an `update_id` is assigned when missing)."""
        update = copy.deepcopy(update)
        if "update_id" in update:
            self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        else:
            self._last_update_id += 1
            update = {"update_id": self._last_update_id, **update}
        self._updates.append(update)
        self._wake_update_waiters()
        return update

    def push_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Lan",
        username: str | None = None,
    ) -> JSON:
        """Queue a text message from a user; a leading /command gets a bot_command entity."""
        update = self.text_update(
            chat_id, text, user_id=user_id, first_name=first_name, username=username
        )
        return self.push_raw(update)

    def text_update(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Lan",
        username: str | None = None,
    ) -> JSON:
        """Return (without queueing) the update of a text message from a user, with its id."""
        extra: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            extra["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        sender = _user(self._sender_id(chat_id, user_id), first_name, username)
        self._last_update_id += 1
        message = self._new_message(chat_id, sender, **extra)
        return {"update_id": self._last_update_id, "message": message}

    async def deliver_webhook(self, update: JSON, *, url: str, secret: str | None = None) -> int:
        """POST `update` to `url` as Telegram calls a webhook; return the HTTP status.

        The secret header carries `secret`, else the one given to setWebhook; an empty
        `secret` sends no header. Tests pass the local address behind the registered URL.
        """
        if secret is None:
            secret = str((self.webhook or {}).get("secret_token") or "")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json=update, headers=headers) as response,
        ):
            return response.status

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Lan",
    ) -> JSON:
        """Queue a button press on a bot message (the last one sent to the chat by default)."""
        if message_id is None:
            if chat_id not in self._last_bot_message:
                raise ValueError(f"the bot has sent no message to chat {chat_id} yet")
            message_id = self._last_bot_message[chat_id]
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        self._callback_counter += 1
        query_id = f"cbq-{self._callback_counter}"
        self._callback_ids.add(query_id)
        sender = _user(self._sender_id(chat_id, user_id), first_name, None)
        return self.push_raw(
            {
                "callback_query": {
                    "id": query_id,
                    "from": sender,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                    "message": copy.deepcopy(message),
                }
            }
        )

    def push_contact(
        self,
        chat_id: int,
        phone_number: str,
        *,
        contact_user_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Lan",
    ) -> JSON:
        """Queue a shared contact; by default the sender shares their own number."""
        sender_id = self._sender_id(chat_id, user_id)
        contact = {
            "phone_number": phone_number,
            "first_name": first_name,
            "user_id": sender_id if contact_user_id is None else contact_user_id,
        }
        sender = _user(sender_id, first_name, None)
        return self.push_raw({"message": self._new_message(chat_id, sender, contact=contact)})

    def push_document(
        self,
        chat_id: int,
        file_name: str,
        content: bytes,
        mime_type: str,
        *,
        caption: str | None = None,
        user_id: int | None = None,
    ) -> JSON:
        """Queue a document from a user and register its bytes for `getFile`."""
        file = self._register_file(UploadedFile(file_name, content, mime_type))
        document = _document_json(file)
        sender = _user(self._sender_id(chat_id, user_id), "Lan", None)
        message = self._new_message(chat_id, sender, document=document, caption=caption)
        return self.push_raw({"message": message})

    def push_photo(self, chat_id: int, *, user_id: int | None = None) -> JSON:
        """Queue a photo from a user (a few placeholder bytes, registered for `getFile`)."""
        file = self._register_file(UploadedFile("photo.jpg", b"\xff\xd8\xff fake jpeg", None))
        sender = _user(self._sender_id(chat_id, user_id), "Lan", None)
        message = self._new_message(chat_id, sender, photo=_photo_json(file))
        return self.push_raw({"message": message})

    def push_sticker(self, chat_id: int, *, user_id: int | None = None) -> JSON:
        """Queue a sticker from a user."""
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "usticker-1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        sender = _user(self._sender_id(chat_id, user_id), "Lan", None)
        return self.push_raw({"message": self._new_message(chat_id, sender, sticker=sticker)})

    def push_voice(self, chat_id: int, *, user_id: int | None = None) -> JSON:
        """Queue a voice note from a user (registered for `getFile`)."""
        file = self._register_file(UploadedFile("voice.ogg", b"OggS fake voice", "audio/ogg"))
        voice = {
            "file_id": file.file_id,
            "file_unique_id": f"u{file.file_id}",
            "duration": 3,
            "mime_type": "audio/ogg",
            "file_size": file.size,
        }
        sender = _user(self._sender_id(chat_id, user_id), "Lan", None)
        return self.push_raw({"message": self._new_message(chat_id, sender, voice=voice)})

    def _sender_id(self, chat_id: int, user_id: int | None) -> int:
        """Return the writer's id: given, else the chat's own id (private) or a group member."""
        if user_id is not None:
            return user_id
        return chat_id if chat_id > 0 else GROUP_SENDER_ID

    def _wake_update_waiters(self) -> None:
        """Wake every long-polling getUpdates."""
        self._update_signal.set()
        self._update_signal = asyncio.Event()

    def _new_message(self, chat_id: int, sender: JSON, **fields: Any) -> JSON:
        """Create and store a message with the chat's next message id."""
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        message: JSON = {
            "message_id": message_id,
            "date": int(self._clock()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": sender,
        }
        message.update({key: value for key, value in fields.items() if value is not None})
        self._messages[(chat_id, message_id)] = message
        return copy.deepcopy(message)

    # --- HTTP --------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answer one Bot API call."""
        requested = request.match_info["method"]
        method, handler = self._methods.get(requested.lower(), (requested, None))
        try:
            params, unreadable = await _read_params(request), None
        except ValueError as exc:
            params, unreadable = {}, _ApiError(400, f"Bad Request: {exc}")
        call = Call(method, params, self._clock())
        self._calls.append(call)
        self.stats.per_method[method] = self.stats.per_method.get(method, 0) + 1
        self._call_signal.set()
        self._call_signal = asyncio.Event()
        try:
            if unreadable is not None:
                raise unreadable
            result = await self._process(call, request.match_info["token"], handler)
        except _ApiError as exc:
            call.status = exc.status
            if exc.status == 429:
                self.stats.rejected_429 += 1
            body: JSON = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return web.json_response(body, status=exc.status)
        call.status = 200
        return web.json_response({"ok": True, "result": result})

    async def _process(self, call: Call, token: str, handler: _Handler | None) -> Any:
        """Apply outage, token, injected delays and faults, blocks and limits; then answer."""
        if self._outage:
            raise _ApiError(502, _ERROR_DESCRIPTIONS[502])
        if token != self.token:
            raise _ApiError(401, _ERROR_DESCRIPTIONS[401])
        if handler is None:
            raise _ApiError(404, _ERROR_DESCRIPTIONS[404])
        method = call.method.lower()
        chat_id = _as_int(call.params.get("chat_id"))
        delay = _take(self._delays, method, chat_id)
        if delay is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay.seconds)
        fault = _take(self._faults, method, chat_id)
        if fault is not None:
            description = fault.description or _ERROR_DESCRIPTIONS.get(
                fault.status, f"Error {fault.status}"
            )
            raise _ApiError(
                fault.status,
                description.format(retry_after=fault.retry_after),
                fault.retry_after,
            )
        if method.startswith("send") and chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        counts_as_send = method.startswith("send") and method != "sendchataction"
        if counts_as_send:
            now = self._clock()
            self._check_rate(now, chat_id)
            result = await handler(call)
            self._count_send(now, chat_id)
            return result
        return await handler(call)

    def _check_rate(self, now: float, chat_id: int | None) -> None:
        """Raise 429 if one more send would exceed the overall or per-chat window."""
        waits: list[float] = []
        if self.limit_per_second is not None:
            _prune(self._window, now)
            if len(self._window) >= self.limit_per_second:
                waits.append(self._window[0] + 1.0 - now)
        if self.limit_per_chat_per_second is not None and chat_id is not None:
            window = self._chat_windows.setdefault(chat_id, deque())
            _prune(window, now)
            if len(window) >= self.limit_per_chat_per_second:
                waits.append(window[0] + 1.0 - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _count_send(self, now: float, chat_id: int | None) -> None:
        """Record an accepted send in the windows and stats."""
        self._window.append(now)
        if chat_id is not None:
            self._chat_windows.setdefault(chat_id, deque()).append(now)
        self.stats.sent += 1
        if self.stats.first_send_at is None:
            self.stats.first_send_at = now
        self.stats.last_send_at = now

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve the bytes of a registered file."""
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        file_id = self._file_paths.get(request.match_info["file_path"])
        if file_id is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        file = self._files[file_id]
        return web.Response(
            body=file.content, content_type=file.mime_type or "application/octet-stream"
        )

    async def _handle_fake_sent(self, request: web.Request) -> web.Response:
        """Return the delivered messages as JSON (for out-of-process use)."""
        return web.json_response([message.as_dict() for message in self._sent])

    async def _handle_fake_stats(self, request: web.Request) -> web.Response:
        """Return the stats as JSON (for out-of-process use)."""
        return web.json_response(self.stats.as_dict())

    async def _handle_fake_push(self, request: web.Request) -> web.Response:
        """Queue the posted raw update (for out-of-process use)."""
        return web.json_response(self.push_raw(await request.json()))

    # --- Bot API methods ---------------------------------------------------------------------

    async def _true(self, call: Call) -> bool:
        """Answer True (methods whose effect the fake does not model)."""
        return True

    async def _get_me(self, call: Call) -> JSON:
        """Return the bot user."""
        return dict(BOT_USER)

    async def _get_updates(self, call: Call) -> list[JSON]:
        """Confirm updates below `offset`, then return pending ones, long-polling `timeout` s."""
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = _as_int(call.params.get("offset"))
        if offset is not None and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset is not None and offset < 0:
            self._updates = self._updates[offset:]
        limit = min(max(_as_int(call.params.get("limit")) or 100, 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._updates and not self._closing.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            signal_ = self._update_signal
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(signal_.wait(), remaining)
        return self._updates[:limit]

    async def _set_webhook(self, call: Call) -> bool:
        """Remember the webhook (an https:// URL, as Telegram demands) and its secret."""
        url = str(call.params.get("url") or "")
        if not url.startswith("https://"):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook = {
            "url": url,
            "secret_token": call.params.get("secret_token"),
            "allowed_updates": call.params.get("allowed_updates"),
        }
        return True

    async def _delete_webhook(self, call: Call) -> bool:
        """Forget the webhook; drop pending updates when asked to."""
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, call: Call) -> JSON:
        """Report the webhook set, if any."""
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _set_my_commands(self, call: Call) -> bool:
        """Store the command list for its scope and language."""
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: parameter commands is required")
        self._commands[_commands_key(call.params)] = commands
        return True

    async def _get_my_commands(self, call: Call) -> list[JSON]:
        """Return the command list for the scope and language."""
        return self._commands.get(_commands_key(call.params), [])

    async def _delete_my_commands(self, call: Call) -> bool:
        """Forget the command list for the scope and language."""
        self._commands.pop(_commands_key(call.params), None)
        return True

    async def _send_message(self, call: Call) -> JSON:
        """Deliver a text message."""
        text = _valid_text(call.params)
        shown = _check_html(text) if _parse_mode(call.params) == "html" else text
        return self._deliver(call, {"text": shown}, text=text)

    async def _send_document(self, call: Call) -> JSON:
        """Deliver a document (uploaded, or re-sent by file id)."""
        file = self._input_file(call.params, "document")
        return self._deliver(call, {"document": _document_json(file)}, document=file)

    async def _send_photo(self, call: Call) -> JSON:
        """Deliver a photo (uploaded, or re-sent by file id)."""
        file = self._input_file(call.params, "photo")
        return self._deliver(call, {"photo": _photo_json(file)}, photo=file)

    async def _edit_message_text(self, call: Call) -> JSON | bool:
        """Replace a bot message's text (and keyboard: none given removes it)."""
        text = _valid_text(call.params)
        shown = _check_html(text) if _parse_mode(call.params) == "html" else text
        return self._edit(call, text=shown, reply_markup=_reply_markup(call.params))

    async def _edit_message_reply_markup(self, call: Call) -> JSON | bool:
        """Replace (or remove) a bot message's inline keyboard."""
        return self._edit(call, reply_markup=_reply_markup(call.params))

    async def _answer_callback_query(self, call: Call) -> bool:
        """Acknowledge a callback query the fake issued."""
        query_id = call.params.get("callback_query_id")
        if query_id not in self._callback_ids:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True

    async def _get_file(self, call: Call) -> JSON:
        """Return the File object (with `file_path`) of a registered file."""
        file = self._files.get(str(call.params.get("file_id")))
        if file is None or file.file_id is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if file.size > DOWNLOAD_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file.file_id,
            "file_unique_id": f"u{file.file_id}",
            "file_size": file.size,
            "file_path": self._file_path(file.file_id),
        }

    # --- method helpers ----------------------------------------------------------------------

    def _deliver(self, call: Call, content: JSON, **recorded: Any) -> JSON:
        """Create the bot's message (caption and keyboard included) and record it as sent."""
        chat_id = _require_chat(call.params)
        markup = _reply_markup(call.params)
        caption = self._caption(call.params)
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        message = self._new_message(
            chat_id, dict(BOT_USER), caption=caption, reply_markup=inline, **content
        )
        self._last_bot_message[chat_id] = message["message_id"]
        self._sent.append(
            SentMessage(
                call.method,
                chat_id,
                message["message_id"],
                call.at,
                caption=call.params.get("caption"),
                parse_mode=call.params.get("parse_mode"),
                reply_markup=markup,
                **recorded,
            )
        )
        return message

    def _caption(self, params: JSON) -> str | None:
        """Validate and return the caption as shown (HTML stripped)."""
        caption = params.get("caption")
        if caption is None:
            return None
        caption = str(caption)
        if len(caption) > MAX_CAPTION:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return _check_html(caption) if _parse_mode(params) == "html" else caption

    def _input_file(self, params: JSON, name: str) -> UploadedFile:
        """Return the uploaded file (registered anew) or the one referenced by file id."""
        value = params.get(name)
        if isinstance(value, UploadedFile):
            return self._register_file(value)
        if isinstance(value, str) and value:
            return self._files.get(value) or UploadedFile(value, b"", None, value)
        raise _ApiError(400, f"Bad Request: there is no {name} in the request")

    def _edit(self, call: Call, **changes: Any) -> JSON | bool:
        """Apply `changes` to a stored bot message; 400 if missing or nothing changes."""
        if call.params.get("inline_message_id"):
            return True
        chat_id = _require_chat(call.params)
        message = self._messages.get((chat_id, _as_int(call.params.get("message_id")) or 0))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        markup = changes.pop("reply_markup")
        changes["reply_markup"] = (
            markup if markup is not None and "inline_keyboard" in markup else None
        )
        if all(message.get(key) == value for key, value in changes.items()):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = value
        message["edit_date"] = int(self._clock())
        return copy.deepcopy(message)


# --- request parsing -------------------------------------------------------------------------


async def _read_params(request: web.Request) -> JSON:
    """Decode query, JSON, form or multipart params; uploads become `UploadedFile`s."""
    raw: JSON = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as exc:
            raise ValueError("can't parse JSON body") from exc
        if not isinstance(body, dict):
            raise ValueError("JSON body must be an object")
        raw.update(body)
    elif request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read(decode=True))
                mime_type = part.headers.get("Content-Type")
                files[part.name] = UploadedFile(part.filename, content, mime_type)
            else:
                raw[part.name] = await part.text()
    elif request.can_read_body:
        raw.update({key: str(value) for key, value in (await request.post()).items()})
    params = {
        key: value if key in _TEXT_FIELDS or not isinstance(value, str) else _decode(value)
        for key, value in raw.items()
    }
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = files.pop(value.removeprefix("attach://"), value)
    params.update(files)
    return params


def _decode(value: str) -> Any:
    """Decode a JSON-looking form value; keep anything else as the string it is."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any) -> int | None:
    """Return `value` as an int, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    return None


def _require_chat(params: JSON) -> int:
    """Return the numeric chat_id or answer 400."""
    chat_id = _as_int(params.get("chat_id"))
    if chat_id is None:
        raise _ApiError(400, "Bad Request: chat not found")
    return chat_id


def _valid_text(params: JSON) -> str:
    """Return the message text, or answer 400 when it is empty or too long."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _ApiError(400, "Bad Request: message text is empty")
    if len(text) > MAX_TEXT:
        raise _ApiError(400, "Bad Request: message is too long")
    return text


def _parse_mode(params: JSON) -> str:
    """Return the lower-cased parse_mode ('' when absent)."""
    return str(params.get("parse_mode") or "").lower()


def _reply_markup(params: JSON) -> JSON | None:
    """Return the parsed reply_markup, checking callback_data sizes like Telegram."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode()) > MAX_CALLBACK_DATA_BYTES:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _check_html(text: str) -> str:
    """Validate Telegram HTML (allowed tags, nesting, bare '<'); return the text shown."""
    stack: list[str] = []
    position = 0
    for match in _HTML_TAG.finditer(text):
        _check_html_text(text, position, match.start())
        closing, name = match.group(1) == "/", match.group(2).lower()
        offset = len(text[: match.start()].encode())
        if name not in _HTML_TAGS:
            raise _ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" '
                f"at byte offset {offset}",
            )
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            expected = f'"</{stack[-1]}>"' if stack else "no end tag"
            raise _ApiError(
                400,
                f"Bad Request: can't parse entities: Unmatched end tag at byte offset {offset}, "
                f'expected {expected}, found "</{name}>"',
            )
        else:
            stack.pop()
        position = match.end()
    _check_html_text(text, position, len(text))
    if stack:
        raise _ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )
    return html.unescape(_HTML_TAG.sub("", text))


def _check_html_text(text: str, start: int, end: int) -> None:
    """Reject a bare '<' between tags (Telegram wants '&lt;')."""
    index = text.find("<", start, end)
    if index >= 0:
        offset = len(text[:index].encode())
        raise _ApiError(
            400,
            f'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset {offset}',
        )


def _commands_key(params: JSON) -> tuple[str, str]:
    """Return the (scope, language) key of a commands call."""
    scope = params.get("scope")
    scope_key = "default" if not scope or scope == {"type": "default"} else json.dumps(scope)
    return scope_key, str(params.get("language_code") or "")


# --- JSON builders ---------------------------------------------------------------------------


def _user(user_id: int, first_name: str, username: str | None) -> JSON:
    """Return a (human) User object."""
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
    if username:
        user["username"] = username
    return user


def _document_json(file: UploadedFile) -> JSON:
    """Return a Document object for `file`."""
    document: JSON = {
        "file_id": file.file_id,
        "file_unique_id": f"u{file.file_id}",
        "file_name": file.name,
        "file_size": file.size,
    }
    if file.mime_type:
        document["mime_type"] = file.mime_type
    return document


def _photo_json(file: UploadedFile) -> list[JSON]:
    """Return the PhotoSize list for `file` (one size)."""
    return [
        {
            "file_id": file.file_id,
            "file_unique_id": f"u{file.file_id}",
            "width": 320,
            "height": 240,
            "file_size": file.size,
        }
    ]


def _utf16_len(text: str) -> int:
    """Return the length in UTF-16 code units (Telegram's entity unit)."""
    return len(text.encode("utf-16-le")) // 2


def _prune(window: deque[float], now: float) -> None:
    """Drop send times that left the one-second window ending at `now`."""
    while window and window[0] <= now - 1.0:
        window.popleft()


def _take(rules: list[_Rule], method: str, chat_id: int | None) -> _Rule | None:
    """Consume one use of the first rule matching `method` (and chat); return it."""
    for rule in rules:
        if rule.method == method and rule.chat_id in (None, chat_id):
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            return rule
    return None


def _brief(params: JSON, width: int = 200) -> str:
    """Return a one-line, truncated rendering of call params."""
    shown = {
        key: f"<file {value.name!r}, {value.size} bytes>"
        if isinstance(value, UploadedFile)
        else value
        for key, value in params.items()
    }
    text = json.dumps(shown, ensure_ascii=False, default=str)
    return text if len(text) <= width else f"{text[: width - 1]}…"


# --- command line ----------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.telegram_server",
        description="Run the fake Telegram Bot API server.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--limit", type=int, default=None, help="sends per second, overall")
    parser.add_argument("--per-chat", type=int, default=None, help="sends per second, per chat")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> Stats:
    """Serve until SIGTERM or SIGINT; return the final stats."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = FakeTelegram(
        token=args.token,
        host=args.host,
        port=args.port,
        limit_per_second=args.limit,
        limit_per_chat_per_second=args.per_chat,
    )
    async with server:
        print(f"READY {server.url}", flush=True)
        await stop.wait()
    return server.stats


def main(argv: list[str] | None = None) -> int:
    """Run the fake server from the command line."""
    stats = asyncio.run(_serve(_parse_args(argv)))
    print(json.dumps(stats.as_dict()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
