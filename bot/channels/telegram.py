"""The Telegram channel on python-telegram-bot 22: updates → Incoming, Reply → Bot API calls."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import FileSizeLimit, MessageLimit
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.plain import split_text
from bot.core.commands import parse_command
from bot.core.officer import InviteWay, OfficerAnswer, OfficerDoor
from bot.core.types import Attachment, Button, FileRef, Incoming, Kind, Reply
from bot.live import Part, ReplyLine
from bot.outbox.sender import Pacer, RateLimited, TransientError
from bot.residents.engine import Engine

__all__ = [
    "CHANNEL",
    "TelegramChannel",
    "TelegramUnreachable",
    "keyboard",
    "reach",
    "retry_seconds",
    "to_incoming",
]

CHANNEL = "telegram"
log = logging.getLogger(__name__)

_SHORT_LABEL = 14


def to_incoming(update: Update) -> Incoming | None:
    """Translate a Telegram update into a neutral message (None for updates Loa ignores)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return None
    sender, chat_id, name = str(user.id), str(chat.id), user.first_name or ""
    query = update.callback_query
    if query is not None:
        return Incoming(
            CHANNEL, sender, Kind.BUTTON, text=query.data or "", display_name=name, chat_id=chat_id
        )
    message = update.effective_message
    if message is None:
        return None
    if message.contact is not None:
        own = message.contact.user_id == user.id
        return Incoming(
            CHANNEL,
            sender,
            Kind.CONTACT,
            phone=message.contact.phone_number,
            own_contact=own,
            display_name=name,
            chat_id=chat_id,
        )
    if message.document is not None:
        doc = message.document
        ref = FileRef(doc.file_id, doc.file_name or "", doc.mime_type or "", doc.file_size)
        return Incoming(
            CHANNEL,
            sender,
            Kind.DOCUMENT,
            text=message.caption or "",
            file=ref,
            display_name=name,
            chat_id=chat_id,
        )
    if message.text is not None:
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
                chat_id=chat_id,
            )
        return Incoming(CHANNEL, sender, Kind.TEXT, text=text, display_name=name, chat_id=chat_id)
    return Incoming(CHANNEL, sender, Kind.UNSUPPORTED, display_name=name, chat_id=chat_id)


def keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """Lay buttons out: short labels three to a row, long ones one per row."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    short: list[InlineKeyboardButton] = []
    for button in buttons:
        item = InlineKeyboardButton(button.label, callback_data=button.payload)
        if len(button.label) <= _SHORT_LABEL:
            short.append(item)
            if len(short) == 3:
                rows.append(short)
                short = []
            continue
        if short:
            rows.append(short)
            short = []
        rows.append([item])
    if short:
        rows.append(short)
    return InlineKeyboardMarkup(rows)


class TelegramUnreachable(Exception):
    """The Bot API could not be reached at start-up, even after a few tries."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"could not reach {host}: {reason}")
        self.host = host
        self.reason = reason


async def reach(
    call: Callable[[], Awaitable[object]],
    api_url: str,
    *,
    attempts: int = 4,
    base: float = 0.5,
) -> None:
    """Run a start-up call (getMe, setMyCommands, deleteWebhook…), retrying network errors.

    A refused connection, a DNS failure, a timeout or a 5xx answer is tried again after
    base·2ⁿ seconds; after `attempts` tries it raises `TelegramUnreachable`. A refused
    token or a bad request is raised as it is, at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            await call()
            return
        except (BadRequest, InvalidToken):
            raise
        except NetworkError as exc:
            if attempt == attempts:
                reason = " ".join(exc.message.split()) or type(exc).__name__
                raise TelegramUnreachable(urlsplit(api_url).netloc or api_url, reason) from exc
            log.debug("Telegram start-up call failed (try %d of %d): %s", attempt, attempts, exc)
            await asyncio.sleep(base * 2 ** (attempt - 1))


def retry_seconds(value: int | float | timedelta) -> float:
    """Return a RetryAfter delay in seconds (an int, or a timedelta with PTB_TIMEDELTA=true)."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


@dataclass(frozen=True, slots=True)
class _Upload:
    """A file to send: a document or a photo."""

    photo: bool
    content: bytes
    name: str


