"""The /broadcast screens: a draft and the figures loaded for its step in, a reply out.

Drawing reads nothing: the flow loads what the step shows (places, the count, the preview,
the start time) into `Shown` first. Texts are templates under messages/vi/broadcast/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.audience import Audience, parse_audience
from bot.core.hours import SendingHours
from bot.core.interests import INTERESTS, interest_label
from bot.core.types import Button, Reply
from bot.officers.broadcasts.choices import CARD_CHOICES, short_id
from bot.officers.broadcasts.service import Preview, refusal
from bot.officers.broadcasts.steps import BACK, CODES, DRAFT_PREFIX, Note, is_private
from bot.officers.broadcasts.template import FIELDS
from bot.render import Renderer
from bot.store.drafts import Draft, DraftStep, Place

__all__ = ["Screens", "Shown"]


@dataclass(frozen=True, slots=True)
class Shown:
    """What the draft's step shows, loaded by the flow."""

    admin: bool
    """The officer may choose communes (an administrator)."""
    now: datetime
    communes: tuple[Place, ...] = ()
    villages: tuple[Place, ...] = ()
    counted: Preview | None = None
    """The audience step's count (None when counting was refused, see `why`)."""
    why: str = ""
    preview: Preview | None = None
    """The preview, when, and confirm steps' preview."""
    start: datetime | None = None
    """When the confirmed broadcast would start (the confirm step)."""


