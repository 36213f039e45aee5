"""The officers' side: new-registration notices with status buttons, /export and invitations.

Channel-neutral: a channel turns an officer's command or button press into a call here and
sends back the `OfficerAnswer`. Only administrators (ADMIN_IDS) and officers may act;
officers see their own commune only. Every action and every refused attempt is audited.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
import tempfile
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.broadcasts.desk import PREFIX as BROADCAST_PREFIX
from bot.broadcasts.desk import BroadcastDesk
from bot.core.audience import Scope
from bot.core.integers import row_id
from bot.core.phones import display_phone
from bot.core.places import display_place, place_key
from bot.core.types import Button, Reply
from bot.exporting import FORMATS, export_bytes
from bot.importing.columns import MissingColumns
from bot.importing.limits import CHAT_LIMITS, ListTooLarge
from bot.importing.reader import UnsupportedFile
from bot.importing.service import Commune, ImportReport, import_residents
from bot.render import Renderer, format_date
from bot.stats import collect, stats_chart, summary
from bot.store import Store
from bot.store.officers import Officer
from bot.store.registrations import RegistrationStatus, Saved

__all__ = [
    "COMMANDS",
    "INVITE_PREFIX",
    "Actor",
    "Document",
    "LogNotifier",
    "Notifier",
    "OfficerAnswer",
    "OfficerDesk",
    "RelayNotifier",
    "Upload",
]

log = logging.getLogger(__name__)

COMMANDS = frozenset({"export", "moi", "broadcast", "broadcasts", "stats"})
"""Officer commands; anyone else who sends them is refused and audited."""
_LISTED_REJECTIONS = 30
_FILED_REJECTIONS = 1_000  # rows in the rejected-rows file; a line counts the rest
_MB = 1024 * 1024  # sizes of Loa's own limits
_DECIMAL_MB = 1000 * 1000  # channels state download limits in decimal megabytes (Telegram: 20 MB)
_MAX_NAME_BYTES = 255  # the longest file name most file systems accept
INVITE_PREFIX = "cb-"
BUTTON_PREFIX = "off:"
INVITE_LIFETIME = timedelta(days=7)
_STATUS_BUTTONS = (
    RegistrationStatus.CONTACTED,
    RegistrationStatus.JOINED,
    RegistrationStatus.DECLINED,
)


class Notifier(Protocol):
    """Sends one rendered message to a chat (an officer group, an admin)."""

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send `reply` to `chat_id`."""
        ...


class LogNotifier:
    """Sends nothing: logs that a notice was due (for the terminal demo and tests)."""

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Log the notice's destination only (no personal data)."""
        log.info("officer notice for chat %s not sent: no channel is running", chat_id)


