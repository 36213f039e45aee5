"""The guided /broadcast flow: audience → message → preview → when → confirm, kept in SQLite.

Every screen is a message with buttons whose payloads read `off:bc:d:<token>:<step>:<action>`
(at most 64 bytes, Telegram's limit): the token names the officer's draft, so a button of an
older draft or of someone else's answers that the draft is gone; the step names the screen,
so a button of an earlier screen shows where the draft is now. Three steps wait for typed
text (a condition, the message, a time); the channel hands such text to `typed`. Drafts are
stored at each step, so a restart keeps the officer's place. Channel-neutral.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.audience import Audience, AudienceError, Scope, parse_audience
from bot.core.dialog.privacy import CANCEL_WORDS
from bot.core.interests import INTERESTS, interest_label
from bot.core.text import fold
from bot.core.types import Button, Reply
from bot.officers.broadcasts.choices import (
    CARD_CHOICES,
    TimeError,
    everyone,
    merge_typed,
    parse_local_time,
    short_id,
    toggle_all_communes,
    toggle_card,
    toggle_commune,
    toggle_interest,
    toggle_linked,
    toggle_village,
)
from bot.officers.broadcasts.service import BroadcastError, BroadcastService, Preview, refusal
from bot.officers.broadcasts.template import FIELDS, TemplateError
from bot.render import Renderer
from bot.store.broadcasts import Broadcast
from bot.store.drafts import Draft, Drafts, DraftStep, Place

__all__ = ["DRAFT_PREFIX", "Created", "DraftFlow"]

DRAFT_PREFIX = "off:bc:d:"
_EMPTY = frozenset({"", "-", "*", "tat ca", "tất cả"})
_MAX_PLACES = 30
_CODES = {
    DraftStep.COMMUNES: "x",
    DraftStep.AUDIENCE: "a",
    DraftStep.AUDIENCE_TEXT: "t",
    DraftStep.MESSAGE: "m",
    DraftStep.PREVIEW: "p",
    DraftStep.WHEN: "w",
    DraftStep.WHEN_TEXT: "h",
    DraftStep.CONFIRM: "c",
}
_BACK = {
    DraftStep.AUDIENCE_TEXT: DraftStep.AUDIENCE,
    DraftStep.MESSAGE: DraftStep.AUDIENCE,
    DraftStep.WHEN: DraftStep.PREVIEW,
    DraftStep.WHEN_TEXT: DraftStep.WHEN,
    DraftStep.CONFIRM: DraftStep.WHEN,
}


@dataclass(frozen=True, slots=True)
class Created:
    """A confirmed draft: the stored broadcast and how many it goes to."""

    broadcast: Broadcast
    recipients: int


def _private(draft: Draft) -> bool:
    """Tell whether the draft lives in the officer's own chat (typed steps work only there)."""
    return draft.chat_id == draft.actor


