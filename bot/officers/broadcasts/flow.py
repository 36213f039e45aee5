"""The guided /broadcast flow: audience → message → preview → when → confirm, kept in SQLite.

The shell around the pure steps (steps.py): it loads what a decision looks at (the stored
draft, the places its buttons offer), applies the outcome (stores or drops the draft, creates
the broadcast) and loads what the next screen shows for screens.py to draw. Drafts are stored
at each step, so a restart keeps the officer's place. Channel-neutral.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.audience import AudienceError, Scope, parse_audience
from bot.core.types import Reply
from bot.officers.broadcasts.screens import Screens, Shown
from bot.officers.broadcasts.service import BroadcastError, BroadcastService, Preview, refusal
from bot.officers.broadcasts.steps import (
    Confirm,
    Context,
    Event,
    Note,
    Outcome,
    Press,
    Say,
    Start,
    Typed,
    decide,
    village_commune,
)
from bot.officers.broadcasts.template import TemplateError
from bot.render import Renderer
from bot.store.broadcasts import Broadcast
from bot.store.drafts import Draft, Drafts, DraftStep, Place

__all__ = ["Created", "DraftFlow"]

_MAX_PLACES = 30


@dataclass(frozen=True, slots=True)
class Created:
    """A confirmed draft: the stored broadcast and how many it goes to."""

    broadcast: Broadcast
    recipients: int


class DraftFlow:
    """Walks an officer through a broadcast, one stored step at a time."""

    def __init__(
        self, service: BroadcastService, renderer: Renderer, tz: ZoneInfo, drafts: Drafts
    ) -> None:
        self.service = service
        self.tz = tz
        self.drafts = drafts
        self.screens = Screens(renderer, tz, service.hours)

    async def awaits_text(self, actor: str, now: datetime) -> bool:
        """Tell whether the user's next private message belongs to their draft."""
        return await self.drafts.awaits_text(actor, now)

    async def start(
        self, actor: str, chat_id: str, scope: Scope, args: str, now: datetime
    ) -> Reply:
        """Begin a new draft (replacing the officer's old one).

        Without arguments the flow starts at step 1; `/broadcast <audience>` goes to the
        message, and `/broadcast <audience>⏎<message>` straight to the preview.
        """
        await self.drafts.clean(now)
        event = Start(args, chat_id, secrets.token_hex(3))
        answer = await self._run(event, actor, scope, now, with_draft=False)
        assert isinstance(answer, Reply), "only a press confirms"
        return answer

    async def press(self, actor: str, scope: Scope, payload: str, now: datetime) -> Reply | Created:
        """Apply one button of a draft screen and show the next screen."""
        return await self._run(Press(payload), actor, scope, now)

    async def typed(self, actor: str, scope: Scope, text: str, now: datetime) -> Reply:
        """Take a typed condition, message or time for the officer's draft ("hủy" drops it)."""
        answer = await self._run(Typed(text), actor, scope, now)
        assert isinstance(answer, Reply), "only a press confirms"
        return answer

    async def _run(
        self, event: Event, actor: str, scope: Scope, now: datetime, *, with_draft: bool = True
    ) -> Reply | Created:
        draft = await self.drafts.get(actor, now) if with_draft else None
        context = Context(
            actor,
            scope,
            draft,
            now,
            self.service.hours,
            *await self._places(draft, scope),
        )
        return await self._apply(decide(event, context), actor, scope, now)

    async def _places(
        self, draft: Draft | None, scope: Scope
    ) -> tuple[tuple[Place, ...], tuple[Place, ...]]:
        """Load the communes and villages the draft's step offers as buttons."""
        if draft is None or draft.step not in (DraftStep.COMMUNES, DraftStep.AUDIENCE):
            return (), ()
        if draft.step is DraftStep.COMMUNES:
            return tuple(await self.drafts.communes(_MAX_PLACES)), ()
        commune = village_commune(parse_audience(draft.audience), scope)
        if commune is None:
            return (), ()
        return (), tuple(await self.drafts.villages(commune, _MAX_PLACES))

    async def _apply(
        self, outcome: Outcome, actor: str, scope: Scope, now: datetime
    ) -> Reply | Created:
        """Carry out a decision and draw what follows."""
        if isinstance(outcome, Confirm):
            return await self._confirm(outcome.draft, scope, now)
        if isinstance(outcome, Say):
            if outcome.drop:
                await self.drafts.drop(actor)
            draft = outcome.draft
            if draft is not None and outcome.save:
                draft = await self.drafts.save(draft, now)
            return self.screens.alone(outcome.note, draft)
        draft = await self.drafts.save(outcome.draft, now) if outcome.save else outcome.draft
        return await self._show(draft, scope, now, outcome.note)

    async def _show(
        self, draft: Draft, scope: Scope, now: datetime, note: Note | None = None
    ) -> Reply:
        """Load what the draft's step shows and draw it.

        A later step whose audience or message no longer passes (the officer's communes
        changed) goes back to the step to fix, saying why.
        """
        admin = scope.communes is None
        shown = Shown(admin, now, *await self._places(draft, scope))
        if draft.step is DraftStep.AUDIENCE:
            try:
                shown = replace(shown, counted=await self._count(draft.audience, scope, now))
            except (AudienceError, BroadcastError) as exc:
                shown = replace(shown, why=refusal(self.screens.renderer, exc))
        elif draft.step in (DraftStep.PREVIEW, DraftStep.WHEN, DraftStep.CONFIRM):
            try:
                preview = await self.service.preview(draft.audience, draft.template, scope, now)
            except TemplateError as exc:
                return await self._back_to(draft, DraftStep.MESSAGE, exc, scope, now)
            except (AudienceError, BroadcastError) as exc:
                return await self._back_to(draft, DraftStep.AUDIENCE, exc, scope, now)
            shown = replace(shown, preview=preview)
            if draft.step is DraftStep.CONFIRM:
                try:
                    start = self.service.start_time(draft.send_at, now, urgent=draft.urgent)
                except BroadcastError as exc:
                    return await self._back_to(draft, DraftStep.WHEN, exc, scope, now)
                shown = replace(shown, start=start)
        return self.screens.draw(draft, shown, note)

    async def _back_to(
        self, draft: Draft, step: DraftStep, exc: Exception, scope: Scope, now: datetime
    ) -> Reply:
        saved = await self.drafts.save(replace(draft, step=step), now)
        return await self._show(saved, scope, now, Note("refused", exc))

    async def _confirm(self, draft: Draft, scope: Scope, now: datetime) -> Reply | Created:
        """Store the broadcast; a second press of the same button finds the draft gone."""
        if not await self.drafts.drop(draft.actor):
            return self.screens.alone(Note("gone"))
        try:
            preview = await self.service.preview(draft.audience, draft.template, scope, now)
            created = await self.service.create(
                actor=draft.actor,
                scope=scope,
                audience_text=draft.audience,
                template_text=draft.template,
                at=draft.send_at,
                urgent=draft.urgent,
                now=now,
                notify_chat=draft.chat_id,
            )
        except (AudienceError, TemplateError, BroadcastError) as exc:
            step = DraftStep.WHEN
            if isinstance(exc, AudienceError):
                step = DraftStep.AUDIENCE
            elif isinstance(exc, TemplateError):
                step = DraftStep.MESSAGE
            return await self._back_to(draft, step, exc, scope, now)
        return Created(created, preview.recipients)

    async def _count(self, audience_text: str, scope: Scope, now: datetime) -> Preview:
        """Count an audience within the scope (raises AudienceError if it is not allowed)."""
        return await self.service.preview(audience_text, None, scope, now)