class RelayNotifier:
    """Forwards to the running channel once it is attached; logs until then."""

    def __init__(self) -> None:
        self.target: Notifier = LogNotifier()

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send through the attached channel."""
        await self.target.notify(chat_id, reply)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: their user id, name, the chat they act in, and whether it is a group."""

    user_id: int
    name: str
    chat_id: str
    in_group: bool = False


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send: name, bytes and caption."""

    name: str
    content: bytes
    caption: str


@dataclass(frozen=True, slots=True)
class Upload:
    """A file an officer sent, not downloaded yet: what the channel says about it.

    `size` is None when the channel does not say; `limit` is the largest file the channel
    lets the bot download; `download` writes the file to the path it is given.
    """

    name: str
    size: int | None
    limit: int
    download: Callable[[Path], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class OfficerAnswer:
    """What to send back: a message, a file, and a short button acknowledgement."""

    reply: Reply | None = None
    document: Document | None = None
    toast: str = ""
    photo: Document | None = None
    replaces: bool = False  # the reply takes the place of the message whose button was pressed


class OfficerDesk:
    """Serves officers and administrators; refuses and audits everyone else."""

    def __init__(
        self,
        store: Store,
        renderer: Renderer,
        notifier: Notifier,
        *,
        admin_ids: Collection[int],
        fallback_chat: str,
        tz: ZoneInfo,
        broadcasts: BroadcastDesk | None = None,
    ) -> None:
        self.store = store
        self.renderer = renderer
        self.notifier = notifier
        self.admin_ids = frozenset(admin_ids)
        self.fallback_chat = fallback_chat
        self.tz = tz
        self.broadcasts = broadcasts

    async def announce(self, saved: Saved, now: datetime) -> None:
        """Post a saved registration to its commune's chat (else OFFICER_CHAT_ID)."""
        registration = saved.registration
        chat = await self.store.officers.chat_for(registration.commune_key) or self.fallback_chat
        if not chat:
            log.warning("no officer chat for %s: set OFFICER_CHAT_ID", registration.reference)
            return
        text = self.renderer.text(
            "officer/new_registration",
            {
                "r": registration,
                "merged": saved.merged,
                "phone": _phone(registration.phone),
                "date": format_date(registration.created_at.astimezone(self.tz)),
            },
        )
        buttons = tuple(
            Button(
                self.renderer.label(f"officer.{status.value}"),
                f"{BUTTON_PREFIX}status:{registration.id}:{status.value}",
            )
            for status in _STATUS_BUTTONS
        )
        await self.notifier.notify(chat, Reply(text=text, buttons=buttons))

    async def scope(self, user_id: int) -> tuple[bool, Officer | None]:
        """Return (is administrator, officer record) for a user."""
        return user_id in self.admin_ids, await self.store.officers.get(user_id)

    async def command(
        self, actor: Actor, command: str, args: str, now: datetime, *, bot_username: str = ""
    ) -> OfficerAnswer:
        """Run /export [xlsx|csv] [commune] or /moi <commune> for an allowed actor."""
        admin, officer = await self.scope(actor.user_id)
        if not admin and officer is None:
            return await self._refuse(actor, command, now)
        if not await self._chat_allowed(actor, admin, officer):
            return await self._refuse_here(actor, command, now)
        if command == "export":
            return await self._export(actor, admin, officer, args, now)
        if command == "moi" and admin:
            return await self._invite(actor, args, now, bot_username)
        if command == "stats":
            return await self._stats(admin, officer, now)
        if command in ("broadcast", "broadcasts") and self.broadcasts is not None:
            scope = _scope(admin, officer)
            reply = await self.broadcasts.command(
                actor.user_id, actor.chat_id, scope, command, args, now
            )
            return OfficerAnswer(reply=reply)
        return await self._refuse(actor, command, now)

    async def awaits_text(self, user_id: int, now: datetime) -> bool:
        """Tell whether the user's next private message belongs to their broadcast draft."""
        return self.broadcasts is not None and await self.broadcasts.awaits_text(user_id, now)

    async def text(self, actor: Actor, text: str, now: datetime) -> OfficerAnswer:
        """Take text an officer typed for their broadcast draft (a condition, message, time)."""
        admin, officer = await self.scope(actor.user_id)
        if self.broadcasts is None or (not admin and officer is None):
            return await self._refuse(actor, "broadcast text", now)
        scope = _scope(admin, officer)
        return OfficerAnswer(reply=await self.broadcasts.text(actor.user_id, scope, text, now))

    async def button(self, actor: Actor, payload: str, now: datetime) -> OfficerAnswer:
        """Apply a status button (off:status:<id>:<status>) pressed by an allowed actor."""
        parts = payload.removeprefix(BUTTON_PREFIX).split(":")
        admin, officer = await self.scope(actor.user_id)
        if not admin and officer is None:
            return await self._refuse(actor, "status", now)
        if payload.startswith(BROADCAST_PREFIX) and self.broadcasts is not None:
            scope = _scope(admin, officer)
            reply = await self.broadcasts.button(actor.user_id, scope, payload, now)
            await self.store.officers.audit(_who(actor), "broadcast", payload, now)
            return OfficerAnswer(reply=reply, replaces=True)  # one screen that changes
        valid = {status.value for status in _STATUS_BUTTONS}
        found = row_id(parts[1]) if len(parts) == 3 else None
        if found is None or parts[0] != "status" or parts[2] not in valid:
            return OfficerAnswer(toast=self.renderer.text("officer/not_found"))
        registration = await self.store.registrations.get(found)
        if registration is None:
            return OfficerAnswer(toast=self.renderer.text("officer/not_found"))
        if not admin and (officer is None or officer.commune_key != registration.commune_key):
            return await self._refuse(actor, f"status {registration.reference}", now)
        status = RegistrationStatus(parts[2])
        await self.store.registrations.set_status(registration.id, status, now)
        await self.store.officers.audit(
            _who(actor), f"status:{status.value}", registration.reference, now
        )
        text = self.renderer.text(
            "officer/status_changed",
            {
                "reference": registration.reference,
                "status": status.value,
                "actor": actor.name or actor.user_id,
                "at": now.astimezone(self.tz).strftime("%H:%M %d/%m/%Y"),
            },
        )
        return OfficerAnswer(reply=Reply(text=text), toast=self.renderer.label(f"officer.{status}"))

    async def redeem(self, actor: Actor, code: str, now: datetime) -> OfficerAnswer:
        """Make the actor an officer with a one-time invitation code."""
        officer = await self.store.officers.redeem_invite(
            code.removeprefix(INVITE_PREFIX), actor.user_id, actor.name, now
        )
        if officer is None:
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/invite_invalid")))
        data = {"name": officer.name, "commune": officer.commune}
        return OfficerAnswer(reply=Reply(self.renderer.text("officer/welcome", data)))

    @staticmethod
    def is_invite(start_argument: str) -> bool:
        """Tell whether a /start argument is an officer invitation code."""
        return start_argument.strip().startswith(INVITE_PREFIX)

    @staticmethod
    def is_button(payload: str) -> bool:
        """Tell whether a button payload belongs to the officers' side."""
        return payload.startswith(BUTTON_PREFIX)

    async def import_list(self, actor: Actor, upload: Upload, now: datetime) -> OfficerAnswer:
        """Check, download and import a list file an officer sent in a chat.

        A file without a usable name, or larger than the channel lets the bot download,
        is refused with its reason before anything is downloaded.
        """
        admin, officer = await self.scope(actor.user_id)
        if not admin and officer is None:
            return await self._refuse(actor, "import", now)
        name = upload.name.strip()
        if not name:
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_no_name")))
        if problem := _name_problem(name):
            data = {"name": _shown_name(name), "why": problem, "max": _MAX_NAME_BYTES}
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_bad_name", data)))
        if upload.size is not None and upload.size > upload.limit:
            data = {
                "name": name,
                "size_mb": _megabytes(upload.size, _DECIMAL_MB),
                "limit_mb": _megabytes(upload.limit, _DECIMAL_MB),
            }
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_too_big", data)))
        with tempfile.TemporaryDirectory(prefix="loa-import-") as folder:
            path = Path(folder) / name
            await upload.download(path)
            return await self.import_file(actor, path, name, now)

    async def import_file(
        self, actor: Actor, path: Path, file_name: str, now: datetime
    ) -> OfficerAnswer:
        """Import a resident list file an officer sent; answer with the report.

        Up to 30 rejected rows are listed in the message; with more, the first 1,000 are in
        an attached CSV (row number, reason) that opens in Excel, and a last line says how
        many more there are. Lists are read within `CHAT_LIMITS`.
        """
        admin, officer = await self.scope(actor.user_id)
        if not admin and officer is None:
            return await self._refuse(actor, "import", now)
        if not await self._chat_allowed(actor, admin, officer):
            return await self._refuse_here(actor, "import", now)
        try:
            report = await import_residents(
                self.store.residents,
                path,
                today=now.astimezone(self.tz).date(),
                now=now,
                commune=None if admin or officer is None else _commune(officer),
                limits=CHAT_LIMITS,
            )
        except ListTooLarge as exc:
            data = {
                "name": file_name,
                "size_mb": _megabytes(exc.size, _MB),
                "limit_mb": _megabytes(exc.limit, _MB),
                "max_rows": CHAT_LIMITS.max_rows,
            }
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_too_large", data)))
        except (MissingColumns, UnsupportedFile) as exc:
            text = self.renderer.text(
                "officer/import_refused", {"name": file_name, "why": str(exc)}
            )
            return OfficerAnswer(reply=Reply(text))
        report = replace(report, file_name=file_name)
        await self.store.officers.audit(
            _who(actor),
            "import",
            f"{file_name}: +{report.added} ~{report.updated} ={report.unchanged}"
            f" x{len(report.rejected)}",
            now,
        )
        data = {"r": report, "max_warnings": 10, "max_rejected": _LISTED_REJECTIONS}
        reply = Reply(self.renderer.text("import_report", data))
        if len(report.rejected) <= _LISTED_REJECTIONS:
            return OfficerAnswer(reply=reply)
        name = f"loi_nhap_{Path(file_name).stem}.csv"
        return OfficerAnswer(reply=reply, document=Document(name, self._rejections(report), ""))

    def _rejections(self, report: ImportReport) -> bytes:
        """Return the rejected-rows CSV: the first `_FILED_REJECTIONS` rows, then a count."""
        table = io.StringIO()
        writer = csv.writer(table)
        writer.writerow([self.renderer.label("import.row"), self.renderer.label("import.reason")])
        writer.writerows(
            (row.row_number, row.reason) for row in report.rejected[:_FILED_REJECTIONS]
        )
        more = len(report.rejected) - _FILED_REJECTIONS
        if more > 0:
            writer.writerow(["", self.renderer.label("import.more_rejected", {"count": more})])
        return ("\ufeff" + table.getvalue()).encode("utf-8")

    async def _export(
        self, actor: Actor, admin: bool, officer: Officer | None, args: str, now: datetime
    ) -> OfficerAnswer:
        words = args.split()
        fmt = words.pop(0).lower() if words and words[0].lower() in FORMATS else "xlsx"
        commune = display_place(" ".join(words)) if words else ""
        if not admin:
            assert officer is not None
            commune = officer.commune
        key = place_key(commune) if commune else None
        found = await self.store.registrations.listing(commune_key=key)
        content = export_bytes(found, fmt, self.renderer.label, self.tz)
        await self.store.officers.audit(
            _who(actor), "export", f"{fmt} {key or 'all'} {len(found)}", now
        )
        local = now.astimezone(self.tz)
        caption = self.renderer.text(
            "officer/export_caption",
            {"commune": commune, "count": len(found), "at": local.strftime("%H:%M %d/%m/%Y")},
        )
        name = f"dang_ky_tu_van_{local:%Y%m%d}.{fmt}"
        return OfficerAnswer(document=Document(name, content, caption))

    async def _invite(
        self, actor: Actor, args: str, now: datetime, bot_username: str
    ) -> OfficerAnswer:
        commune = display_place(args)
        if not place_key(commune):
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/invite_usage")))
        code = secrets.token_urlsafe(16)
        expires = now + INVITE_LIFETIME
        await self.store.officers.create_invite(
            code, commune, place_key(commune), _who(actor), now, expires
        )
        link = f"https://t.me/{bot_username}?start={INVITE_PREFIX}{code}"
        data = {
            "commune": commune,
            "link": link,
            "expires": format_date(expires.astimezone(self.tz)),
        }
        return OfficerAnswer(reply=Reply(self.renderer.text("officer/invite", data)))

    async def _stats(self, admin: bool, officer: Officer | None, now: datetime) -> OfficerAnswer:
        """Answer /stats: a text summary and a PNG chart for the commune (admins: all)."""
        scope = _scope(admin, officer)
        communes = None if scope.communes is None else sorted(scope.communes)
        counts = await collect(self.store, now, communes)
        place = "mọi xã" if communes is None else f"xã {officer.commune if officer else ''}"
        text = summary(self.renderer, counts, now, self.tz, place)
        name = f"so_lieu_{now.astimezone(self.tz):%Y%m%d}.png"
        return OfficerAnswer(reply=Reply(text), photo=Document(name, stats_chart(counts), ""))

    async def _chat_allowed(self, actor: Actor, admin: bool, officer: Officer | None) -> bool:
        """Tell whether officer work may be done in the actor's chat, seen by all its members.

        A private chat always; a group only when it is where the actor's notices go: the
        officer's commune chat (or OFFICER_CHAT_ID when the commune has none), and for an
        administrator OFFICER_CHAT_ID, so no list is posted to a chat of neighbours.
        """
        if not actor.in_group:
            return True
        if officer is not None and not admin:
            own = await self.store.officers.chat_for(officer.commune_key)
            return actor.chat_id == (own or self.fallback_chat)
        return bool(self.fallback_chat) and actor.chat_id == self.fallback_chat

    async def _refuse_here(self, actor: Actor, what: str, now: datetime) -> OfficerAnswer:
        await self.store.officers.audit(_who(actor), "denied", f"{what} in {actor.chat_id}", now)
        text = self.renderer.text("officer/not_in_this_chat")
        return OfficerAnswer(reply=Reply(text), toast=text)

    async def _refuse(self, actor: Actor, what: str, now: datetime) -> OfficerAnswer:
        await self.store.officers.audit(_who(actor), "denied", what, now)
        text = self.renderer.text("officer/not_allowed")
        return OfficerAnswer(reply=Reply(text), toast=text)


