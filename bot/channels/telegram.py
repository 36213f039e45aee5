"""The Telegram channel on python-telegram-bot 22: updates → Incoming, Reply → Bot API calls."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

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
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.plain import split_text
from bot.core.types import Button, FileRef, Incoming, Kind, Reply
from bot.delivery import Pacer
from bot.engine import Engine
from bot.officers import COMMANDS as OFFICER_COMMANDS
from bot.officers import Actor, OfficerAnswer, OfficerDesk, Upload

__all__ = ["CHANNEL", "TelegramChannel", "keyboard", "to_incoming"]

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
        if text.startswith("/") and len(text) > 1:
            body = text[1:]
            cut = min((i for i in (body.find(" "), body.find("\n")) if i >= 0), default=len(body))
            head, args = body[:cut], body[cut + 1 if body[cut : cut + 1] == " " else cut :]
            command = head.split("@", 1)[0].lower()
            return Incoming(
                CHANNEL,
                sender,
                Kind.COMMAND,
                text=args,
                command=command,
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


class TelegramChannel:
    """Builds the python-telegram-bot Application that serves the engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        token: str,
        api_url: str,
        commands: Sequence[tuple[str, str]],
        error_text: str,
        officers: OfficerDesk | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.engine = engine
        self.officers = officers
        self.pacer = pacer
        self.commands = [BotCommand(name, description) for name, description in commands]
        self.error_text = error_text
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))
            .concurrent_updates(True)
            .build()
        )
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

    async def register_commands(self) -> None:
        """Publish the bot's commands, with Vietnamese descriptions, to Telegram's menu."""
        await self.application.bot.set_my_commands(self.commands)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a private message (officer commands and invitations go to the officers)."""
        incoming = to_incoming(update)
        if incoming is None:
            return
        if await self._for_officers(incoming):
            return
        await self.send(incoming.reply_to, await self.engine.handle(incoming))

    async def _on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Serve officer commands and list files in a group (an officers' chat)."""
        incoming = to_incoming(update)
        if incoming is not None and incoming.kind in (Kind.COMMAND, Kind.DOCUMENT):
            await self._for_officers(incoming)

    async def _for_officers(self, incoming: Incoming) -> bool:
        """Serve an officer command, invitation, list file or draft text; False if not one."""
        desk = self.officers
        if desk is None:
            return False
        actor = Actor(int(incoming.sender_id), incoming.display_name, incoming.reply_to)
        now = self.engine.clock.now()
        if incoming.kind is Kind.DOCUMENT and incoming.file is not None:
            admin, officer = await desk.scope(actor.user_id)
            if not admin and officer is None:
                return incoming.chat_id != incoming.sender_id  # residents' files: the engine
            await self._deliver(incoming.reply_to, await self._import(actor, incoming.file))
            return True
        draft_answer = incoming.kind is Kind.TEXT or (
            incoming.kind is Kind.COMMAND and incoming.command == "huy"
        )
        if draft_answer:  # a typed step of /broadcast takes the text, and /huy drops the draft
            private = incoming.chat_id == incoming.sender_id
            if not private or not await desk.awaits_text(actor.user_id, now):
                return False  # residents' texts (and officers' other texts): the engine
            text = incoming.text if incoming.kind is Kind.TEXT else "/huy"
            await self._deliver(incoming.reply_to, await desk.text(actor, text, now))
            return True
        if incoming.kind is not Kind.COMMAND:
            return False
        if incoming.command == "start" and desk.is_invite(incoming.text):
            answer = await desk.redeem(actor, incoming.text.strip(), now)
        elif incoming.command in OFFICER_COMMANDS:
            username = self.application.bot.username or ""
            answer = await desk.command(
                actor, incoming.command, incoming.text, now, bot_username=username
            )
        else:
            return False
        await self._deliver(incoming.reply_to, answer)
        return True

    async def _import(self, actor: Actor, ref: FileRef) -> OfficerAnswer:
        """Hand a list file an officer sent to the desk, with a way to download it."""
        assert self.officers is not None

        async def download(path: Path) -> None:
            telegram_file = await self.application.bot.get_file(ref.file_id)
            await telegram_file.download_to_drive(path)

        upload = Upload(ref.file_name, ref.size, FileSizeLimit.FILESIZE_DOWNLOAD, download)
        return await self.officers.import_list(actor, upload, self.engine.clock.now())

    async def _deliver(self, chat_id: str, answer: OfficerAnswer) -> None:
        """Send an officer answer: its message, its file and its picture."""
        if answer.reply is not None:
            await self.send(chat_id, [answer.reply])
        if answer.document is not None:
            doc = answer.document
            await self.application.bot.send_document(
                chat_id=chat_id,
                document=InputFile(doc.content, filename=doc.name),
                caption=doc.caption,
            )
        if answer.photo is not None:
            await self.application.bot.send_photo(
                chat_id=chat_id,
                photo=InputFile(answer.photo.content, filename=answer.photo.name),
                caption=answer.photo.caption or None,
            )

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send a notice to a chat (officers' new-registration notices)."""
        await self.send(chat_id, [reply])

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press like a message, acknowledging it before the reply is sent."""
        query = update.callback_query
        incoming = to_incoming(update)
        if query is None or incoming is None:
            return
        if self.officers is not None and self.officers.is_button(incoming.text):
            actor = Actor(int(incoming.sender_id), incoming.display_name, incoming.reply_to)
            answer = await self.officers.button(actor, incoming.text, self.engine.clock.now())
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
            await self.pacer.live(chat_id)
        try:
            await query.edit_message_text(reply.text, reply_markup=keyboard(reply.buttons))
        except TelegramError as exc:  # too old to edit, deleted, or nothing changed
            log.info("could not edit the pressed message, sending anew: %s", exc)
            return False
        return True

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Send rendered replies to a chat, splitting texts over Telegram's length limit."""
        bot = self.application.bot
        for reply in replies:
            parts = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH)
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
                if last and reply.phone_button:
                    markup = ReplyKeyboardMarkup(
                        [[KeyboardButton(reply.phone_button, request_contact=True)]],
                        one_time_keyboard=True,
                        resize_keyboard=True,
                    )
                elif last:
                    markup = keyboard(reply.buttons)
                if self.pacer is not None:
                    await self.pacer.live(chat_id)
                await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the error, then tell the person something useful instead of going silent."""
        log.error("error while handling an update", exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            await context.bot.send_message(update.effective_chat.id, self.error_text)
        except TelegramError as exc:
            log.warning("could not send the apology either: %s", exc)
