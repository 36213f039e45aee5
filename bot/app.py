"""Composition root: the only module that wires settings, store, core, renderer and channels."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from telegram.error import BadRequest

from bot.channels.file_links import FileServer, IssuedLink
from bot.channels.telegram import TelegramChannel, reach
from bot.channels.telegram_transport import TelegramTransport, sender_bot
from bot.channels.telegram_webhook import add_webhook_route, register
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
    webhook_path,
    zns_or_off,
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
from bot.residents.actions import Actions, PlaceActions, RegistrationActions, ReminderActions
from bot.residents.engine import Engine
from bot.store import Store
from bot.store.broadcasts import Broadcast
from bot.web.health import Watch, add_health_route
from bot.web.metrics import add_metrics_route
from bot.web.server import WebServer
from scheduler.jobs import PLANNER_JOB, STARTUP_JOB, start_scheduler

__all__ = [
    "TELEGRAM_COMMANDS",
    "Loa",
    "open_loa",
    "outbox_preparer",
    "serve",
    "telegram_channel",
    "telegram_running",
    "web_server",
    "zalo_running",
]

log = logging.getLogger(__name__)

TELEGRAM_COMMANDS = (
    "start",
    "menu",
    "help",
    "nhacnho",
    "xa",
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
            PlaceActions(store),
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
        webhook=loa.settings.telegram_webhook,
    )


def web_server(settings: Settings) -> WebServer:
    """Return the process's web server, not listening yet (WEB_HOST, WEB_PORT)."""
    return WebServer(settings.web_host, settings.web_port)


@asynccontextmanager
async def telegram_running(
    loa: Loa,
    *,
    poll_timeout: int = 10,
    pacer: Pacer | None = None,
    server: WebServer | None = None,
) -> AsyncIterator[TelegramChannel]:
    """Run the Telegram channel for the block: long polling, or by webhook (TELEGRAM_WEBHOOK_URL).

    The webhook is a route of `server`, registered with setWebhook once it listens; without
    a `server`, one of Loa's own listens for the block. Start-up calls are retried a few
    times; a Bot API that stays unreachable raises `TelegramUnreachable`.
    """
    settings = loa.settings
    channel = telegram_channel(loa, pacer)
    application = channel.application
    own = server is None
    server = server or web_server(settings)
    await channel.connect()  # getMe and setMyCommands, retried; TelegramUnreachable if down
    async with application, AsyncExitStack() as stack:
        await application.start()
        stack.push_async_callback(application.stop)
        username = application.bot.username
        if settings.telegram_webhook:
            path = webhook_path(settings.telegram_webhook_url)
            secret = settings.telegram_webhook_secret
            inbound = loa.store.inbound

            async def first_time(update_id: int) -> bool:
                return await inbound.first_time("telegram", str(update_id), loa.engine.clock.now())

            add_webhook_route(server.app, application, secret, path, first_time)

            async def register_webhook() -> None:
                await _set_telegram_webhook(channel, settings)
                log.info("Loa is serving Telegram as @%s by webhook on %s", username, path)

            server.when_listening(register_webhook)
        else:
            await channel.start_polling(poll_timeout)
            updater = application.updater
            assert updater is not None
            stack.push_async_callback(updater.stop)
            log.info("Loa is serving Telegram as @%s by polling", username)
        if own:
            await stack.enter_async_context(server.running())
        loa.notifier.attach("telegram", channel)
        try:
            yield channel
        finally:
            loa.notifier.detach("telegram")


async def _set_telegram_webhook(channel: TelegramChannel, settings: Settings) -> None:
    """Call setWebhook (retried); a URL Telegram refuses raises ConfigError with its reason."""
    url, secret = settings.telegram_webhook_url, settings.telegram_webhook_secret
    try:
        await reach(lambda: register(channel.application, url, secret), settings.telegram_api_url)
    except BadRequest as exc:
        raise ConfigError(f"TELEGRAM_WEBHOOK_URL was refused by Telegram: {exc.message}") from None