_Extra = InlineKeyboardMarkup | ReplyKeyboardMarkup | _Upload


class TelegramChannel:
    """Builds the python-telegram-bot Application that serves the engine.

    Every message to a chat goes through one `ReplyLine` on the channel's pacer (shared with
    the outbox sender in `loa run`), so python-telegram-bot's own rate limiter is not used:
    the pacer keeps within Telegram's limits and a 429 is waited out, never given up on.
    With `webhook`, the Application has no Updater: the webhook route (`telegram_webhook`)
    puts updates on its update queue.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        token: str,
        api_url: str,
        commands: Sequence[tuple[str, str]],
        error_text: str,
        officers: OfficerDoor | None = None,
        pacer: Pacer | None = None,
        webhook: bool = False,
    ) -> None:
        self.engine = engine
        self.officers = officers
        self.pacer = pacer
        self.commands = [BotCommand(name, description) for name, description in commands]
        self.error_text = error_text
        self.api_url = api_url
        builder = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .concurrent_updates(True)
        )
        if webhook:  # updates arrive on Loa's web server (telegram_webhook), not by polling
            builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(CallbackQueryHandler(self._on_button))
        self.application.add_handler(
            MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, self._on_message)
        )
        self.application.add_handler(
            MessageHandler(
                filters.ChatType.GROUPS
                & (filters.COMMAND | filters.Document.ALL)
                & ~filters.UpdateType.EDITED,
                self._on_group_command,
            )
        )
        self.application.add_error_handler(self._on_error)
        self.line: ReplyLine[_Extra] = ReplyLine(
            self._send_part, pacer, limit=MessageLimit.MAX_TEXT_LENGTH
        )

    async def register_commands(self) -> None:
        """Publish the bot's commands, with Vietnamese descriptions, to Telegram's menu."""
        await self.application.bot.set_my_commands(self.commands)

    async def connect(self) -> None:
        """Initialise the Application (getMe) and publish the commands, retrying network errors.

        On failure the Application is shut down again and the error raised
        (`TelegramUnreachable` when the Bot API could not be reached).
        """
        try:
            await reach(self.application.initialize, self.api_url)
            await reach(self.register_commands, self.api_url)
        except BaseException:
            await self.application.shutdown()
            raise

    async def start_polling(self, poll_timeout: int) -> None:
        """Start long polling (deleteWebhook first), retrying network errors."""
        updater = self.application.updater
        assert updater is not None
        await reach(
            lambda: updater.start_polling(
                timeout=poll_timeout, allowed_updates=["message", "callback_query"]
            ),
            self.api_url,
        )

    @property
    def file_limit(self) -> int:
        """Return the largest file the Bot API lets a bot download (20 MB)."""
        return int(FileSizeLimit.FILESIZE_DOWNLOAD)

    async def download(self, ref: FileRef, path: Path) -> None:
        """Fetch a file a person sent (getFile, then the file URL) to `path`."""
        telegram_file = await self.application.bot.get_file(ref.file_id)
        await telegram_file.download_to_drive(path)

    def invite_way(self, code: str) -> InviteWay:
        """Return the link that opens an invitation in Telegram (a /start deep link)."""
        return InviteWay(CHANNEL, link=f"https://t.me/{self.application.bot.username}?start={code}")

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a private message: the officers' side if it is theirs, else the engine."""
        incoming = to_incoming(update)
        if incoming is None:
            return
        if await self._for_officers(incoming):
            return
        await self.send(incoming.reply_to, await self.engine.handle(incoming))

    async def _on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Pass a command or file sent in a group to the officers' side (and /id to the engine)."""
        incoming = to_incoming(update)
        if incoming is None or incoming.kind not in (Kind.COMMAND, Kind.DOCUMENT):
            return
        if await self._for_officers(incoming):
            return
        if self.officers is None and incoming.command != "id":
            return  # without the officers' side, a group hears only /id
        await self.send(incoming.reply_to, await self.engine.handle(incoming))

    async def _for_officers(self, incoming: Incoming) -> bool:
        """Send the officers' answer to `incoming`; False when it is a resident's message."""
        if self.officers is None:
            return False
        answer = await self.officers.route(incoming, self)
        if answer is None:
            return False
        await self._deliver(incoming.reply_to, answer)
        return True

    async def _deliver(self, chat_id: str, answer: OfficerAnswer) -> None:
        """Send an officer answer: its message, then its files and pictures."""
        parts: list[Part[_Extra]] = []
        if answer.reply is not None:
            parts.extend(_parts(answer.reply))
        parts.extend(_attachment_part(attachment) for attachment in answer.attachments)
        if parts:
            await self.line.send(chat_id, parts)

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send a notice to a chat (officers' new-registration notices)."""
        await self.send(chat_id, [reply])

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press like a message, acknowledging it before the reply is sent."""
        query = update.callback_query
        incoming = to_incoming(update)
        if query is None or incoming is None:
            return
        answer = await self.officers.route(incoming, self) if self.officers else None
        if answer is not None:
            try:
                await query.answer(answer.toast[:200] or None)
            except TelegramError as exc:
                log.warning("could not acknowledge a button press: %s", exc)
            if answer.replaces and await self._replace(query, incoming.reply_to, answer.reply):
                answer = replace(answer, reply=None)
            await self._deliver(incoming.reply_to, answer)
            return
        if incoming.chat_id != incoming.sender_id:
            return  # a resident's button pressed in a group: residents talk to Loa in private
        replies = await self.engine.handle(incoming)
        try:
            await query.answer()
        except TelegramError as exc:
            log.warning("could not acknowledge a button press: %s", exc)
        await self.send(incoming.reply_to, replies)

    async def _replace(self, query: CallbackQuery, chat_id: str, reply: Reply | None) -> bool:
        """Edit the pressed message into `reply`; False when it cannot be (then send it anew)."""
        if reply is None or reply.phone_button or len(reply.text) > MessageLimit.MAX_TEXT_LENGTH:
            return False
        if self.pacer is not None:
            await self.pacer.acquire_live(chat_id)
        try:
            await query.edit_message_text(reply.text, reply_markup=keyboard(reply.buttons))
        except TelegramError as exc:  # too old to edit, deleted, or nothing changed
            log.info("could not edit the pressed message, sending anew: %s", exc)
            return False
        finally:
            if self.pacer is not None:
                self.pacer.release(chat_id)
        return True

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send rendered replies to a chat in order, paced, merged or split to fit Telegram."""
        await self.line.send(chat_id, [part for reply in replies for part in _parts(reply)])

    async def _send_part(self, chat_id: str, part: Part[_Extra]) -> None:
        """Make one Bot API call for `part`; a 429 or network error becomes a retryable one."""
        bot = self.application.bot
        extra = part.extra
        try:
            if isinstance(extra, _Upload):
                upload = InputFile(extra.content, filename=extra.name)
                caption = part.text or None
                if extra.photo:
                    await bot.send_photo(chat_id=chat_id, photo=upload, caption=caption)
                else:
                    await bot.send_document(chat_id=chat_id, document=upload, caption=caption)
            else:
                await bot.send_message(chat_id=chat_id, text=part.text, reply_markup=extra)
        except RetryAfter as exc:
            raise RateLimited(retry_seconds(exc.retry_after)) from exc
        except BadRequest:
            raise
        except NetworkError as exc:  # timeouts and 5xx answers too
            raise TransientError(exc.message) from exc

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error, then tell the person something useful instead of going silent."""
        log.error("error while handling an update", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            await self.line.send(str(update.effective_chat.id), [Part(self.error_text)])
        except TelegramError as exc:
            log.warning("could not send the apology either: %s", exc)


def _attachment_part(attachment: Attachment) -> Part[_Extra]:
    """Send a file as a document, or a picture as a photo, with its caption."""
    upload = _Upload(attachment.photo, attachment.content, attachment.name)
    return Part(attachment.caption, upload, False)


def _parts(reply: Reply) -> list[Part[_Extra]]:
    """Split a reply into Telegram messages; its keyboard goes under the last one."""
    texts = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
    markup: _Extra | None = keyboard(reply.buttons)
    if reply.phone_button:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(reply.phone_button, request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    return [
        Part(text, markup if index == len(texts) - 1 else None) for index, text in enumerate(texts)
    ]
