"""The /broadcast steps, pure: the officer's draft and one event in, what to do next out.

`decide(event, context)` reads no database and no clock. The flow (flow.py) loads the
context — the stored draft, the places the buttons offer, the time — applies the outcome
(store or drop the draft, create the broadcast) and draws the screen (screens.py).

Buttons carry `off:bc:d:<token>:<step>:<action>[:<arg>]` (at most 64 bytes, Telegram's
limit): the token names the officer's draft, so a button of an older draft or of someone
else's answers that the draft is gone; the step names the screen, so a button of an earlier
screen shows where the draft is now. Three steps wait for typed text (a condition, the
message, a time).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.audience import (
    Audience,
    AudienceError,
    Scope,
    parse_audience,
    scoped,
)
from bot.core.dialog.privacy import CANCEL_WORDS
from bot.core.hours import SendingHours
from bot.core.interests import INTERESTS
from bot.core.text import fold
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
    toggle_unknown_communes,
    toggle_village,
)
from bot.officers.broadcasts.template import TemplateError, compile_template
from bot.reasons import Refused
from bot.store.drafts import Draft, DraftStep, Place

__all__ = [
    "BACK",
    "CODES",
    "DRAFT_PREFIX",
    "Confirm",
    "Context",
    "Event",
    "Note",
    "Outcome",
    "Press",
    "Say",
    "Show",
    "Start",
    "Typed",
    "decide",
    "is_private",
    "village_commune",
]

DRAFT_PREFIX = "off:bc:d:"
CODES = {
    DraftStep.COMMUNES: "x",
    DraftStep.AUDIENCE: "a",
    DraftStep.AUDIENCE_TEXT: "t",
    DraftStep.MESSAGE: "m",
    DraftStep.PREVIEW: "p",
    DraftStep.WHEN: "w",
    DraftStep.WHEN_TEXT: "h",
    DraftStep.CONFIRM: "c",
}
"""The short name of each step in a button payload."""
BACK = {
    DraftStep.AUDIENCE_TEXT: DraftStep.AUDIENCE,
    DraftStep.MESSAGE: DraftStep.AUDIENCE,
    DraftStep.WHEN: DraftStep.PREVIEW,
    DraftStep.WHEN_TEXT: DraftStep.WHEN,
    DraftStep.CONFIRM: DraftStep.WHEN,
}
"""Where "back" leads from the steps that have one."""
_EVERYONE = frozenset({"", "-", "*", "tat ca"})


# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Start:
    """`/broadcast [audience[⏎message]]` sent in `chat_id`; `token` names the new draft."""

    args: str
    chat_id: str
    token: str


@dataclass(frozen=True, slots=True)
class Press:
    """A button of a draft screen."""

    payload: str


@dataclass(frozen=True, slots=True)
class Typed:
    """Text the officer typed while their draft waits for it."""

    text: str


Event = Start | Press | Typed


@dataclass(frozen=True, slots=True)
class Context:
    """What a decision may look at, loaded by the flow before it decides."""

    actor: str
    scope: Scope
    draft: Draft | None
    now: datetime
    hours: SendingHours
    communes: tuple[Place, ...] = ()
    """The communes offered as buttons (loaded at the communes step)."""
    villages: tuple[Place, ...] = ()
    """The villages offered as buttons (loaded at the audience step)."""


# --- outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """A line shown above a screen or alone: the template `broadcast/<name>`, with the
    refusal that says why (rendered by the screens)."""

    name: str
    error: Exception | None = None


@dataclass(frozen=True, slots=True)
class Show:
    """Store `draft` (when `save`) and show its step, with `note` on top."""

    draft: Draft
    note: Note | None = None
    save: bool = True


@dataclass(frozen=True, slots=True)
class Say:
    """Answer with `note` alone; `draft` adds its back and drop buttons (stored when `save`).

    With `drop`, the officer's draft is removed first.
    """

    note: Note
    draft: Draft | None = None
    save: bool = False
    drop: bool = False


@dataclass(frozen=True, slots=True)
class Confirm:
    """Remove the draft and create its broadcast."""

    draft: Draft


Outcome = Show | Say | Confirm


# --- the decision -----------------------------------------------------------------------


def decide(event: Event, context: Context) -> Outcome:
    """Return what to do with one event of the /broadcast flow."""
    if isinstance(event, Start):
        return _start(event, context)
    if isinstance(event, Press):
        return _press(event.payload, context)
    return _typed(event.text, context)


def is_private(draft: Draft) -> bool:
    """Tell whether the draft lives in the officer's own chat (typed steps work only there)."""
    return draft.chat_id == draft.actor


def village_commune(audience: Audience, scope: Scope) -> str | None:
    """Return the one commune whose villages the audience step offers, if there is one."""
    if scope.communes is not None:
        keys = tuple(scope.communes)
    elif audience.all_communes or audience.unknown_commune:
        keys = ()
    else:
        keys = audience.commune_keys
    return keys[0] if len(keys) == 1 else None


def not_past(at: datetime, now: datetime) -> None:
    """Refuse a start time more than a minute ago."""
    if at < now - timedelta(minutes=1):
        raise Refused("broadcast.why.past")


def _start(event: Start, context: Context) -> Outcome:
    draft = Draft(context.actor, event.token, event.chat_id, DraftStep.AUDIENCE)
    first, _, message = event.args.partition("\n")
    if not message.strip() and not is_private(draft):
        return Say(Note("private_only"))
    if not event.args.strip():
        if context.scope.communes is None:
            draft = replace(draft, step=DraftStep.COMMUNES)
        return Show(draft)
    wanted = first.strip()
    try:
        audience = _checked("" if fold(wanted) in _EVERYONE else wanted, context.scope)
    except (AudienceError, Refused) as exc:
        return Say(Note("refused", exc))
    draft = replace(draft, step=DraftStep.MESSAGE, audience=audience.text())
    if not message.strip():
        return Show(draft)
    return _take_message(draft, message, context)


