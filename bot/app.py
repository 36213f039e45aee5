"""Composition root: the only module that wires settings, store, core, renderer and channels."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.actions import RegistrationActions
from bot.actions.reminders import ReminderActions
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.clock import Clock, SystemClock
from bot.config import Settings, require_telegram_token
from bot.core.dialog import Dialog
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.delivery import Pacer, Sender
from bot.engine import Engine
from bot.officers import LogNotifier, OfficerDesk, RelayNotifier
from bot.render import Renderer
from bot.store import Store
from scheduler.jobs import start_scheduler
from scheduler.planner import send_time

__all__ = [
    "TELEGRAM_COMMANDS",
    "Loa",
    "open_loa",
    "serve",
    "telegram_channel",
    "telegram_running",
]

log = logging.getLogger(__name__)

TELEGRAM_COMMANDS = ("start", "menu", "help", "nhacnho", "dangky", "mydata", "xoa", "huy", "stop")


@dataclass(frozen=True, slots=True)
class Loa:
    """Everything a running Loa process holds."""

    settings: Settings
    store: Store
    renderer: Renderer
    engine: Engine
    officers: OfficerDesk
    notifier: RelayNotifier  # officer notices go through the running channel, once attached


@asynccontextmanager
async def open_loa(
    settings: Settings, *, clock: Clock | None = None, database: Path | None = None
) -> AsyncIterator[Loa]:
    """Open the database and build the engine; close everything on exit."""
    store = await Store.open(database or settings.database_path)
    try:
        renderer = Renderer()
        dialog = Dialog(KnowledgeBase.load(default_topics_path()), load_rates())
        notifier = RelayNotifier()
        officers = OfficerDesk(
            store,
            renderer,
            notifier,
            admin_ids=settings.admin_ids,
            fallback_chat=settings.officer_chat_id,
            tz=settings.tz,
        )
        actions = {
            **RegistrationActions(store, settings.tz, officers).actions(),
            **ReminderActions(store, settings.tz, settings.reminder_offsets).actions(),
        }
        engine = Engine(
            store, dialog, renderer, clock or SystemClock(), settings.tz, actions=actions
        )
        yield Loa(
            settings=settings,
            store=store,
            renderer=renderer,
            engine=engine,
            officers=officers,
            notifier=notifier,
        )
    finally:
        await store.close()


def load_rates() -> RateBook:
    """Load the dated rates file (data/rates.toml)."""
    return RateBook.load(default_rates_path())


def telegram_channel(loa: Loa, pacer: Pacer | None = None) -> TelegramChannel:
    """Build the Telegram channel for this Loa (the token must be set)."""
    return TelegramChannel(
        loa.engine,
        token=require_telegram_token(loa.settings),
        api_url=loa.settings.telegram_api_url,
        commands=[(name, loa.renderer.label(f"command.{name}")) for name in TELEGRAM_COMMANDS],
        error_text=loa.renderer.text("error"),
        officers=loa.officers,
        pacer=pacer,
    )


@asynccontextmanager
async def telegram_running(
    loa: Loa, *, poll_timeout: int = 10, pacer: Pacer | None = None
) -> AsyncIterator[TelegramChannel]:
    """Run the Telegram channel (long polling) for the duration of the block."""
    channel = telegram_channel(loa, pacer)
    application = channel.application
    async with application:
        await channel.register_commands()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=poll_timeout, allowed_updates=["message", "callback_query"]
        )
        log.info("Loa is serving Telegram as @%s", application.bot.username)
        loa.notifier.target = channel
        try:
            yield channel
        finally:
            loa.notifier.target = LogNotifier()
            await application.updater.stop()
            await application.stop()


async def serve(
    loa: Loa,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    *,
    poll_timeout: int = 10,
) -> None:
    """Serve Telegram, send the outbox and plan reminders until `stop` (or SIGINT/SIGTERM).

    Live replies and proactive messages share one pacer, so residents' answers go first and
    the bot stays within Telegram's limits; the planner runs at start-up and daily.
    """
    stop = stop or asyncio.Event()
    clock = clock or SystemClock()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    settings = loa.settings
    pacer = Pacer(settings.telegram_rate, settings.telegram_per_chat_rate)
    token = require_telegram_token(settings)
    async with (
        telegram_running(loa, pacer=pacer, poll_timeout=poll_timeout),
        sender_bot(token, settings.telegram_api_url) as bot,
    ):
        sender = Sender(
            loa.store.outbox,
            TelegramTransport(bot),
            pacer,
            clock,
            max_attempts=settings.outbox_max_attempts,
            opens_at=partial(send_time, sending_hours=settings.sending_hours, tz=settings.tz),
        )
        sending = asyncio.create_task(sender.run(stop))
        scheduler = start_scheduler(loa, load_rates(), clock=clock)
        log.info("press Ctrl+C to stop")
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await sending
