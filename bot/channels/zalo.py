"""The Zalo channel: Bot API updates → Incoming, replies → numbered plain text (≤ 2,000 chars).

Zalo shows no buttons, so choices become a numbered list ("Gõ 1 …") and the engine resolves
a typed number or label; a phone number is typed, not shared. Updates arrive by long polling
(`run_polling`) or by webhook (`add_routes`, on Loa's web server); both pass through
`handle_update`, which processes each `message_id` once (remembered in the database for three
days, so a webhook retry across a restart is not answered twice). Officers use Loa on Zalo
too: every message goes to the officers' side first (`OfficerDoor`), which says whether it is
theirs; the channel fetches the files people send (`FileSource`). Zalo carries no documents
the other way, so with a `FileServer` (PUBLIC_URL) a picture goes by `sendPhoto` and any other
file as a short-lived link served by the same web server (`add_routes`); without one, a
notice says it cannot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from aiohttp import web

from bot.channels.file_links import FileServer, IssuedLink
from bot.channels.plain import as_numbered_text, split_text
from bot.channels.zalo_client import (
    TEXT_LIMIT,
    ZaloApiError,
    ZaloClient,
    ZaloNetworkError,
    ZaloUpdate,
    parse_update,
)
from bot.core.commands import parse_command
from bot.core.officer import InviteWay, OfficerAnswer, OfficerDoor
from bot.core.types import Attachment, FileRef, Incoming, Kind, Reply
from bot.outbox.sender import Pacer
from bot.residents.engine import Engine
from bot.store.inbound import SeenInbound
from bot.web.hooks import checked_body

__all__ = [
    "CHANNEL",
    "SECRET_HEADER",
    "ZaloChannel",
    "render",
    "to_incoming",
]

CHANNEL = "zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
FILE_LIMIT = 20_000_000
"""The largest file Loa downloads from Zalo, as on Telegram (Zalo states no limit for bots)."""
log = logging.getLogger(__name__)


def to_incoming(update: ZaloUpdate) -> Incoming | None:
    """Translate a Zalo update into a neutral message (None for updates Loa ignores)."""
    message = update.message
    if message is None or not message.sender_id:
        return None
    if message.chat_type != "PRIVATE":
        return None  # residents talk to Loa one to one
    sender, chat, name = message.sender_id, message.chat_id, message.sender_name
    if message.file is not None:
        sent = message.file
        ref = FileRef(sent.url, sent.name, sent.mime_type, sent.size)
        return Incoming(
            CHANNEL,
            sender,
            Kind.DOCUMENT,
            text=message.caption,
            file=ref,
            display_name=name,
            chat_id=chat,
        )
    if update.event_name != TEXT_EVENT or message.text is None:
        return Incoming(CHANNEL, sender, Kind.UNSUPPORTED, display_name=name, chat_id=chat)
    text = message.text
    command = parse_command(text)
    if command is not None:
        return Incoming(
            CHANNEL,
            sender,
            Kind.COMMAND,
            text=command[1],
            command=command[0],
            display_name=name,
            chat_id=chat,
        )
    return Incoming(CHANNEL, sender, Kind.TEXT, text=text, display_name=name, chat_id=chat)


def render(reply: Reply) -> list[str]:
    """Return the texts to send for one reply: choices numbered, split under 2,000 characters."""
    return split_text(as_numbered_text(reply), TEXT_LIMIT)


class ZaloChannel:
    """Serves the engine on Zalo through a `ZaloClient`."""

    def __init__(
        self,
        engine: Engine,
        client: ZaloClient,
        *,
        error_text: str,
        no_file: Callable[[str], str] = str,
        file_link: Callable[[Attachment, IssuedLink], str] | None = None,
        seen: SeenInbound,
        pacer: Pacer | None = None,
        officers: OfficerDoor | None = None,
        links: FileServer | None = None,
    ) -> None:
        self.engine = engine
        self.officers = officers
        self.client = client
        self.error_text = error_text
        self.no_file = no_file  # file name → the text saying it cannot be sent on Zalo
        self.file_link = file_link  # a file and its link → the message carrying the link
        self.links = links
        self.pacer = pacer
        self.seen = seen
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle_update(self, update: ZaloUpdate) -> bool:
        """Answer one update; return False if it was ignored or a duplicate."""
        message = update.message
        fresh = (
            message is None
            or not message.message_id
            or await self.seen.first_time(CHANNEL, message.message_id, self.engine.clock.now())
        )
        if not fresh:
            if message is not None:
                log.info("zalo message %s delivered again: ignored", message.message_id)
            return False
        incoming = to_incoming(update)
        if incoming is None:
            return False
        try:
            answer = await self.officers.route(incoming, self) if self.officers else None
            if answer is not None:
                await self.deliver(incoming.reply_to, answer)
                return True
            replies = await self.engine.handle(incoming)
        except Exception:
            log.exception("error while handling a Zalo update")
            await self._apologise(incoming.reply_to)
            return True
        await self.send(incoming.reply_to, replies)
        return True

    async def deliver(self, chat_id: str, answer: OfficerAnswer) -> None:
        """Send an officer answer: its message (choices numbered), then its files."""
        if answer.reply is not None:
            await self.send(chat_id, [answer.reply])
        for attachment in answer.attachments:
            await self.send_attachment(chat_id, attachment)

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send a notice to an officer (new registrations), choices numbered."""
        await self.send(chat_id, [reply])

    async def send_attachment(self, chat_id: str, attachment: Attachment) -> None:
        """Send a file: a picture by sendPhoto, another file as a link (with PUBLIC_URL).

        Without a FileServer, say that the file cannot be sent on Zalo (caption first).
        A picture Zalo refuses is sent as a link instead.
        """
        if self.links is None or self.file_link is None:
            notice = self.no_file(attachment.name)
            text = f"{attachment.caption}\n{notice}" if attachment.caption else notice
            await self.send(chat_id, [Reply(text)])
            return
        link = await self.links.offer(attachment, f"{CHANNEL}:{chat_id}")
        if attachment.photo:
            if self.pacer is not None:
                await self.pacer.live(chat_id)
            try:
                await self.client.send_photo(chat_id, link.url, attachment.caption)
                return
            except ZaloApiError as exc:
                log.warning("zalo refused a photo to %s: error %s: %s", chat_id, exc.code, exc)
        await self.send(chat_id, [Reply(self.file_link(attachment, link))])

    @property
    def file_limit(self) -> int:
        """Return the largest file Loa downloads from Zalo (FILE_LIMIT)."""
        return FILE_LIMIT

    async def download(self, ref: FileRef, path: Path) -> None:
        """Fetch a file a person sent (its URL) to `path`; FileTooLarge past the limit."""
        await self.client.download(ref.file_id, path, self.file_limit)

    def invite_way(self, code: str) -> InviteWay:
        """Return how an invitation is opened on Zalo: the text to send (no deep links)."""
        return InviteWay(CHANNEL, typed=f"/start {code}")

    def dispatch(self, update: ZaloUpdate) -> None:
        """Handle an update in the background (answers per person stay in order)."""
        task = asyncio.create_task(self._handle_logged(update))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _handle_logged(self, update: ZaloUpdate) -> None:
        try:
            await self.handle_update(update)
        except Exception:
            log.exception("could not answer a Zalo update")

    async def settle(self) -> None:
        """Wait for every update being handled."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send rendered replies as plain texts; a refused part is logged with its code."""
        for reply in replies:
            for part in render(reply):
                if self.pacer is not None:
                    await self.pacer.live(chat_id)
                try:
                    await self.client.send_message(chat_id, part)
                except ZaloApiError as exc:
                    log.warning("zalo refused a reply to %s: error %s: %s", chat_id, exc.code, exc)
                    return

    async def _apologise(self, chat_id: str) -> None:
        try:
            await self.client.send_message(chat_id, self.error_text)
        except ZaloApiError as exc:
            log.warning("could not send the apology either: %s", exc)

    async def run_polling(self, stop: asyncio.Event, *, poll_seconds: int = 30) -> None:
        """Long-poll getUpdates until `stop`, handling each update in the background."""
        failures = 0
        try:
            while not stop.is_set():
                poll = asyncio.ensure_future(self.client.get_updates(poll_seconds))
                stopping = asyncio.ensure_future(stop.wait())
                done, _ = await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if poll not in done:
                    poll.cancel()
                    with contextlib.suppress(asyncio.CancelledError, ZaloApiError):
                        await poll
                    break
                try:
                    update = poll.result()
                except ZaloApiError as exc:
                    failures += 1
                    level = logging.WARNING if isinstance(exc, ZaloNetworkError) else logging.ERROR
                    log.log(level, "zalo getUpdates failed: error %s: %s", exc.code, exc)
                    await _pause(stop, min(30.0, 0.5 * 2 ** min(failures, 6)))
                    continue
                failures = 0
                if update is not None:
                    self.dispatch(update)
        finally:
            await self.settle()

    def add_routes(self, app: web.Application, secret: str = "", path: str = "/") -> None:
        """Serve from `app` Zalo's webhook calls at `path` (with a secret) and the file links."""
        if secret:
            app.router.add_post(path, self._make_handler(secret))
        if self.links is not None:
            self.links.add_routes(app)

    def _make_handler(self, secret: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def on_webhook(request: web.Request) -> web.StreamResponse:
            """Check the secret header, then answer 200 and handle the update."""
            payload = await checked_body(request, SECRET_HEADER, secret, "zalo")
            if isinstance(payload, web.Response):
                return payload
            update = parse_update(payload, self.client.file_events)
            if update is not None:
                self.dispatch(update)
            return web.json_response({"ok": True})

        return on_webhook


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