def _press(payload: str, context: Context) -> Outcome:
    parts = payload.removeprefix(DRAFT_PREFIX).split(":", 3)
    token, code, action, arg = (*parts, "", "", "")[:4]
    draft = context.draft
    if draft is None or draft.token != token:
        return Say(Note("gone"))
    if action == "drop":
        return Say(Note("dropped"), drop=True)
    stale = Show(draft, Note("stale"), save=False)
    if CODES[draft.step] != code:
        return stale
    step = draft.step
    if action == "back" and step in BACK:
        return Show(replace(draft, step=BACK[step]))
    if step is DraftStep.COMMUNES:
        return _press_communes(draft, action, arg, context)
    if step is DraftStep.AUDIENCE:
        return _press_audience(draft, action, arg, context) or stale
    if step is DraftStep.MESSAGE and action == "keep" and draft.template:
        return Show(replace(draft, step=DraftStep.PREVIEW))
    if step is DraftStep.PREVIEW:
        steps = {"go": DraftStep.WHEN, "msg": DraftStep.MESSAGE, "aud": DraftStep.AUDIENCE}
        if action in steps:
            return Show(replace(draft, step=steps[action]))
    if step is DraftStep.WHEN:
        return _press_when(draft, action, context) or stale
    if step is DraftStep.CONFIRM:
        if action == "urg":
            return Show(replace(draft, urgent=not draft.urgent))
        if action == "ok":
            return Confirm(draft)
    return stale


def _press_communes(draft: Draft, action: str, arg: str, context: Context) -> Outcome:
    audience = parse_audience(draft.audience)
    if action == "next":
        if not audience.communes and not audience.all_communes and not audience.unknown_commune:
            return Show(draft, Note("pick_commune"), save=False)
        return Show(replace(draft, step=DraftStep.AUDIENCE))
    if action == "xa":
        audience = toggle_all_communes(audience)
    elif action == "xu":
        audience = toggle_unknown_communes(audience)
    elif action == "x":
        place = _find(context.communes, arg)
        if place is not None:
            audience = toggle_commune(audience, place.name)
    # villages belong to one commune: changing the communes drops them
    return Show(replace(draft, audience=replace(audience, villages=()).text()))


def _press_audience(draft: Draft, action: str, arg: str, context: Context) -> Outcome | None:
    audience = parse_audience(draft.audience)
    if action == "next":
        return Show(replace(draft, step=DraftStep.MESSAGE))
    if action == "back" and context.scope.communes is None:
        return Show(replace(draft, step=DraftStep.COMMUNES))
    if action == "type" and is_private(draft):
        return Show(replace(draft, step=DraftStep.AUDIENCE_TEXT))
    if action == "v":
        place = _find(context.villages, arg)
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
    else:
        return None
    return Show(replace(draft, audience=audience.text()))


def _press_when(draft: Draft, action: str, context: Context) -> Outcome | None:
    if action == "other" and is_private(draft):
        return Show(replace(draft, step=DraftStep.WHEN_TEXT))
    if action == "morning":
        at = context.hours.next_day_opening(context.now)
        return Show(replace(draft, step=DraftStep.CONFIRM, send_at=at, urgent=False))
    if action in ("now", "urgent"):
        urgent = action == "urgent"
        return Show(replace(draft, step=DraftStep.CONFIRM, send_at=None, urgent=urgent))
    return None


def _typed(text: str, context: Context) -> Outcome:
    draft = context.draft
    if draft is None or not draft.step.awaits_text:
        return Say(Note("gone"))
    if fold(text) in CANCEL_WORDS:
        return Say(Note("dropped"), drop=True)
    if draft.step is DraftStep.MESSAGE:
        return _take_message(draft, text, context)
    if draft.step is DraftStep.AUDIENCE_TEXT:
        try:
            audience = merge_typed(parse_audience(draft.audience), text)
            scoped(audience, context.scope)
        except (AudienceError, Refused) as exc:
            return Show(draft, Note("refused", exc), save=False)
        return Show(replace(draft, step=DraftStep.AUDIENCE, audience=audience.text()))
    try:
        at = parse_local_time(text, context.hours.tz)
        not_past(at, context.now)
    except (TimeError, Refused) as exc:
        return Say(Note("time_refused", exc), draft)
    return Show(replace(draft, step=DraftStep.CONFIRM, send_at=at, urgent=False))


def _take_message(draft: Draft, text: str, context: Context) -> Outcome:
    """Check a typed message: on to the preview if it is usable, else the reason."""
    try:
        _checked(draft.audience, context.scope)
    except (AudienceError, Refused) as exc:
        return Show(replace(draft, step=DraftStep.AUDIENCE), Note("refused", exc))
    try:
        compile_template(text)
    except TemplateError as exc:
        if not is_private(draft):
            return Say(Note("refused", exc))
        at_message = replace(draft, step=DraftStep.MESSAGE)
        return Say(Note("template_refused", exc), at_message, save=True)
    return Show(replace(draft, step=DraftStep.PREVIEW, template=text.strip()))


def _checked(audience_text: str, scope: Scope) -> Audience:
    """Parse an audience and check it lies within the officer's scope."""
    audience = parse_audience(audience_text)
    scoped(audience, scope)
    return audience


def _find(places: tuple[Place, ...], wanted: str) -> Place | None:
    return next((place for place in places if short_id(place.key) == wanted), None)