class DraftFlow:
    """Walks an officer through a broadcast, one stored step at a time."""

    def __init__(
        self, service: BroadcastService, renderer: Renderer, tz: ZoneInfo, drafts: Drafts
    ) -> None:
        self.service = service
        self.renderer = renderer
        self.tz = tz
        self.drafts = drafts

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
        draft = Draft(actor, secrets.token_hex(3), chat_id, DraftStep.AUDIENCE)
        first, _, message = args.partition("\n")
        if not message.strip() and not _private(draft):
            return Reply(self.renderer.text("broadcast/private_only"))
        if not args.strip():
            if scope.communes is None:
                draft = replace(draft, step=DraftStep.COMMUNES)
            return await self._show(await self.drafts.save(draft, now), scope, now)
        audience = "" if first.strip().lower() in _EMPTY else first.strip()
        try:
            parsed = parse_audience(audience)
            await self._count(parsed.text(), scope, now)
        except (AudienceError, BroadcastError) as exc:
            return self._refused(refusal(self.renderer, exc))
        draft = replace(draft, step=DraftStep.MESSAGE, audience=parsed.text())
        if not message.strip():
            return await self._show(await self.drafts.save(draft, now), scope, now)
        return await self._take_message(draft, scope, message, now)

    async def press(self, actor: str, scope: Scope, payload: str, now: datetime) -> Reply | Created:
        """Apply one button of a draft screen and show the next screen."""
        parts = payload.removeprefix(DRAFT_PREFIX).split(":", 3)
        token, code, action, arg = (*parts, "", "", "")[:4]
        draft = await self.drafts.get(actor, now)
        if draft is None or draft.token != token:
            return Reply(self.renderer.text("broadcast/gone"))
        if action == "drop":
            await self.drafts.drop(actor)
            return Reply(self.renderer.text("broadcast/dropped"))
        if _CODES[draft.step] != code:
            return await self._show(draft, scope, now, self.renderer.text("broadcast/stale"))
        if action == "back" and draft.step in _BACK:
            return await self._move(draft, _BACK[draft.step], scope, now)
        if draft.step is DraftStep.COMMUNES:
            return await self._press_communes(draft, scope, action, arg, now)
        if draft.step is DraftStep.AUDIENCE:
            return await self._press_audience(draft, scope, action, arg, now)
        if draft.step is DraftStep.MESSAGE and action == "keep" and draft.template:
            return await self._move(draft, DraftStep.PREVIEW, scope, now)
        if draft.step is DraftStep.PREVIEW:
            steps = {"go": DraftStep.WHEN, "msg": DraftStep.MESSAGE, "aud": DraftStep.AUDIENCE}
            if action in steps:
                return await self._move(draft, steps[action], scope, now)
        if draft.step is DraftStep.WHEN:
            return await self._press_when(draft, scope, action, now)
        if draft.step is DraftStep.CONFIRM:
            if action == "urg":
                draft = replace(draft, urgent=not draft.urgent)
                return await self._move(draft, DraftStep.CONFIRM, scope, now)
            if action == "ok":
                return await self._confirm(draft, scope, now)
        return await self._show(draft, scope, now, self.renderer.text("broadcast/stale"))

    async def typed(self, actor: str, scope: Scope, text: str, now: datetime) -> Reply:
        """Take a typed condition, message or time for the officer's draft ("hủy" drops it)."""
        draft = await self.drafts.get(actor, now)
        if draft is None or not draft.step.awaits_text:
            return Reply(self.renderer.text("broadcast/gone"))
        if fold(text) in CANCEL_WORDS:
            await self.drafts.drop(actor)
            return Reply(self.renderer.text("broadcast/dropped"))
        if draft.step is DraftStep.MESSAGE:
            return await self._take_message(draft, scope, text, now)
        if draft.step is DraftStep.AUDIENCE_TEXT:
            try:
                audience = merge_typed(parse_audience(draft.audience), text)
                await self._count(audience.text(), scope, now)
            except (AudienceError, BroadcastError) as exc:
                note = self.renderer.text("broadcast/refused", {"why": refusal(self.renderer, exc)})
                return await self._show(draft, scope, now, note)
            draft = replace(draft, audience=audience.text())
            return await self._move(draft, DraftStep.AUDIENCE, scope, now)
        try:
            at = parse_local_time(text, self.tz)
            self.service.start_time(at, now, urgent=False)
        except (TimeError, BroadcastError) as exc:
            return self._with_back(
                draft, Reply(self.renderer.text("broadcast/time_refused", {"why": str(exc)}))
            )
        draft = replace(draft, send_at=at, urgent=False)
        return await self._move(draft, DraftStep.CONFIRM, scope, now)

    # --- steps ------------------------------------------------------------------------------

    async def _press_communes(
        self, draft: Draft, scope: Scope, action: str, arg: str, now: datetime
    ) -> Reply:
        audience = parse_audience(draft.audience)
        if action == "next":
            if not audience.communes and not audience.all_communes:
                note = self.renderer.text("broadcast/pick_commune")
                return await self._show(draft, scope, now, note)
            return await self._move(draft, DraftStep.AUDIENCE, scope, now)
        if action == "xa":
            audience = toggle_all_communes(audience)
        elif action == "x":
            place = _find(await self.drafts.communes(_MAX_PLACES), arg)
            if place is not None:
                audience = toggle_commune(audience, place.name)
        draft = replace(draft, audience=_without_villages(audience).text())
        return await self._move(draft, DraftStep.COMMUNES, scope, now)

    async def _press_audience(
        self, draft: Draft, scope: Scope, action: str, arg: str, now: datetime
    ) -> Reply:
        audience = parse_audience(draft.audience)
        if action == "next":
            return await self._move(draft, DraftStep.MESSAGE, scope, now)
        if action == "back" and scope.communes is None:
            return await self._move(draft, DraftStep.COMMUNES, scope, now)
        if action == "type" and _private(draft):
            return await self._move(draft, DraftStep.AUDIENCE_TEXT, scope, now)
        if action == "v":
            place = _find(await self._villages(audience, scope), arg)
            if place is not None:
                audience = toggle_village(audience, place.name)
        elif action == "c" and arg in CARD_CHOICES:
            audience = toggle_card(audience, CARD_CHOICES[arg])
        elif action == "i" and arg in INTERESTS:
            audience = toggle_interest(audience, arg)
        elif action == "l" and arg in ("0", "1"):
            audience = toggle_linked(audience, arg == "1")
        elif action == "all":
            audience = everyone(audience)
        draft = replace(draft, audience=audience.text())
        return await self._move(draft, DraftStep.AUDIENCE, scope, now)

    async def _press_when(self, draft: Draft, scope: Scope, action: str, now: datetime) -> Reply:
        if action == "other" and _private(draft):
            return await self._move(draft, DraftStep.WHEN_TEXT, scope, now)
        if action == "morning":
            tomorrow = now.astimezone(self.tz).date() + timedelta(days=1)
            at = datetime.combine(tomorrow, time(self.service.sending_hours[0]), self.tz)
            draft = replace(draft, send_at=at, urgent=False)
            return await self._move(draft, DraftStep.CONFIRM, scope, now)
        if action in ("now", "urgent"):
            draft = replace(draft, send_at=None, urgent=action == "urgent")
            return await self._move(draft, DraftStep.CONFIRM, scope, now)
        return await self._show(draft, scope, now, self.renderer.text("broadcast/stale"))

    async def _take_message(self, draft: Draft, scope: Scope, text: str, now: datetime) -> Reply:
        """Check a typed message: the preview if it is usable, else the reason."""
        try:
            preview = await self.service.preview(draft.audience, text, scope, now)
        except TemplateError as exc:
            if not _private(draft):
                return self._refused(str(exc))
            draft = await self.drafts.save(replace(draft, step=DraftStep.MESSAGE), now)
            why = self.renderer.text("broadcast/template_refused", {"why": str(exc)})
            return self._with_back(draft, Reply(why))
        except (AudienceError, BroadcastError) as exc:
            note = self.renderer.text("broadcast/refused", {"why": refusal(self.renderer, exc)})
            return await self._move(draft, DraftStep.AUDIENCE, scope, now, note)
        draft = replace(draft, step=DraftStep.PREVIEW, template=text.strip())
        draft = await self.drafts.save(draft, now)
        return self._preview_screen(draft, preview)

    async def _confirm(self, draft: Draft, scope: Scope, now: datetime) -> Reply | Created:
        """Store the broadcast; a second press of the same button finds the draft gone."""
        if not await self.drafts.drop(draft.actor):
            return Reply(self.renderer.text("broadcast/gone"))
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
            note = self.renderer.text("broadcast/refused", {"why": refusal(self.renderer, exc)})
            return await self._move(draft, step, scope, now, note)
        return Created(created, preview.recipients)

    async def _move(
        self, draft: Draft, step: DraftStep, scope: Scope, now: datetime, note: str = ""
    ) -> Reply:
        """Store the draft at `step` and show that step."""
        saved = await self.drafts.save(replace(draft, step=step), now)
        return await self._show(saved, scope, now, note)

    # --- screens ----------------------------------------------------------------------------

    async def _show(self, draft: Draft, scope: Scope, now: datetime, note: str = "") -> Reply:
        """Render the draft's current step, with a note (a refusal, a stale button) on top."""
        reply = await self._screen(draft, scope, now)
        if not note:
            return reply
        return Reply(f"{note}\n\n{reply.text}", buttons=reply.buttons)

    async def _screen(self, draft: Draft, scope: Scope, now: datetime) -> Reply:
        audience = parse_audience(draft.audience)
        step = draft.step
        description = self._describe(audience)
        if step is DraftStep.COMMUNES:
            return await self._communes_screen(draft, audience)
        if step is DraftStep.AUDIENCE:
            return await self._audience_screen(draft, audience, scope, now)
        if step is DraftStep.AUDIENCE_TEXT:
            data = {"admin": scope.communes is None, "description": description}
            return self._with_back(
                draft, Reply(self.renderer.text("broadcast/step_audience_text", data))
            )
        if step is DraftStep.MESSAGE:
            fields = {name: self.renderer.label(f"broadcast.field.{name}") for name in FIELDS}
            data = {"description": description, "fields": fields, "template": draft.template}
            buttons = [self._button(draft, "broadcast.back", "back")]
            if draft.template:
                buttons.insert(0, self._button(draft, "broadcast.keep_message", "keep"))
            buttons.append(self._button(draft, "broadcast.drop", "drop"))
            return Reply(self.renderer.text("broadcast/step_message", data), tuple(buttons))
        if step is DraftStep.WHEN_TEXT:
            example = (now.astimezone(self.tz) + timedelta(days=1)).replace(hour=9, minute=30)
            text = self.renderer.text(
                "broadcast/step_when_text", {"example": example.strftime("%d/%m/%Y %H:%M")}
            )
            return self._with_back(draft, Reply(text))
        try:
            preview = await self.service.preview(draft.audience, draft.template, scope, now)
        except TemplateError as exc:
            note = self.renderer.text("broadcast/refused", {"why": str(exc)})
            return await self._move(draft, DraftStep.MESSAGE, scope, now, note)
        except (AudienceError, BroadcastError) as exc:
            note = self.renderer.text("broadcast/refused", {"why": refusal(self.renderer, exc)})
            return await self._move(draft, DraftStep.AUDIENCE, scope, now, note)
        if step is DraftStep.PREVIEW:
            return self._preview_screen(draft, preview)
        if step is DraftStep.WHEN:
            return self._when_screen(draft, preview)
        return await self._confirm_screen(draft, preview, description, scope, now)

    async def _communes_screen(self, draft: Draft, audience: Audience) -> Reply:
        communes = await self.drafts.communes(_MAX_PLACES)
        chosen = set(audience.commune_keys)
        buttons = [
            self._toggle(draft, place.name, place.key in chosen, "x", short_id(place.key))
            for place in communes
        ]
        label = self.renderer.label("broadcast.all_communes")
        buttons.append(self._toggle(draft, label, audience.all_communes, "xa"))
        buttons.append(self._button(draft, "broadcast.next", "next"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        every = self.renderer.label("broadcast.every_commune")
        names = every if audience.all_communes else ", ".join(audience.communes)
        text = self.renderer.text(
            "broadcast/step_communes", {"chosen": names, "communes": communes}
        )
        return Reply(text, tuple(buttons))

    async def _audience_screen(
        self, draft: Draft, audience: Audience, scope: Scope, now: datetime
    ) -> Reply:
        why, counted = "", None
        try:
            counted = await self._count(draft.audience, scope, now)
        except (AudienceError, BroadcastError) as exc:
            why = refusal(self.renderer, exc)
        chosen_villages = set(audience.village_keys)
        buttons = [
            self._toggle(draft, place.name, place.key in chosen_villages, "v", short_id(place.key))
            for place in await self._villages(audience, scope)
        ]
        for code, rule in CARD_CHOICES.items():
            label = self.renderer.label(f"broadcast.card.{code}")
            buttons.append(self._toggle(draft, label, audience.card == rule, "c", code))
        for interest in INTERESTS:
            name = self.renderer.label(interest_label(interest))
            label = self.renderer.label("broadcast.interest", {"name": name})
            buttons.append(self._toggle(draft, label, audience.interest == interest, "i", interest))
        for linked, key in ((True, "linked"), (False, "unlinked")):
            label = self.renderer.label(f"broadcast.{key}")
            buttons.append(
                self._toggle(draft, label, audience.linked is linked, "l", str(int(linked)))
            )
        buttons.append(self._button(draft, "broadcast.everyone", "all"))
        if _private(draft):
            buttons.append(self._button(draft, "broadcast.type_audience", "type"))
        if scope.communes is None:
            buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.next", "next"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        text = self.renderer.text(
            "broadcast/step_audience",
            {
                "description": self._describe(audience),
                "why": why,
                "recipients": counted.recipients if counted else 0,
                "left_out": counted.left_out if counted else 0,
                "private": _private(draft),
            },
        )
        return Reply(text, tuple(buttons))

    def _preview_screen(self, draft: Draft, preview: Preview) -> Reply:
        data = {
            "p": preview,
            "audience": self._describe(preview.audience),
            "communes": (),  # the description names the communes already
            "step": 3,
        }
        buttons = []
        if preview.recipients:
            buttons.append(self._button(draft, "broadcast.next", "go"))
        if _private(draft):
            buttons.append(self._button(draft, "broadcast.edit_message", "msg"))
        buttons.append(self._button(draft, "broadcast.edit_audience", "aud"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(self.renderer.text("broadcast/step_preview", data), tuple(buttons))

    def _when_screen(self, draft: Draft, preview: Preview) -> Reply:
        opens, closes = self.service.sending_hours
        text = self.renderer.text(
            "broadcast/step_when",
            {"recipients": preview.recipients, "opens": opens, "closes": closes},
        )
        buttons = [
            self._button(draft, "broadcast.send_now", "now"),
            self._button(draft, "broadcast.send_morning", "morning", {"hour": opens}),
            self._button(draft, "broadcast.send_urgent", "urgent"),
        ]
        if _private(draft):
            buttons.append(self._button(draft, "broadcast.send_other", "other"))
        buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(text, tuple(buttons))

    async def _confirm_screen(
        self, draft: Draft, preview: Preview, description: str, scope: Scope, now: datetime
    ) -> Reply:
        try:
            start = self.service.start_time(draft.send_at, now, urgent=draft.urgent)
        except BroadcastError as exc:
            note = self.renderer.text("broadcast/refused", {"why": str(exc)})
            return await self._move(draft, DraftStep.WHEN, scope, now, note)
        asked = max(draft.send_at or now, now)
        text = self.renderer.text(
            "broadcast/step_confirm",
            {
                "description": description,
                "recipients": preview.recipients,
                "start": start.astimezone(self.tz),
                "moved": start > asked + timedelta(minutes=1),
                "urgent": draft.urgent,
            },
        )
        urgency = "broadcast.urgent_off" if draft.urgent else "broadcast.urgent_on"
        buttons = (
            self._button(draft, "broadcast.confirm", "ok"),
            self._button(draft, urgency, "urg"),
            self._button(draft, "broadcast.change_time", "back"),
            self._button(draft, "broadcast.drop", "drop"),
        )
        return Reply(text, buttons)

    # --- helpers ----------------------------------------------------------------------------

    async def _count(self, audience_text: str, scope: Scope, now: datetime) -> Preview:
        """Count an audience within the scope (raises AudienceError if it is not allowed)."""
        return await self.service.preview(audience_text, None, scope, now)

    async def _villages(self, audience: Audience, scope: Scope) -> list[Place]:
        """Return the villages offered as buttons: those of the one commune in play."""
        if scope.communes is not None:
            keys = tuple(scope.communes)
        elif audience.all_communes:
            keys = ()
        else:
            keys = audience.commune_keys
        if len(keys) != 1:
            return []
        return await self.drafts.villages(keys[0], _MAX_PLACES)

    def _describe(self, audience: Audience) -> str:
        interests = {key: self.renderer.label(interest_label(key)) for key in INTERESTS}
        return self.renderer.text("broadcast/audience", {"a": audience, "interests": interests})

    def _payload(self, draft: Draft, action: str, arg: str = "") -> str:
        payload = f"{DRAFT_PREFIX}{draft.token}:{_CODES[draft.step]}:{action}"
        return f"{payload}:{arg}" if arg else payload

    def _button(
        self, draft: Draft, label: str, action: str, args: dict[str, object] | None = None
    ) -> Button:
        return Button(self.renderer.label(label, args), self._payload(draft, action))

    def _toggle(self, draft: Draft, label: str, on: bool, action: str, arg: str = "") -> Button:
        shown = self.renderer.label("broadcast.chosen", {"label": label}) if on else label
        return Button(shown, self._payload(draft, action, arg))

    def _with_back(self, draft: Draft, reply: Reply) -> Reply:
        """Add "back" (where the step has one) and "drop" under a reply."""
        buttons = list(reply.buttons)
        if draft.step in _BACK:
            buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(reply.text, tuple(buttons))

    def _refused(self, why: str) -> Reply:
        return Reply(self.renderer.text("broadcast/refused", {"why": why}))


def _find(places: list[Place], wanted: str) -> Place | None:
    return next((place for place in places if short_id(place.key) == wanted), None)


def _without_villages(audience: Audience) -> Audience:
    """Villages belong to one commune: changing the communes drops them."""
    return replace(audience, villages=())
