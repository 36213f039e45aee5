"""The Telegram channel on python-telegram-bot 22: updates → Incoming, Reply → Bot API calls."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import MessageLimit
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
from bot.engine import Engine

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
        ref = FileRef(doc.file_id, doc.file_name or "", doc.mime_type or "")
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
            head, _, args = text[1:].partition(" ")
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
    ) -> None:
        self.engine = engine
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
        self.application.add_error_handler(self._on_error)

    async def register_commands(self) -> None:
        """Publish the bot's commands, with Vietnamese descriptions, to Telegram's menu."""
        await self.application.bot.set_my_commands(self.commands)

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a private message."""
        incoming = to_incoming(update)
        if incoming is not None:
            await self.send(incoming.reply_to, await self.engine.handle(incoming))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a button press like a message, acknowledging it before the reply is sent."""
        query = update.callback_query
        incoming = to_incoming(update)
        if query is None or incoming is None:
            return
        replies = await self.engine.handle(incoming)
        try:
            await query.answer()
        except TelegramError as exc:
            log.warning("could not acknowledge a button press: %s", exc)
        await self.send(incoming.reply_to, replies)

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
