"""The daily cap: at most N proactive messages a local day to each contact, checked at send time.

The sender asks when it claims a batch, so everything queued for the day counts, whenever it
was queued: a reminder planned after a broadcast, two broadcasts, a retry. Messages already
sent today (urgent ones included) and those being sent count; so do the batch's earlier rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.hours import SendingHours
from bot.outbox.sender import Prepared
from bot.store.outbox import NORMAL_PRIORITY, Claimed, Outbox, OutboxReason, Outcome

__all__ = ["DailyCap"]


class DailyCap:
    """Holds back rows to contacts who already got `cap` proactive messages this local day.

    Urgent rows (priority below NORMAL_PRIORITY) ignore the cap but count towards it. A row
    whose kind is in `skip_kinds` is skipped with reason DAILY_CAP; any other waits, untried,
    for the opening of the next day's sending hours.
    """

    def __init__(
        self,
        outbox: Outbox,
        *,
        cap: int,
        tz: ZoneInfo,
        hours: SendingHours,
        skip_kinds: Collection[str] = (),
    ) -> None:
        self.outbox = outbox
        self.cap = cap
        self.tz = tz
        self.hours = hours
        self.skip_kinds = frozenset(skip_kinds)

    async def prepare(self, rows: Sequence[Claimed], now: datetime) -> Prepared:
        """Let through the rows within the cap; skip or defer the others."""
        capped = {row.contact_id for row in rows if row.priority >= NORMAL_PRIORITY}
        if not capped:
            return Prepared(list(rows))
        today = now.astimezone(self.tz).date()
        start = datetime.combine(today, time(), self.tz)
        end = datetime.combine(today + timedelta(days=1), time(), self.tz)
        counts = await self.outbox.sent_counts(
            sorted(capped), start, end, besides=[row.id for row in rows]
        )
        reopens = self.hours.next_day_opening(now)
        ready: list[Claimed] = []
        outcomes: list[Outcome] = []
        for row in rows:
            count = counts.get(row.contact_id, 0)
            if row.priority >= NORMAL_PRIORITY and count >= self.cap:
                if row.kind in self.skip_kinds:
                    outcomes.append(Outcome.skipped(row.id, OutboxReason.DAILY_CAP))
                else:
                    outcomes.append(Outcome.deferred(row.id, reopens))
                continue
            counts[row.contact_id] = count + 1
            ready.append(row)
        return Prepared(ready, outcomes)
