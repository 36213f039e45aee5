"""Broadcasts end to end: check, preview, schedule, resolve and queue, pause, and report.

Recipients are read in contact-id order, one batch at a time; each batch is queued and the
cursor moved in one transaction, so a killed process resumes at the next batch, and dedupe
keys `broadcast:{id}:{contact_id}` make a replayed batch harmless. A queued row holds no text
yet: the sender renders it when it claims the row, from the recipient's fields of that moment
(bot.officers.broadcasts.compose), and checks the daily cap then (bot.outbox.daily_cap).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.core.audience import Audience, AudienceError, Scope, parse_audience, scoped
from bot.core.hours import SendingHours
from bot.officers.broadcasts.template import OfficerTemplate, compile_template
from bot.reasons import Refused
from bot.render import Renderer, format_date
from bot.store.broadcasts import (
    Broadcast,
    Broadcasts,
    BroadcastStatus,
    NewBroadcast,
    Recipient,
    Selection,
    dedupe_key,
)
from bot.store.outbox import URGENT_PRIORITY, OutboxItem, OutboxReason

__all__ = [
    "BroadcastError",
    "BroadcastService",
    "Preview",
    "Report",
    "fields_for",
    "run_broadcasts",
    "service_from_settings",
]

log = logging.getLogger(__name__)

BROADCAST_PRIORITY = 150
KIND = "broadcast"


class BroadcastError(Refused):
    """A broadcast request refused; `reason` says why (labels `broadcast.why.*`)."""


def refusal(renderer: Renderer, error: Exception) -> str:
    """Return what to tell a person about a refused audience, template or broadcast."""
    if isinstance(error, AudienceError):
        return renderer.label(error.key, error.values)
    return str(error)


@dataclass(frozen=True, slots=True)
class Preview:
    """What a broadcast would do: who gets it, who is left out, and two rendered samples."""

    audience: Audience
    communes: tuple[str, ...] | None
    recipients: int
    stopped: int
    blocked: int
    samples: tuple[str, ...]

    @property
    def left_out(self) -> int:
        """Return how many match but opted out or blocked the bot."""
        return self.stopped + self.blocked


@dataclass(frozen=True, slots=True)
class Report:
    """A broadcast's outcome, counted from the outbox."""

    broadcast: Broadcast
    sent: int
    pending: int
    failed: dict[str, int]  # by reason (an OutboxReason code, or an older text)
    skipped: dict[str, int]  # likewise, without the blocked ones
    blocked: int
    left_out: int
    seconds: float | None

    @property
    def total(self) -> int:
        """Return how many recipients were queued or noted (sent + pending + failed + skipped)."""
        return (
            self.sent
            + self.pending
            + sum(self.failed.values())
            + sum(self.skipped.values())
            + self.blocked
        )


def fields_for(recipient: Recipient, today: datetime) -> dict[str, str]:
    """Return the template fields of one recipient (`today` is a local datetime)."""
    name = " ".join(recipient.full_name.split())
    expiry = recipient.expiry_date
    return {
        "ten": name.rsplit(" ", 1)[-1] if name else "",
        "ho_ten": name,
        "han_the": format_date(expiry) if expiry else "",
        "so_ngay": str((expiry - today.date()).days) if expiry else "",
        "xa": recipient.commune,
        "thon": recipient.village,
    }


