"""Which messages are an officer's: the one door between every channel and the officers' desk.

Channel-neutral. An adapter hands each `Incoming` to `OfficerRouter.route` first and sends
what comes back; `None` means the message is a resident's, and the residents' engine answers
it. The precedence, first match wins:

1. a button of the officers' side (`off:…`) → the desk; another button in a group → ignored;
2. a file from an officer or administrator → the list import; from anyone else in a group →
   ignored (a resident's file in private goes to the engine);
3. `/start cb-…` → an officer's invitation;
4. an officer command (/export, /stats, /moi, /broadcast, /broadcasts) → the desk, which
   refuses and audits anyone who is not an officer;
5. on a channel without buttons (Zalo), a typed number or label of the officer choices last
   shown in that chat → that choice;
6. in private, text (or /huy) while the officer's broadcast draft waits for typed text →
   the draft;
7. anything else in a group → ignored, except /id (the engine answers who is asking).
"""

from __future__ import annotations

from pathlib import Path

from bot.clock import Clock
from bot.core.accounts import TYPED_CHOICES, Account
from bot.core.choices import resolve
from bot.core.officer import FileSource, OfficerAnswer
from bot.core.types import FileRef, Incoming, Kind
from bot.officers.desk import COMMANDS, Actor, OfficerDesk, Upload

__all__ = ["IGNORED", "FileSource", "OfficerRouter", "actor_of"]

IGNORED = OfficerAnswer()
"""Nothing to send: the message was not for Loa (a resident's button or file in a group)."""
GROUP_COMMAND = "id"
"""The one residents' command answered in a group: who am I, and which group is this."""
DRAFT_CANCEL = "huy"


def actor_of(incoming: Incoming) -> Actor:
    """Return who acts in a message, and in which chat (a group's id differs from theirs)."""
    return Actor(
        Account(incoming.channel, incoming.sender_id),
        incoming.display_name,
        Account(incoming.channel, incoming.reply_to),
    )


class OfficerRouter:
    """Decides which messages the officers' desk answers, on every channel alike."""

    def __init__(self, desk: OfficerDesk, clock: Clock) -> None:
        self.desk = desk
        self.clock = clock

    async def route(
        self, incoming: Incoming, files: FileSource | None = None
    ) -> OfficerAnswer | None:
        """Return the officers' answer to `incoming`, or None when it is a resident's."""
        answer = await self._route(incoming, files)
        if answer is not None and incoming.channel in TYPED_CHOICES:
            await self._remember_choices(actor_of(incoming).chat, answer)
        return answer

    async def _route(self, incoming: Incoming, files: FileSource | None) -> OfficerAnswer | None:
        desk = self.desk
        now = self.clock.now()
        actor = actor_of(incoming)
        kind = incoming.kind
        if kind is Kind.BUTTON:
            if desk.is_button(incoming.text):
                return await desk.button(actor, incoming.text, now)
            return IGNORED if actor.in_group else None
        if kind is Kind.DOCUMENT and incoming.file is not None:
            if not (await desk.who(actor.account)).known:
                return IGNORED if actor.in_group else None
            return await desk.import_list(actor, _upload(incoming.file, files), now)
        if kind is Kind.COMMAND and incoming.command == "start" and desk.is_invite(incoming.text):
            return await desk.redeem(actor, incoming.text.strip(), now)
        if kind is Kind.COMMAND and incoming.command in COMMANDS:
            return await desk.command(actor, incoming.command, incoming.text, now)
        if not actor.in_group:
            return await self._typed(actor, incoming)
        if kind is Kind.COMMAND and incoming.command == GROUP_COMMAND:
            return None
        return IGNORED

    async def _typed(self, actor: Actor, incoming: Incoming) -> OfficerAnswer | None:
        """Route private text: a typed choice, then a draft's typed step; else the engine's."""
        desk = self.desk
        now = self.clock.now()
        officers = desk.store.officers
        if incoming.kind is Kind.TEXT and incoming.channel in TYPED_CHOICES:
            shown = await officers.shown_choices(actor.chat, now)
            picked = resolve(incoming.text, shown)
            if picked is not None:
                return await desk.button(actor, picked.payload, now)
        cancel = incoming.kind is Kind.COMMAND and incoming.command == DRAFT_CANCEL
        if (incoming.kind is Kind.TEXT or cancel) and await desk.awaits_text(actor.account, now):
            return await desk.text(actor, "/huy" if cancel else incoming.text, now)
        if incoming.channel in TYPED_CHOICES:
            await officers.forget_choices(actor.chat)  # the person moved on to residents' things
        return None

    async def _remember_choices(self, chat: Account, answer: OfficerAnswer) -> None:
        """Keep the choices an answer shows in a chat without buttons (or forget old ones)."""
        if answer is IGNORED:
            return
        officers = self.desk.store.officers
        if answer.reply is not None and answer.reply.buttons:
            await officers.show_choices(chat, answer.reply.buttons, self.clock.now())
        elif answer.reply is not None:
            await officers.forget_choices(chat)


def _upload(ref: FileRef, files: FileSource | None) -> Upload:
    """Describe a sent file for the desk, with the channel's way to fetch it."""

    async def download(path: Path) -> None:
        assert files is not None, "a channel that receives files can fetch them"
        await files.download(ref, path)

    limit = files.file_limit if files is not None else 0
    return Upload(ref.file_name, ref.size, limit, download)