@asynccontextmanager
async def zalo_running(
    loa: Loa,
    *,
    poll_timeout: int = 30,
    pacer: Pacer | None = None,
    server: WebServer | None = None,
) -> AsyncIterator[ZaloChannel]:
    """Run the Zalo channel (webhook if ZALO_WEBHOOK_URL is set, else polling) for the block.

    The webhook and, with PUBLIC_URL, the file links (`/files/<token>`, in polling mode too)
    are routes of `server`; the webhook is registered once it listens. Without a `server`,
    one of Loa's own listens for the block when a route needs it. A token Zalo refuses
    raises ConfigError with one clear line.
    """
    settings = loa.settings
    token = require_zalo_token(settings)
    events = settings.zalo_file_events or FILE_EVENTS
    own = server is None
    server = server or web_server(settings)
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
        path = webhook_path(settings.zalo_webhook_url)
        channel.add_routes(server.app, settings.zalo_webhook_secret, path)
        if links is not None:
            log.info("files are offered by link at %s/files/…", settings.public_url)
        stop = asyncio.Event()
        polling: asyncio.Task[None] | None = None
        try:
            if settings.zalo_webhook:

                async def register_webhook() -> None:
                    await client.set_webhook(
                        settings.zalo_webhook_url, settings.zalo_webhook_secret
                    )
                    log.info("Loa is serving Zalo as %s by webhook on %s", me.name, path)

                server.when_listening(register_webhook)
            else:
                await _drop_webhook(client)
                polling = asyncio.create_task(channel.run_polling(stop, poll_seconds=poll_timeout))
                log.info("Loa is serving Zalo as %s by polling", me.name)
            async with AsyncExitStack() as stack:
                if own:
                    await stack.enter_async_context(server.running())
                loa.notifier.attach("zalo", channel)
                yield channel
        finally:
            loa.notifier.detach("zalo")
            stop.set()
            if polling is not None:
                await polling
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
    One web server (WEB_HOST:WEB_PORT) serves the webhooks, the file links, /healthz and
    /metrics.
    """
    stop = stop or asyncio.Event()
    clock = clock or SystemClock()
    settings = loa.settings
    channels = require_channels(settings)
    zns = zns_or_off(settings)
    if zns.on or zns.mistake:  # an office without any ZNS_* setting hears nothing of it
        log.log(logging.WARNING if zns.mistake else logging.INFO, "%s", zns.line)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    preparer = outbox_preparer(loa.store, settings)
    server = web_server(settings)
    watch = Watch(
        loa.store.metrics,
        clock,
        settings.tz,
        gauges_for=timedelta(seconds=settings.metrics_cache_seconds),
    )
    add_health_route(server, watch)
    add_metrics_route(server, watch)
    async with AsyncExitStack() as stack:
        senders: list[Sender] = []
        if "telegram" in channels:
            pacer = Pacer(settings.telegram_rate, settings.telegram_per_chat_rate)
            token = require_telegram_token(settings)
            await stack.enter_async_context(
                telegram_running(loa, pacer=pacer, poll_timeout=poll_timeout, server=server)
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
                zalo_running(loa, pacer=zalo_pacer, poll_timeout=poll_timeout, server=server)
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
        watch.senders = senders
        await stack.enter_async_context(server.running())
        sending = [asyncio.create_task(sender.run(stop)) for sender in senders]
        sending.append(asyncio.create_task(_run_broadcasts(loa, clock, stop)))
        scheduler = start_scheduler(
            loa.store, loa.renderer, load_rates(settings), loa.settings, clock=clock
        )
        scheduler.add_listener(
            partial(_planner_finished, watch), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        log.info("press Ctrl+C to stop")
        try:
            await stop.wait()
        finally:
            scheduler.shutdown(wait=False)
            await asyncio.gather(*sending)


def _planner_finished(watch: Watch, event: JobExecutionEvent) -> None:
    """Tell /healthz that a planner run (start-up or daily) finished, and how."""
    if event.job_id in (PLANNER_JOB, STARTUP_JOB):
        watch.planner_finished(ok=event.exception is None)