def _scope(admin: bool, officer: Officer | None) -> Scope:
    if admin:
        return Scope.everywhere()
    assert officer is not None, "callers refuse non-officers first"
    return Scope.commune(officer.commune_key)


def _who(actor: Actor) -> str:
    return f"telegram:{actor.user_id}"


def _phone(e164: str) -> str:
    try:
        return display_phone(e164)
    except ValueError:
        return e164


def _megabytes(size: int, unit: int) -> str:
    """Return a size in MB the Vietnamese way, one decimal rounded up: 100 → "100", 1.01 → "1,1".

    Rounded up, so a file just over a limit never reads as exactly the limit.
    """
    tenths = -(-size * 10 // unit)
    text = f"{tenths // 10},{tenths % 10}"
    return text.removesuffix(",0")


def _name_problem(name: str) -> str | None:
    """Return why a sent file's name cannot name a file in a folder, or None if it can."""
    if name in (".", ".."):
        return "dots"
    if "/" in name or "\\" in name:
        return "separator"
    if not name.isprintable():
        return "control"
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        return "long"
    return None


def _shown_name(name: str) -> str:
    """Return a file name as it may be quoted back: printable, at most 60 characters."""
    shown = "".join(char if char.isprintable() else "?" for char in name)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _commune(officer: Officer) -> Commune:
    """Return the one commune an officer's lists may hold."""
    return Commune(officer.commune, officer.commune_key)
