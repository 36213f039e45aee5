"""The reminder planner: which stage of which card is due now, and queueing it once.

Stages are offsets in days from the card's expiry date (default -30, -7, 0, +30, +80).
A stage is due from its day until the next stage's day (the last one for
`LAST_STAGE_WINDOW_DAYS`). When the planner finds several stages passed and unsent (a
resident imported late, a planner that did not run), only the latest due one goes out and
the older ones are counted as missed (never stored: only the latest stage is ever offered),
so nobody gets a burst of stale reminders.
Messages go out only within the sending hours of the configured time zone.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.core.due_cards import DueCard, NotReached
from bot.core.premiums import household_quote
from bot.core.rates import RateBook
from bot.render import Renderer
from bot.store import Store
from bot.store.outbox import OutboxItem
from bot.store.reminders import Candidate, Decision, ReminderStatus, dedupe_key

__all__ = [
    "CONTINUITY_DAYS",
    "LAST_STAGE_WINDOW_DAYS",
    "PlanReport",
    "PlannedReminder",
    "StagePlan",
    "expiry_window",
    "plan_reminders",
    "plan_stage",
    "stage_kind",
]

LAST_STAGE_WINDOW_DAYS = 10  # +80 stays relevant until the 90-day break
CONTINUITY_DAYS = 90  # a gap from 90 days breaks continuity and means a 30-day wait
PAGE = 50_000


@dataclass(frozen=True, slots=True)
class StagePlan:
    """The stage to send now for one card (None: nothing), and the older stages it skips."""

    due: int | None
    missed: tuple[int, ...] = ()


def expiry_window(today: date, offsets: Sequence[int]) -> tuple[date, date]:
    """Return the first and last expiry dates that can have a stage due on `today`."""
    first = today - timedelta(days=max(offsets) + LAST_STAGE_WINDOW_DAYS - 1)
    return first, today - timedelta(days=min(offsets))


def plan_stage(
    expiry: date, today: date, offsets: Sequence[int], done: Collection[int]
) -> StagePlan:
    """Return which stage of a card expiring on `expiry` is due on `today`, given `done` ones."""
    stages = sorted(offsets)
    elapsed = (today - expiry).days  # days since expiry (negative before it)
    count = bisect_right(stages, elapsed)  # stages whose day has come
    if count == 0:
        return StagePlan(None)
    latest = stages[count - 1]
    if count == len(stages) and elapsed >= latest + LAST_STAGE_WINDOW_DAYS:
        return StagePlan(None)
    if latest in done:
        return StagePlan(None)
    return StagePlan(latest, tuple(s for s in stages[: count - 1] if s not in done))


def stage_kind(stage: int, offsets: Sequence[int]) -> str:
    """Return the template of a stage: before, on_day, after, or last (the final warning)."""
    if stage < 0:
        return "before"
    if stage == 0:
        return "on_day"
    return "last" if stage == max(offsets) else "after"


def _due(candidate: Candidate, stage: int) -> tuple[int, str, str, str, date, int]:
    """Return the fields a due card takes from a planner candidate, in order."""
    c = candidate
    return (c.resident_id, c.full_name, c.commune, c.village, c.expiry_date, stage)


@dataclass(frozen=True, slots=True)
class PlannedReminder(DueCard):
    """A reminder queued (or, in a dry run, that would be queued) for one resident."""

    kind: str
    not_before: datetime
    contact_id: int
    text: str
    channel: str = ""


@dataclass(slots=True)
class PlanReport:
    """What one planner run queued and why others got nothing."""

    planned: list[PlannedReminder] = field(default_factory=list)
    unreachable: list[NotReached] = field(default_factory=list)
    by_channel: dict[str, int] = field(default_factory=dict)
    planned_count: int = 0
    missed: int = 0
    not_linked: int = 0
    stopped: int = 0
    disabled: int = 0


@dataclass(frozen=True, slots=True)
class _Prices:
    """Renewal prices at today's rates: one person, and the second household member."""

    first: int
    second: int
    start: date


def _prices(book: RateBook, today: date) -> _Prices:
    """Price a 12-month household card for one person and for the second member."""
    quote = household_quote(book, 2, 12, today)
    return _Prices(
        first=quote.lines[0].period_amount, second=quote.lines[1].period_amount, start=today
    )


_NAME = "\x00name\x00"


class _Texts:
    """Personal reminder texts, rendered once per (stage, expiry date) with the name put in.

    Everything in a reminder but the name depends only on the stage, the card's expiry
    date and the day it is read, so a run renders each template a few hundred times, not
    once per resident.
    """

    def __init__(self, renderer: Renderer, day: date, prices: _Prices) -> None:
        self._renderer = renderer
        self._day = day
        self._prices = prices
        self._cache: dict[tuple[str, date], str] = {}

    def text(self, name: str, expiry: date, stage: int, kind: str) -> str:
        """Return the reminder of `stage` for `name`, whose card expires on `expiry`."""
        key = (kind, expiry)
        shape = self._cache.get(key)
        if shape is None:
            data: dict[str, Any] = {
                "name": _NAME,
                "expiry": expiry,
                "days": abs((expiry - self._day).days),
                "price": self._prices.first,
                "second": self._prices.second,
                "months": 12,
                "deadline": expiry + timedelta(days=CONTINUITY_DAYS),
                "stage": stage,
            }
            shape = self._cache[key] = self._renderer.text(f"reminders/{kind}", data)
        return shape.replace(_NAME, name)


