"""The officers' broadcast desk, channel-neutral: /broadcast, /broadcasts, buttons and text.

`/broadcast` walks the officer through five steps (flow.py), with the draft stored in SQLite;
`/broadcast <audience>⏎<message>` jumps straight to the preview. `/broadcasts` lists recent
broadcasts with pause, resume, cancel and report buttons. Callers check the actor is an
officer and pass their scope.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.audience import Scope
from bot.core.integers import row_id
from bot.core.types import Button, Reply
from bot.officers.broadcasts.flow import Created, DraftFlow
from bot.officers.broadcasts.service import BroadcastError, BroadcastService, Report
from bot.officers.broadcasts.steps import DRAFT_PREFIX
from bot.reasons import outbox_reason
from bot.render import Renderer
from bot.store.broadcasts import Broadcast, BroadcastStatus
from bot.store.drafts import Drafts

__all__ = ["PREFIX", "BroadcastDesk", "report_text"]

PREFIX = "off:bc:"


def _duration(renderer: Renderer, seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = {"hours": hours, "minutes": minutes, "seconds": secs}
    key = "hours" if hours else "minutes" if minutes else "seconds"
    return renderer.label(f"broadcast.{key}", parts)


def report_text(renderer: Renderer, report: Report, tz: ZoneInfo) -> str:
    """Render a broadcast's report for an officer or the operator."""
    broadcast = report.broadcast
    reasons = {why: outbox_reason(why, renderer) for why in [*report.failed, *report.skipped]}
    return renderer.text(
        "broadcast/report",
        {
            "r": report,
            "status": renderer.label(f"broadcast.status.{broadcast.status.value}"),
            "start": broadcast.start_at.astimezone(tz),
            "reasons": reasons,
            "seconds": _duration(renderer, report.seconds) if report.seconds is not None else None,
        },
    )


class BroadcastDesk:
    """Answers officers' broadcast commands, buttons and typed answers within their scope."""

    def __init__(
        self, service: BroadcastService, renderer: Renderer, tz: ZoneInfo, drafts: Drafts
    ) -> None:
        self.service = service
        self.renderer = renderer
        self.tz = tz
        self.flow = DraftFlow(service, renderer, tz, drafts)

    async def command(
        self, actor: str, chat_id: str, scope: Scope, command: str, args: str, now: datetime
    ) -> Reply:
        """Serve /broadcast [audience[⏎message]] or /broadcasts."""
        if command == "broadcasts":
            return await self._listing(scope)
        return await self.flow.start(actor, chat_id, scope, args, now)

    async def awaits_text(self, actor: str, now: datetime) -> bool:
        """Tell whether the officer's next private message belongs to their draft."""
        return await self.flow.awaits_text(actor, now)

    async def text(self, actor: str, scope: Scope, text: str, now: datetime) -> Reply:
        """Take a typed answer (a condition, the message or a time) for the officer's draft."""
        return await self.flow.typed(actor, scope, text, now)

    async def button(self, actor: str, scope: Scope, payload: str, now: datetime) -> Reply:
        """Serve a broadcast button: a draft step, or pause/resume/cancel/report."""
        if payload.startswith(DRAFT_PREFIX):
            result = await self.flow.press(actor, scope, payload, now)
            return self._created(result) if isinstance(result, Created) else result
        action, _, arg = payload.removeprefix(PREFIX).partition(":")
        broadcast_id = row_id(arg)
        if broadcast_id is None:
            return self._refused(self.renderer.label("broadcast.bad_button"))
        try:
            if action == "pause":
                found = await self.service.pause(broadcast_id, scope, now)
            elif action == "resume":
                found = await self.service.resume(broadcast_id, scope, now)
            elif action == "cancel":
                found = await self.service.cancel(broadcast_id, scope, now)
            else:
                found = await self.service.get(broadcast_id, scope)
        except BroadcastError as exc:
            return self._refused(str(exc))
        report = await self.service.report(found)
        return Reply(report_text(self.renderer, report, self.tz), buttons=self._controls(found))

    def _created(self, created: Created) -> Reply:
        broadcast = created.broadcast
        start = broadcast.start_at.astimezone(self.tz)
        text = self.renderer.text(
            "broadcast/created",
            {"b": broadcast, "recipients": created.recipients, "start": start},
        )
        return Reply(text, buttons=self._controls(broadcast))

    async def _listing(self, scope: Scope) -> Reply:
        found = await self.service.listing(scope)
        items = []
        for b in found:
            report = await self.service.report(b)  # progress, counted from the outbox
            items.append(
                {
                    "id": b.id,
                    "status": self.renderer.label(f"broadcast.status.{b.status.value}"),
                    "start": b.start_at.astimezone(self.tz),
                    "audience": b.audience,
                    "sent": report.sent,
                    "failed": sum(report.failed.values()),
                    "total": report.total,
                }
            )
        buttons: tuple[Button, ...] = ()
        for broadcast in found[:3]:
            buttons += self._controls(broadcast)
        return Reply(self.renderer.text("broadcast/listing", {"items": items}), buttons=buttons)

    def _controls(self, broadcast: Broadcast) -> tuple[Button, ...]:
        actions = {
            BroadcastStatus.SCHEDULED: ("pause", "cancel", "report"),
            BroadcastStatus.RUNNING: ("pause", "cancel", "report"),
            BroadcastStatus.PAUSED: ("resume", "cancel", "report"),
        }.get(broadcast.status, ("report",))
        return tuple(
            Button(
                self.renderer.label(f"broadcast.{action}", {"id": broadcast.id}),
                f"{PREFIX}{action}:{broadcast.id}",
            )
            for action in actions
        )

    def _refused(self, why: str) -> Reply:
        return Reply(self.renderer.text("broadcast/refused", {"why": why}))
