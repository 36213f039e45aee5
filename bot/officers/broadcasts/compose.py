"""Broadcast messages rendered at send time, from each recipient's fields of that moment.

The sender hands over each claimed batch: broadcast rows (queued without text) get their text
from the broadcast's officer template, compiled once per broadcast, and the recipients' current
name, card expiry, commune and village, read in one query per batch. A card renewed after the
broadcast was queued therefore shows its new date. A template that cannot be rendered fails
its own rows with the reason (code TEMPLATE, the why in the detail), never the batch; other
rows pass through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.officers.broadcasts.service import fields_for
from bot.officers.broadcasts.template import OfficerTemplate, TemplateError, compile_template
from bot.outbox.sender import Prepared
from bot.store.broadcasts import Broadcasts
from bot.store.outbox import Claimed, OutboxReason, Outcome

__all__ = ["BroadcastComposer"]

log = logging.getLogger(__name__)


class BroadcastComposer:
    """Renders the text of claimed broadcast rows; a `Preparer` for the sender."""

    def __init__(self, broadcasts: Broadcasts, tz: ZoneInfo) -> None:
        self.broadcasts = broadcasts
        self.tz = tz
        self._templates: dict[int, OfficerTemplate | _Unusable] = {}

    async def prepare(self, rows: Sequence[Claimed], now: datetime) -> Prepared:
        """Return the rows with their text; fail those whose text cannot be rendered."""
        wanted = [row for row in rows if row.broadcast_id is not None]
        if not wanted:
            return Prepared(list(rows))
        people = await self.broadcasts.people(sorted({row.contact_id for row in wanted}))
        local = now.astimezone(self.tz)
        ready: list[Claimed] = []
        outcomes: list[Outcome] = []
        for row in rows:
            if row.broadcast_id is None:
                ready.append(row)
                continue
            template = await self._template(row.broadcast_id)
            person = people.get(row.contact_id)
            if isinstance(template, _Unusable):
                outcomes.append(Outcome.failed(row.id, template.reason, template.detail))
            elif person is None:
                outcomes.append(Outcome.failed(row.id, OutboxReason.RECIPIENT_GONE))
            else:
                try:
                    text = template.render(fields_for(person, local))
                except Exception as exc:  # one recipient's fields must not stop the batch
                    log.warning("broadcast %d: rendering row %d failed", row.broadcast_id, row.id)
                    outcomes.append(Outcome.failed(row.id, OutboxReason.TEMPLATE, str(exc)))
                else:
                    ready.append(replace(row, text=text))
        return Prepared(ready, outcomes)

    async def _template(self, broadcast_id: int) -> OfficerTemplate | _Unusable:
        """Return the broadcast's compiled template, or why it cannot be used (cached)."""
        found = self._templates.get(broadcast_id)
        if found is None:
            broadcast = await self.broadcasts.get(broadcast_id)
            if broadcast is None:
                found = _Unusable(OutboxReason.NO_BROADCAST, str(broadcast_id))
            else:
                try:
                    found = compile_template(broadcast.template)
                except TemplateError as exc:  # stored before today's rules refused it
                    found = _Unusable(OutboxReason.TEMPLATE, str(exc.reason))
            self._templates[broadcast_id] = found
        return found


@dataclass(frozen=True, slots=True)
class _Unusable:
    """Why a broadcast's rows cannot be rendered: a reason code and its detail."""

    reason: OutboxReason
    detail: str
