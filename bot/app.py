"""Composition root: the only module that wires settings, store, core, renderer and channels."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.file_links import FileServer, IssuedLink
from bot.channels.telegram import TelegramChannel, reach
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_client import FILE_EVENTS, ZaloApiError, ZaloClient, ZaloInvalidToken
from bot.channels.zalo_transport import ZaloTransport
from bot.clock import Clock, SystemClock
from bot.config import (
    ConfigError,
    Settings,
    require_channels,
    require_telegram_token,
    require_zalo_token,
)
from bot.core.accounts import Account
from bot.core.dialog import Dialog
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook
from bot.core.types import Attachment, Reply
from bot.officers.broadcasts.compose import BroadcastComposer
from bot.officers.broadcasts.desk import BroadcastDesk, report_text
from bot.officers.broadcasts.service import KIND as BROADCAST_KIND
from bot.officers.broadcasts.service import run_broadcasts, service_from_settings
from bot.officers.desk import OfficerDesk, RelayNotifier
from bot.officers.router import OfficerRouter
from bot.outbox.daily_cap import DailyCap
from bot.outbox.sender import Chain, Pacer, Sender
from bot.render import Renderer
from bot.residents.actions import Actions, RegistrationActions, ReminderActions
from bot.residents.engine import Engine
from bot.store import Store
from bot.store.broadcasts import Broadcast
from scheduler.jobs import start_scheduler

__all__ = [
    "TELEGRAM_COMMANDS",
    "Loa",
    "open_loa",
    "outbox_preparer",
    "serve",
    "telegram_channel",
    "telegram_running",
    "zalo_running",
]

log = logging.getLogger(__name__)

TELEGRAM_COMMANDS = (
    "start",
    "menu",
    "help",
    "nhacnho",
    "dangky",
    "mydata",
    "xoa",
    "huy",
    "stop",
    "batdau",
)


@dataclass(frozen=True, slots=True)
class Loa:
    """Everything a running Loa process holds."""

    settings: Settings
    store: Store
    renderer: Renderer
    engine: Engine
    officers: OfficerDesk
    router: OfficerRouter  # which messages are the officers', on every channel
    notifier: RelayNotifier  # officer notices go through the running channels, once attached


@asynccontextmanager
async def open_loa(
    settings: Settings, *, clock: Clock | None = None, database: Path | None = None
) -> AsyncIterator[Loa]:
    """Open the database and build the engine; close everything on exit."""
    store = await Store.open(database or settings.database_path)
    log.info("database: %s", store.db.path.resolve())
    try:
        renderer = Renderer(office=settings.office)
        dialog = Dialog(KnowledgeBase.load(default_topics_path()), load_rates(settings))
        notifier = RelayNotifier()
        officers = OfficerDesk(
            store,
            renderer,
            notifier,
            admins=settings.admins,
            fallback_chat=settings.officer_chat,
            tz=settings.tz,
            broadcasts=BroadcastDesk(
                service_from_settings(store.broadcasts, settings),
                renderer,
                settings.tz,
                store.drafts,
            ),
        )
        actions = Actions(
            RegistrationActions(store, settings.tz, officers),
            ReminderActions(store, settings.tz, settings.reminder_offsets),
        )
        clock = clock or SystemClock()
        engine = Engine(store, dialog, renderer, clock, settings.tz, actions=actions)
        yield Loa(
            settings=settings,
            store=store,
            renderer=renderer,
            engine=engine,
            officers=officers,
            router=OfficerRouter(officers, clock),
            notifier=notifier,
        )
    finally:
        await store.close()


async def _run_broadcasts(loa: Loa, clock: Clock, stop: asyncio.Event) -> None:
    """Queue due broadcasts in batches beside the senders; tell the officer when one ends."""
    desk = loa.officers.broadcasts
    assert desk is not None

    async def finished(broadcast: Broadcast) -> None:
        if broadcast.notify_chat:
            text = report_text(loa.renderer, await desk.service.report(broadcast), loa.settings.tz)
            await loa.notifier.notify(Account.parse(broadcast.notify_chat), Reply(text))

    await run_broadcasts(desk.service, clock, stop, finished)


def outbox_preparer(store: Store, settings: Settings) -> Chain:
    """Return what readies each claimed outbox batch: the daily cap, then broadcast texts.

    Over the cap, a broadcast row is skipped ('daily cap') and a reminder waits for the next
    morning; the cap comes first so that skipped rows are never rendered.
    """
    return Chain(
        DailyCap(
            store.outbox,
            cap=settings.daily_message_cap,
            tz=settings.tz,
            hours=settings.hours,
            skip_kinds={BROADCAST_KIND},
        ),
        BroadcastComposer(store.broadcasts, settings.tz),
    )


def load_rates(settings: Settings) -> RateBook:
    """Load the dated rates file: the office's (RATES_FILE), else the one shipped with Loa."""
    return RateBook.load(settings.rates_path)