class Screens:
    """Draws each step of a draft, with its buttons."""

    def __init__(self, renderer: Renderer, tz: ZoneInfo, hours: SendingHours) -> None:
        self.renderer = renderer
        self.tz = tz
        self.hours = hours

    def note(self, note: Note) -> str:
        """Render a note's line."""
        why = refusal(self.renderer, note.error) if note.error is not None else ""
        return self.renderer.text(f"broadcast/{note.name}", {"why": why})

    def draw(self, draft: Draft, shown: Shown, note: Note | None = None) -> Reply:
        """Render the draft's current step, with `note` (a refusal, a stale button) on top."""
        reply = self._screen(draft, shown)
        if note is None:
            return reply
        return Reply(f"{self.note(note)}\n\n{reply.text}", buttons=reply.buttons)

    def alone(self, note: Note, draft: Draft | None = None) -> Reply:
        """Render a note alone; with a draft, under it the step's back and drop buttons."""
        if draft is None:
            return Reply(self.note(note))
        return self._with_back(draft, Reply(self.note(note)))

    def _screen(self, draft: Draft, shown: Shown) -> Reply:
        audience = parse_audience(draft.audience)
        step = draft.step
        if step is DraftStep.COMMUNES:
            return self._communes(draft, audience, shown)
        if step is DraftStep.AUDIENCE:
            return self._audience(draft, audience, shown)
        if step is DraftStep.AUDIENCE_TEXT:
            data = {"admin": shown.admin, "description": self.describe(audience)}
            return self._with_back(
                draft, Reply(self.renderer.text("broadcast/step_audience_text", data))
            )
        if step is DraftStep.MESSAGE:
            return self._message(draft, audience)
        if step is DraftStep.WHEN_TEXT:
            example = (shown.now.astimezone(self.tz) + timedelta(days=1)).replace(hour=9, minute=30)
            text = self.renderer.text(
                "broadcast/step_when_text", {"example": example.strftime("%d/%m/%Y %H:%M")}
            )
            return self._with_back(draft, Reply(text))
        assert shown.preview is not None, "the flow loads the preview for the later steps"
        if step is DraftStep.PREVIEW:
            return self._preview(draft, shown.preview)
        if step is DraftStep.WHEN:
            return self._when(draft, shown.preview)
        assert shown.start is not None, "the flow computes the start for the confirm step"
        return self._confirm(draft, audience, shown.preview, shown.start, shown.now)

    def _communes(self, draft: Draft, audience: Audience, shown: Shown) -> Reply:
        chosen = set(audience.commune_keys)
        buttons = [
            self._toggle(draft, place.name, place.key in chosen, "x", short_id(place.key))
            for place in shown.communes
        ]
        label = self.renderer.label("broadcast.all_communes")
        buttons.append(self._toggle(draft, label, audience.all_communes, "xa"))
        label = self.renderer.label("broadcast.unknown_communes")
        buttons.append(self._toggle(draft, label, audience.unknown_commune, "xu"))
        buttons.append(self._button(draft, "broadcast.next", "next"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        if audience.all_communes:
            names = self.renderer.label("broadcast.every_commune")
        elif audience.unknown_commune:
            names = self.renderer.label("broadcast.unknown_commune")
        else:
            names = ", ".join(audience.communes)
        text = self.renderer.text(
            "broadcast/step_communes", {"chosen": names, "communes": shown.communes}
        )
        return Reply(text, tuple(buttons))

    def _audience(self, draft: Draft, audience: Audience, shown: Shown) -> Reply:
        chosen_villages = set(audience.village_keys)
        buttons = [
            self._toggle(draft, place.name, place.key in chosen_villages, "v", short_id(place.key))
            for place in shown.villages
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
        if is_private(draft):
            buttons.append(self._button(draft, "broadcast.type_audience", "type"))
        if shown.admin:
            buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.next", "next"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        counted = shown.counted
        text = self.renderer.text(
            "broadcast/step_audience",
            {
                "description": self.describe(audience),
                "why": shown.why,
                "recipients": counted.recipients if counted else 0,
                "left_out": counted.left_out if counted else 0,
                "private": is_private(draft),
            },
        )
        return Reply(text, tuple(buttons))

    def _message(self, draft: Draft, audience: Audience) -> Reply:
        fields = {name: self.renderer.label(f"broadcast.field.{name}") for name in FIELDS}
        data = {
            "description": self.describe(audience),
            "fields": fields,
            "template": draft.template,
        }
        buttons = [self._button(draft, "broadcast.back", "back")]
        if draft.template:
            buttons.insert(0, self._button(draft, "broadcast.keep_message", "keep"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(self.renderer.text("broadcast/step_message", data), tuple(buttons))

    def _preview(self, draft: Draft, preview: Preview) -> Reply:
        data = {
            "p": preview,
            "audience": self.describe(preview.audience),
            "communes": (),  # the description names the communes already
            "step": 3,
        }
        buttons = []
        if preview.recipients:
            buttons.append(self._button(draft, "broadcast.next", "go"))
        if is_private(draft):
            buttons.append(self._button(draft, "broadcast.edit_message", "msg"))
        buttons.append(self._button(draft, "broadcast.edit_audience", "aud"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(self.renderer.text("broadcast/step_preview", data), tuple(buttons))

    def _when(self, draft: Draft, preview: Preview) -> Reply:
        opens, closes = self.hours.start, self.hours.end
        text = self.renderer.text(
            "broadcast/step_when",
            {"recipients": preview.recipients, "opens": opens, "closes": closes},
        )
        buttons = [
            self._button(draft, "broadcast.send_now", "now"),
            self._button(draft, "broadcast.send_morning", "morning", {"hour": opens}),
            self._button(draft, "broadcast.send_urgent", "urgent"),
        ]
        if is_private(draft):
            buttons.append(self._button(draft, "broadcast.send_other", "other"))
        buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(text, tuple(buttons))

    def _confirm(
        self, draft: Draft, audience: Audience, preview: Preview, start: datetime, now: datetime
    ) -> Reply:
        asked = max(draft.send_at or now, now)
        text = self.renderer.text(
            "broadcast/step_confirm",
            {
                "description": self.describe(audience),
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

    def describe(self, audience: Audience) -> str:
        """Describe an audience in words."""
        interests = {key: self.renderer.label(interest_label(key)) for key in INTERESTS}
        return self.renderer.text("broadcast/audience", {"a": audience, "interests": interests})

    def _payload(self, draft: Draft, action: str, arg: str = "") -> str:
        payload = f"{DRAFT_PREFIX}{draft.token}:{CODES[draft.step]}:{action}"
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
        if draft.step in BACK:
            buttons.append(self._button(draft, "broadcast.back", "back"))
        buttons.append(self._button(draft, "broadcast.drop", "drop"))
        return Reply(reply.text, tuple(buttons))
