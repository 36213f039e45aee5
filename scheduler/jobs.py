"""APScheduler wiring: the reminder planner at start-up and daily, then housekeeping."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.core.rates import RateBook
from bot.render import Renderer
from bot.store import Store
from scheduler.planner import plan_reminders

__all__ = [
    "HOUSEKEEPING_JOB",
    "PLANNER_JOB",
    "STARTUP_JOB",
    "run_housekeeping",
    "run_planner",
    "start_scheduler",
]

log = logging.getLogger(__name__)

PLANNER_JOB = "reminder-planner"
STARTUP_JOB = "reminder-planner-startup"
HOUSEKEEPING_JOB = "housekeeping"


async def run_planner(
    store: Store, renderer: Renderer, book: RateBook, settings: Settings, clock: Clock
) -> int:
    """Plan and queue the reminders due now; return how many were queued."""
    report = await plan_reminders(store, renderer, book, settings, clock.now(), keep_planned=False)
    log.info(
        "planner: %d reminder(s) queued, %d missed stage(s), %d not linked, %d stopped/blocked,"
        " %d turned off",
        report.planned_count,
        report.missed,
        report.not_linked,
        report.stopped,
        report.disabled,
    )
    return report.planned_count


async def run_housekeeping(store: Store, settings: Settings, clock: Clock) -> int:
    """Delete chat messages older than MESSAGE_LOG_DAYS (0 keeps all); return how many."""
    days = settings.message_log_days
    if days == 0:
        return 0
    removed = await store.messages.prune(clock.now() - timedelta(days=days))
    log.info("housekeeping: %d chat message(s) older than %d days deleted", removed, days)
    return removed


def start_scheduler(
    store: Store,
    renderer: Renderer,
    book: RateBook,
    settings: Settings,
    *,
    clock: Clock | None = None,
) -> AsyncIOScheduler:
    """Start (inside the running event loop) a scheduler that plans now and daily.

    The daily run is at `planner_hour` o'clock in the configured time zone; half an hour later
    old chat messages are deleted (MESSAGE_LOG_DAYS). The scheduler only triggers: which
    stages were sent lives in SQLite, so a restart repeats nothing. Stop it with
    `scheduler.shutdown(wait=False)`.
    """
    clock = clock or SystemClock()
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    hour = settings.planner_hour
    planning = (store, renderer, book, settings, clock)
    daily = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 6 * 3600}
    scheduler.add_job(
        run_planner, "cron", args=planning, hour=hour, minute=0, id=PLANNER_JOB, **daily
    )
    scheduler.add_job(run_planner, "date", args=planning, id=STARTUP_JOB)
    scheduler.add_job(
        run_housekeeping,
        "cron",
        args=(store, settings, clock),
        hour=hour,
        minute=30,
        id=HOUSEKEEPING_JOB,
        **daily,
    )
    scheduler.start()
    return scheduler