def telegram_channel(loa: Loa, pacer: Pacer | None = None) -> TelegramChannel:
    """Build the Telegram channel for this Loa (the token must be set)."""
    return TelegramChannel(
        loa.engine,
        token=require_telegram_token(loa.settings),
        api_url=loa.settings.telegram_api_url,
        commands=[(name, loa.renderer.label(f"command.{name}")) for name in TELEGRAM_COMMANDS],
        error_text=loa.renderer.text("error"),
        officers=loa.router,
        pacer=pacer,
    )


@asynccontextmanager
async def telegram_running(
    loa: Loa, *, poll_timeout: int = 10, pacer: Pacer | None = None
) -> AsyncIterator[TelegramChannel]:
    """Run the Telegram channel (long polling) for the duration of the block.

    Start-up calls are retried a few times; a Bot API that stays unreachable raises
    `TelegramUnreachable`.
    """
    channel = telegram_channel(loa, pacer)
    application = channel.application
    await channel.connect()  # getMe and setMyCommands, retried; TelegramUnreachable if down
    async with application:
        await application.start()
        await channel.start_polling(poll_timeout)
        assert application.updater is not None
        log.info("Loa is serving Telegram as @%s", application.bot.username)
        loa.notifier.attach("telegram", channel)
        try:
            yield channel
        finally:
            loa.notifier.detach("telegram")
            await application.updater.stop()
            await application.stop()


@asynccontextmanager
async def zalo_running(
    loa: Loa, *, poll_timeout: int = 30, pacer: Pacer | None = None
) -> AsyncIterator[ZaloChannel]:
    """Run the Zalo channel (webhook if ZALO_WEBHOOK_URL is set, else polling) for the block.

    With PUBLIC_URL, the web server also serves files by link (`/files/<token>`), in polling
    mode too. A token Zalo refuses raises ConfigError with one clear line.
    """
    settings = loa.settings
    token = require_zalo_token(settings)
    events = settings.zalo_file_events or FILE_EVENTS
    async with ZaloClient(token, settings.zalo_api_url, file_events=events) as client:
        try:
            me = await client.get_me()
        except ZaloInvalidToken:
            raise ConfigError("ZALO_BOT_TOKEN was refused by Zalo (check the token)") from None
        links: FileServer | None = None
        if settings.public_url:
            gone = loa.renderer.text("officer/file_link_gone")
            links = FileServer(
                loa.store.file_links, loa.engine.clock, settings.public_url, gone_text=gone
            )
            await links.purge()
        channel = ZaloChannel(
            loa.engine,
            client,
            error_text=loa.renderer.text("error"),
            no_file=lambda name: loa.renderer.text("officer/file_not_on_zalo", {"name": name}),
            file_link=partial(_file_link_text, loa.renderer, settings),
            seen=loa.store.inbound,
            pacer=pacer,
            officers=loa.router,
            links=links,
        )
        stop = asyncio.Event()
        runner: web.AppRunner | None = None
        polling: asyncio.Task[None] | None = None
        path = urlsplit(settings.zalo_webhook_url).path or "/"
        try:
            if settings.zalo_webhook or links is not None:
                runner = web.AppRunner(channel.web_app(settings.zalo_webhook_secret, path))
                await runner.setup()
                site = web.TCPSite(runner, settings.zalo_webhook_host, settings.zalo_webhook_port)
                await site.start()
            if links is not None:
                log.info("files are offered by link at %s/files/…", settings.public_url)
            if settings.zalo_webhook:
                await client.set_webhook(settings.zalo_webhook_url, settings.zalo_webhook_secret)
                log.info("Loa is serving Zalo as %s by webhook on %s", me.name, path)
            else:
                await _drop_webhook(client)
                polling = asyncio.create_task(channel.run_polling(stop, poll_seconds=poll_timeout))
                log.info("Loa is serving Zalo as %s by polling", me.name)
            loa.notifier.attach("zalo", channel)
            yield channel
        finally:
            loa.notifier.detach("zalo")
            stop.set()
            if polling is not None:
                await polling
            if runner is not None:
                await runner.cleanup()
            await channel.settle()


