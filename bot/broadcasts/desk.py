"""The officers' broadcast conversation, channel-neutral: /broadcast, /broadcasts and buttons.

Flow: `/broadcast` shows the syntax and audience buttons; `/broadcast <audience>` on the first
line with the message below shows the preview (counts and two rendered samples) with buttons
for when to send; pressing one schedules it. `/broadcasts` lists recent broadcasts with pause,
resume, cancel and report buttons. Drafts live in memory until confirmed (a restart drops
them; confirmed broadcasts are in the database). Callers check the actor is an officer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.broadcasts.audience import AudienceError, Scope
from bot.broadcasts.service import BroadcastError, BroadcastService, Report
from bot.broadcasts.template import FIELDS, TemplateError
from bot.core.types import Button, Reply
from bot.render import Renderer
from bot.store.broadcasts import Broadcast, BroadcastStatus

__all__ = ["PREFIX", "BroadcastDesk", "report_text"]

PREFIX = "off:bc:"
_EMPTY = frozenset({"", "-", "*", "tat ca", "tất cả"})
_QUICK = {
    "all": "",
    "expired": "the=het_han",
    "expiring": "the=sap_het<30",
    "unregistered": "the=chua_co",
    "voluntary": "quan_tam=voluntary",
}
_MAX_DRAFTS = 200


@dataclass(frozen=True, slots=True)
class _Draft:
    """A previewed broadcast waiting for the officer's choice of time."""

    actor: int
    audience: str
    template: str
    chat_id: str


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes} phút"
    if minutes:
        return f"{minutes} phút {secs} giây"
    return f"{secs} giây"


def report_text(renderer: Renderer, report: Report, tz: ZoneInfo) -> str:
    """Render a broadcast's report for an officer or the operator."""
    broadcast = report.broadcast
    reasons = {
        key: renderer.label(f"broadcast.skip.{key}")
        for key in ("stopped", "daily cap", "cancelled")
    }
    return renderer.text(
        "broadcast/report",
        {
            "r": report,
            "status": renderer.label(f"broadcast.status.{broadcast.status.value}"),
            "start": broadcast.start_at.astimezone(tz).strftime("%H:%M %d/%m/%Y"),
            "skip_reasons": reasons,
            "seconds": _duration(report.seconds) if report.seconds is not None else None,
        },
    )


class BroadcastDesk:
    """Answers officers' broadcast commands and buttons within their scope."""

    def __init__(self, service: BroadcastService, renderer: Renderer, tz: ZoneInfo) -> None:
        self.service = service
        self.renderer = renderer
        self.tz = tz
        self._drafts: dict[str, _Draft] = {}

    async def command(
        self, actor: int, chat_id: str, scope: Scope, command: str, args: str, now: datetime
    ) -> Reply:
        """Serve /broadcast [audience⏎message] or /broadcasts."""
        if command == "broadcasts":
            return await self._listing(scope)
        first, _, message = args.partition("\n")
        if not args.strip():
            return self._usage(scope)
        audience = "" if first.strip().lower() in _EMPTY else first.strip()
        if not message.strip():
            return Reply(self.renderer.text("broadcast/ask_message", {"audience": audience}))
        try:
            preview = await self.service.preview(audience, message, scope, now)
        except (AudienceError, TemplateError, BroadcastError) as exc:
            return self._refused(str(exc))
        token = self._keep(_Draft(actor, audience, message.strip(), chat_id))
        text = self.renderer.text(
            "broadcast/preview",
            {"p": preview, "audience": preview.audience.text(), "communes": preview.communes},
        )
        if not preview.recipients:
            return Reply(text)
        choices = ("now", "morning", "urgent")
        sends = [
            Button(self.renderer.label(f"broadcast.send_{choice}"), f"{PREFIX}go:{token}:{choice}")
            for choice in choices
        ]
        drop = Button(self.renderer.label("broadcast.cancel_draft"), f"{PREFIX}drop:{token}")
        buttons = (*sends, drop)
        return Reply(text, buttons=buttons)

    async def button(self, actor: int, scope: Scope, payload: str, now: datetime) -> Reply:
        """Serve a broadcast button: audience shortcut, send choice, or pause/resume/cancel."""
        parts = payload.removeprefix(PREFIX).split(":")
        action, arg = parts[0], parts[1] if len(parts) > 1 else ""
        if action == "aud" and arg in _QUICK:
            return Reply(self.renderer.text("broadcast/ask_message", {"audience": _QUICK[arg]}))
        if action in ("go", "drop"):
            return await self._decide(actor, scope, arg, parts[2] if len(parts) > 2 else "", now)
        if not arg.isdigit():
            return self._refused("nút không hợp lệ.")
        try:
            if action == "pause":
                found = await self.service.pause(int(arg), scope, now)
            elif action == "resume":
                found = await self.service.resume(int(arg), scope, now)
            elif action == "cancel":
                found = await self.service.cancel(int(arg), scope, now)
            else:
                found = await self.service.get(int(arg), scope)
        except BroadcastError as exc:
            return self._refused(str(exc))
        report = await self.service.report(found)
        return Reply(report_text(self.renderer, report, self.tz), buttons=self._controls(found))

    async def _decide(
        self, actor: int, scope: Scope, token: str, choice: str, now: datetime
    ) -> Reply:
        draft = self._drafts.get(token)
        if draft is None or draft.actor != actor:
            return self._refused("bản nháp không còn; hãy gõ lại /broadcast.")
        del self._drafts[token]
        if choice not in ("now", "morning", "urgent"):
            return Reply(self.renderer.text("broadcast/refused", {"why": "đã bỏ bản nháp."}))
        at = None
        if choice == "morning":
            tomorrow = now.astimezone(self.tz).date() + timedelta(days=1)
            at = datetime.combine(tomorrow, time(self.service.sending_hours[0]), self.tz)
        try:
            created = await self.service.create(
                actor=f"telegram:{actor}",
                scope=scope,
                audience_text=draft.audience,
                template_text=draft.template,
                at=at,
                urgent=choice == "urgent",
                now=now,
                notify_chat=draft.chat_id,
            )
            preview = await self.service.preview(draft.audience, draft.template, scope, now)
        except (AudienceError, TemplateError, BroadcastError) as exc:
            return self._refused(str(exc))
        start = created.start_at.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")
        text = self.renderer.text(
            "broadcast/created", {"b": created, "recipients": preview.recipients, "start": start}
        )
        return Reply(text, buttons=self._controls(created))

    async def _listing(self, scope: Scope) -> Reply:
        found = await self.service.listing(scope)
        items = [
            {
                "id": b.id,
                "status": self.renderer.label(f"broadcast.status.{b.status.value}"),
                "start": b.start_at.astimezone(self.tz).strftime("%H:%M %d/%m/%Y"),
                "audience": b.audience,
                "enqueued": b.enqueued,
            }
            for b in found
        ]
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

    def _usage(self, scope: Scope) -> Reply:
        text = self.renderer.text(
            "broadcast/usage", {"admin": scope.communes is None, "fields": FIELDS}
        )
        buttons = tuple(
            Button(self.renderer.label(f"broadcast.aud_{key}"), f"{PREFIX}aud:{key}")
            for key in _QUICK
        )
        return Reply(text, buttons=buttons)

    def _refused(self, why: str) -> Reply:
        return Reply(self.renderer.text("broadcast/refused", {"why": why}))

    def _keep(self, draft: _Draft) -> str:
        if len(self._drafts) >= _MAX_DRAFTS:
            self._drafts.pop(next(iter(self._drafts)))
        token = secrets.token_hex(4)
        self._drafts[token] = draft
        return token