@dataclass(slots=True)
class _Run:
    """One planner run's fixed inputs, and the report it fills."""

    today: date
    offsets: tuple[int, ...]
    at: datetime
    texts: _Texts
    report: PlanReport
    keep_planned: bool

    def decide(self, page: Sequence[Candidate]) -> tuple[list[Decision], list[OutboxItem]]:
        """Return the stages to record and the messages to queue for a page of candidates."""
        today, offsets, at, texts = self.today, self.offsets, self.at, self.texts
        report, keep_planned = self.report, self.keep_planned
        decisions: list[Decision] = []
        items: list[OutboxItem] = []
        for candidate in page:
            plan = plan_stage(candidate.expiry_date, today, offsets, candidate.done)
            if plan.due is None:
                continue
            reason = _unreachable(candidate)
            if reason is not None:
                if reason.startswith("no_chat"):
                    report.not_linked += 1
                elif reason == "disabled":
                    report.disabled += 1
                else:
                    report.stopped += 1
                if keep_planned:
                    due = _due(candidate, plan.due)
                    report.unreachable.append(NotReached(*due, candidate.phone, reason))
                continue
            assert candidate.contact_id is not None
            channel = candidate.contact_channel or ""
            report.by_channel[channel] = report.by_channel.get(channel, 0) + 1
            expiry = candidate.expiry_date
            # Missed stages are counted, not stored: plan_stage only ever offers the latest
            # stage whose day has come, so an older one can never be sent later anyway.
            report.missed += len(plan.missed)
            kind = stage_kind(plan.due, offsets)
            text = texts.text(candidate.full_name, expiry, plan.due, kind)
            decisions.append(
                Decision(
                    candidate.resident_id,
                    expiry,
                    plan.due,
                    ReminderStatus.QUEUED,
                    expiry + timedelta(days=plan.due),
                    at,
                )
            )
            items.append(
                OutboxItem(
                    contact_id=candidate.contact_id,
                    kind="reminder",
                    text=text,
                    not_before=at,
                    dedupe_key=dedupe_key(candidate.resident_id, expiry, plan.due),
                )
            )
            report.planned_count += 1
            if keep_planned:
                report.planned.append(
                    PlannedReminder(
                        *_due(candidate, plan.due),
                        kind=kind,
                        not_before=at,
                        contact_id=candidate.contact_id,
                        text=text,
                        channel=channel,
                    )
                )
        return decisions, items


def _unreachable(candidate: Candidate) -> str | None:
    """Return why no reminder can reach the candidate (None: their chat can)."""
    if candidate.contact_id is None:
        return "no_chat" if candidate.phone else "no_chat_no_phone"
    if candidate.contact_status != "active":
        return "blocked" if candidate.contact_status == "blocked" else "stopped"
    if not candidate.reminders_enabled:
        return "disabled"
    return None


async def _latest_chats(store: Store, page: list[Candidate]) -> list[Candidate]:
    """Point residents linked from several chats (two apps) at the one that wrote last."""
    chosen = await store.residents.latest_contacts(page[0].resident_id, page[-1].resident_id)
    if not chosen:
        return page
    return [
        replace(
            c,
            contact_id=chosen[c.resident_id][0],
            contact_status=chosen[c.resident_id][1],
            contact_channel=chosen[c.resident_id][2],
        )
        if c.resident_id in chosen
        else c
        for c in page
    ]


async def plan_reminders(
    store: Store,
    renderer: Renderer,
    book: RateBook,
    settings: Settings,
    now: datetime,
    *,
    dry_run: bool = False,
    keep_planned: bool = True,
) -> PlanReport:
    """Decide the stages due at `now` and queue their messages (nothing written on `dry_run`).

    Residents not linked to a contact, whose contact stopped or blocked Loa, or who turned
    reminders off are only counted. Safe to run any number of times: a stage is recorded once
    (unique key) and its message carries a dedupe key.
    """
    offsets = tuple(sorted(settings.reminder_offsets))
    tz = settings.tz
    today = now.astimezone(tz).date()
    at = settings.hours.opens_at(now)
    day = at.astimezone(tz).date()
    texts = _Texts(renderer, day, _prices(book, today))
    first, last = expiry_window(today, offsets)
    report = PlanReport()
    ctx = _Run(today, offsets, at, texts, report, keep_planned)
    page = await store.reminders.candidates(first, last, limit=PAGE)
    pending: asyncio.Task[None] | None = None
    while page:
        page = await _latest_chats(store, page)
        decisions, items = ctx.decide(page)  # runs while the previous page is written
        if pending is not None:
            await pending
        after_id = page[-1].resident_id
        page = await store.reminders.candidates(first, last, after_id=after_id, limit=PAGE)
        if not dry_run and decisions:
            pending = asyncio.ensure_future(
                store.reminders.save(decisions, items, now, store.outbox.enqueue_many)
            )
            await asyncio.sleep(0)  # hand the write to the database thread
        else:
            pending = None
    if pending is not None:
        await pending
    return report