def _file_link_text(
    renderer: Renderer, settings: Settings, attachment: Attachment, link: IssuedLink
) -> str:
    """Return the message that carries a file's link on Zalo (expiry in local time)."""
    data = {
        "caption": attachment.caption,
        "name": attachment.name,
        "url": link.url,
        "expires": link.expires_at.astimezone(settings.tz),
    }
    return renderer.text("officer/file_link", data)


async def _drop_webhook(client: ZaloClient) -> None:
    """Remove a webhook left from an earlier run (Zalo serves getUpdates only without one)."""
    try:
        if await client.get_webhook_info():
            await client.delete_webhook()
    except ZaloApiError as exc:
        log.warning("could not check Zalo's webhook: error %s: %s", exc.code, exc.description)


async def serve(
    loa: Loa,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    *,
    poll_timeout: int = 10,
) -> None:
    """Serve Telegram and/or Zalo, send the outbox and plan reminders until `stop` (or a signal).

    Each channel runs when its token is set and has its own pacer and outbox sender; on a
    channel, live replies and proactive messages share the pacer, so residents' answers go
    first and the bot stays within the channel's limits. The planner runs at start-up and daily.
    """
    stop = stop or asyncio.Event()
    clock = clock or SystemClock()
    settings = loa.settings
    channels = require_channels(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    preparer = outbox_preparer(loa.store, settings)
    async with AsyncExitStack() as stack:
        senders: list[Sender] = []
        if "telegram" in channels:
            pacer = Pacer(settings.telegram_rate, settings.telegram_per_chat_rate)
            token = require_telegram_token(settings)
            await stack.enter_async_context(
                telegram_running(loa, pacer=pacer, poll_timeout=poll_timeout)
            )
            bot = sender_bot(token, settings.telegram_api_url)
            await reach(bot.initialize, settings.telegram_api_url)
            stack.push_async_callback(bot.shutdown)
            senders.append(
                Sender(
                    loa.store.outbox,
                    TelegramTransport(bot),
                    pacer,
                    clock,
                    channel="telegram",
                    max_attempts=settings.outbox_max_attempts,
                    hours=settings.hours,
                    preparer=preparer,
                )
            )
        if "zalo" in channels:
            zalo_pacer = Pacer(settings.zalo_rate, settings.zalo_per_chat_rate)
            await stack.enter_async_context(
                zalo_running(loa, pacer=zalo_pacer, poll_timeout=poll_timeout)
            )
            client = await stack.enter_async_context(
                ZaloClient(require_zalo_token(settings), settings.zalo_api_url, retries=0)
            )
            senders.append(
                Sender(
                    loa.store.outbox,
                    ZaloTransport(client, proactive=settings.zalo_proactive),
                    zalo_pacer,
                    clock,
                    channel="zalo",
                    max_attempts=settings.outbox_max_attempts,
                    hours=settings.hours,
                    preparer=preparer,
                )
            )
        sending = [asyncio.create_task(sender.run(stop)) for sender in senders]
        sending.append(asyncio.create_task(_run_broadcasts(loa, clock, stop)))
        scheduler = start_scheduler(
            loa.store, loa.renderer, load_rates(settings), loa.settings, clock=clock
        )
        log.info("press Ctrl+C to stop")
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await asyncio.gather(*sending)