class BroadcastService:
    """Creates broadcasts within an actor's scope and advances them batch by batch."""

    def __init__(
        self,
        broadcasts: Broadcasts,
        *,
        tz: ZoneInfo,
        hours: SendingHours,
        channel: str | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.broadcasts = broadcasts
        self.tz = tz
        self.hours = hours
        self.channel = channel
        self.batch_size = batch_size

    def check(
        self, audience_text: str, template_text: str, scope: Scope
    ) -> tuple[Audience, tuple[str, ...] | None, OfficerTemplate]:
        """Parse the audience, limit it to the scope, and check the template."""
        audience = parse_audience(audience_text)
        return audience, scoped(audience, scope), compile_template(template_text)

    async def preview(
        self, audience_text: str, template_text: str | None, scope: Scope, now: datetime
    ) -> Preview:
        """Count the recipients and render the message for the first two of them.

        Without a message yet (`template_text` None) it only counts, with no samples.
        """
        audience = parse_audience(audience_text)
        communes = scoped(audience, scope)
        template = compile_template(template_text) if template_text is not None else None
        selection = self._selection(audience, communes, now)
        counts = await self.broadcasts.count_audience(selection)
        samples: tuple[str, ...] = ()
        if template is not None:
            first = await self.broadcasts.recipients(selection, 0, 2, active_only=True)
            local = now.astimezone(self.tz)
            samples = tuple(template.render(fields_for(person, local)) for person in first)
        return Preview(
            audience,
            communes,
            counts.get("active", 0),
            counts.get("stopped", 0),
            counts.get("blocked", 0),
            samples,
        )

    def start_time(self, at: datetime | None, now: datetime, *, urgent: bool) -> datetime:
        """Return when a broadcast asked for `at` (None = now) starts; refuse the past.

        Outside the sending hours a non-urgent broadcast waits for the next morning.
        """
        if at is not None and at < now - timedelta(minutes=1):
            raise BroadcastError("broadcast.why.past")
        start = max(at or now, now)
        return start if urgent else self.hours.opens_at(start)

    async def create(
        self,
        *,
        actor: str,
        scope: Scope,
        audience_text: str,
        template_text: str,
        at: datetime | None,
        urgent: bool,
        now: datetime,
        notify_chat: str = "",
    ) -> Broadcast:
        """Check and store a broadcast to start at `at` (None = now)."""
        audience, communes, template = self.check(audience_text, template_text, scope)
        start = self.start_time(at, now, urgent=urgent)
        return await self.broadcasts.create(
            NewBroadcast(
                created_by=actor,
                communes=communes,
                audience=audience.text(),
                template=template.source,
                urgent=urgent,
                start_at=start,
                notify_chat=notify_chat,
            ),
            now,
        )

    async def advance(self, now: datetime, *, max_batches: int | None = None) -> list[Broadcast]:
        """Queue the remaining recipients of every due broadcast; return those that finished."""
        finished = []
        for broadcast in await self.broadcasts.active(now):
            if not broadcast.resolved:
                await self.enqueue(broadcast, now, max_batches=max_batches)
            done = await self._finish(broadcast.id, now)
            if done is not None:
                finished.append(done)
        return finished

    async def enqueue(
        self, broadcast: Broadcast, now: datetime, *, max_batches: int | None = None
    ) -> int:
        """Resolve and queue recipients from the broadcast's cursor on; return how many."""
        audience = parse_audience(broadcast.audience)
        selection = self._selection(audience, broadcast.communes, now)
        cursor, queued, batches = broadcast.cursor, 0, 0
        while max_batches is None or batches < max_batches:
            people = await self.broadcasts.recipients(selection, cursor, self.batch_size)
            batches += 1
            done = len(people) < self.batch_size
            items = [self._item(broadcast, p) for p in people if p.status == "active"]
            if people:
                cursor = people[-1].contact_id
            saved = await self.broadcasts.save_batch(
                broadcast.id,
                items,
                len(people) - len(items),
                cursor,
                resolved=done,
                now=now,
            )
            if not saved:
                break  # paused or cancelled meanwhile: the cursor stays where it was
            queued += len(items)
            if done:
                break
        return queued

    async def pause(self, broadcast_id: int, scope: Scope, now: datetime) -> Broadcast:
        """Hold a running or scheduled broadcast's queued messages."""
        return await self._move(broadcast_id, scope, now, BroadcastStatus.PAUSED)

    async def resume(self, broadcast_id: int, scope: Scope, now: datetime) -> Broadcast:
        """Let a paused broadcast go on."""
        return await self._move(broadcast_id, scope, now, BroadcastStatus.RUNNING)

    async def cancel(self, broadcast_id: int, scope: Scope, now: datetime) -> Broadcast:
        """Stop a broadcast for good; its queued messages are skipped."""
        return await self._move(broadcast_id, scope, now, BroadcastStatus.CANCELLED)

    async def get(self, broadcast_id: int, scope: Scope) -> Broadcast:
        """Return a broadcast the scope may see; refuse others as if they did not exist."""
        found = await self.broadcasts.get(broadcast_id)
        if found is None or not _visible(found, scope):
            raise BroadcastError("broadcast.why.no_such", id=broadcast_id)
        return found

    async def listing(self, scope: Scope, limit: int = 10) -> list[Broadcast]:
        """Return the newest broadcasts the scope may see."""
        found = await self.broadcasts.latest(limit * 5 if scope.communes is not None else limit)
        return [b for b in found if _visible(b, scope)][:limit]

    async def report(self, broadcast: Broadcast) -> Report:
        """Count the broadcast's outcome from the outbox."""
        outcomes = await self.broadcasts.outcomes(broadcast.id)
        blocked = outcomes.skipped.get(OutboxReason.BLOCKED, 0)
        skipped = {r: n for r, n in outcomes.skipped.items() if r != OutboxReason.BLOCKED}
        end = broadcast.finished_at or outcomes.last_update
        start = broadcast.started_at
        seconds = (end - start).total_seconds() if end and start else None
        by_status = outcomes.by_status
        return Report(
            broadcast=broadcast,
            sent=by_status.get("sent", 0),
            pending=by_status.get("queued", 0) + by_status.get("sending", 0),
            failed=outcomes.failed,
            skipped=skipped,
            blocked=blocked,
            left_out=broadcast.left_out,
            seconds=max(seconds, 0.0) if seconds is not None else None,
        )

    def _item(self, broadcast: Broadcast, person: Recipient) -> OutboxItem:
        return OutboxItem(
            contact_id=person.contact_id,
            kind=KIND,
            text="",  # rendered when sent
            not_before=broadcast.start_at,
            dedupe_key=dedupe_key(broadcast.id, person.contact_id),
            priority=URGENT_PRIORITY if broadcast.urgent else BROADCAST_PRIORITY,
            broadcast_id=broadcast.id,
        )

    async def _move(
        self, broadcast_id: int, scope: Scope, now: datetime, status: BroadcastStatus
    ) -> Broadcast:
        broadcast = await self.get(broadcast_id, scope)
        allowed = {
            BroadcastStatus.PAUSED: {BroadcastStatus.RUNNING, BroadcastStatus.SCHEDULED},
            BroadcastStatus.RUNNING: {BroadcastStatus.PAUSED},
            BroadcastStatus.CANCELLED: {
                BroadcastStatus.RUNNING,
                BroadcastStatus.SCHEDULED,
                BroadcastStatus.PAUSED,
            },
        }[status]
        if broadcast.status not in allowed:
            raise BroadcastError(
                "broadcast.why.status", id=broadcast_id, status=broadcast.status.value
            )
        release = max(now, broadcast.start_at)
        await self.broadcasts.set_status(broadcast_id, status, now, release_at=release)
        return await self.get(broadcast_id, scope)

    async def _finish(self, broadcast_id: int, now: datetime) -> Broadcast | None:
        outcomes = await self.broadcasts.outcomes(broadcast_id)
        if not await self.broadcasts.finish(broadcast_id, outcomes.last_update or now, now):
            return None
        return await self.broadcasts.get(broadcast_id)

    def _selection(
        self, audience: Audience, communes: tuple[str, ...] | None, now: datetime
    ) -> Selection:
        return Selection(audience, communes, now.astimezone(self.tz).date(), self.channel)


def _visible(broadcast: Broadcast, scope: Scope) -> bool:
    if scope.communes is None:
        return True
    return broadcast.communes is not None and set(broadcast.communes) <= scope.communes


def service_from_settings(broadcasts: Broadcasts, settings: Settings) -> BroadcastService:
    """Build the service with the configured time zone and sending hours."""
    return BroadcastService(broadcasts, tz=settings.tz, hours=settings.hours)


async def run_broadcasts(
    service: BroadcastService,
    clock: Clock,
    stop: asyncio.Event,
    on_finished: Callable[[Broadcast], Awaitable[None]],
    *,
    interval: float = 2.0,
) -> None:
    """Advance due broadcasts every `interval` seconds until `stop`; report each finished one."""
    while not stop.is_set():
        try:
            for broadcast in await service.advance(clock.now()):
                await on_finished(broadcast)
        except Exception:
            log.exception("broadcast runner failed; trying again in %s s", interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
