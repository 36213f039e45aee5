"""The officers' desk: new-registration notices with status choices, lists, /export, /stats.

Channel-neutral: the router (router.py) hands an officer's command, choice, text or file
here and the channel sends back the `OfficerAnswer`. Only administrators (ADMIN_IDS) and
officers act; an officer sees exactly the communes they cover. Every action and every
refused attempt is audited under the actor's account (`telegram:123`, `zalo:abc`).
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

from bot.core.accounts import CHANNELS, TYPED_CHOICES, Account
from bot.core.leaflets import LEAFLET_PREFIX as LEAFLET_CODE_PREFIX
from bot.core.officer import Commune, FileTooLarge, InviteWay, OfficerAnswer
from bot.core.phones import display_phone
from bot.core.types import Attachment, Button, Reply
from bot.officers.broadcasts.choices import short_id
from bot.officers.broadcasts.desk import PREFIX as BROADCAST_PREFIX
from bot.officers.broadcasts.desk import BroadcastDesk
from bot.officers.exporting import export_bytes
from bot.officers.importing.columns import MissingColumns
from bot.officers.importing.limits import CHAT_LIMITS, ListTooLarge
from bot.officers.importing.reader import UnsupportedFile
from bot.officers.importing.service import ImportReport, import_residents
from bot.officers.leaflets import LeafletPage, leaflet_pdf, new_code, png_name, qr_png
from bot.officers.requests import (
    BUTTON_PREFIX,
    LEAFLET_PREFIX,
    STATUS_CHOICES,
    Broadcasting,
    Denied,
    Export,
    Import,
    InviteOfficer,
    InviteSelf,
    InviteUsage,
    LeafletChoice,
    Leaflets,
    ListLeafletCodes,
    RevokeLeafletCode,
    SetStatus,
    Stats,
    Who,
    decide_choice,
    decide_command,
    decide_import,
    may_set_status,
)
from bot.officers.stats import collect, stats_chart, summary
from bot.render import Renderer, format_date
from bot.store import Store
from bot.store.registrations import Saved

__all__ = [
    "COMMANDS",
    "INVITE_PREFIX",
    "Actor",
    "InviteWay",
    "LogNotifier",
    "Notifier",
    "OfficerAnswer",
    "OfficerDesk",
    "RelayNotifier",
    "Upload",
]

log = logging.getLogger(__name__)

COMMANDS = frozenset({"export", "moi", "broadcast", "broadcasts", "stats", "qr"})
"""Officer commands; anyone else who sends them is refused and audited."""
_LISTED_REJECTIONS = 30
_FILED_REJECTIONS = 1_000  # rows in the rejected-rows file; a line counts the rest
_MB = 1024 * 1024  # sizes of Loa's own limits
_DECIMAL_MB = 1000 * 1000  # channels state download limits in decimal megabytes (Telegram: 20 MB)
_MAX_NAME_BYTES = 255  # the longest file name most file systems accept
_MAX_CHOICES = 30  # communes or villages offered as choices at once
INVITE_PREFIX = "cb-"
INVITE_LIFETIME = timedelta(days=7)


class Notifier(Protocol):
    """A running channel as the officers' side uses it: notices, and invitation ways."""

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Send `reply` to `chat_id`."""
        ...

    def invite_way(self, code: str) -> InviteWay:
        """Return how a person opens the invitation `code` on this channel."""
        ...


class LogNotifier:
    """Sends nothing: logs that a notice was due (for the terminal demo and tests)."""

    async def notify(self, chat_id: str, reply: Reply) -> None:
        """Log the notice's destination only (no personal data)."""
        log.info("officer notice for chat %s not sent: its channel is not running", chat_id)

    def invite_way(self, code: str) -> InviteWay:
        """Return no way: nothing is running."""
        return InviteWay("")


class RelayNotifier:
    """Forwards each notice to the running channel of its chat; logs when none is attached."""

    def __init__(self) -> None:
        self.targets: dict[str, Notifier] = {}
        self._none = LogNotifier()

    def attach(self, channel: str, target: Notifier) -> None:
        """Send the notices for `channel` through `target` from now on."""
        self.targets[channel] = target

    def detach(self, channel: str) -> None:
        """Stop sending notices for `channel` (they are logged instead)."""
        self.targets.pop(channel, None)

    async def notify(self, chat: Account, reply: Reply) -> None:
        """Send through the channel of `chat`."""
        await self.targets.get(chat.channel, self._none).notify(chat.id, reply)

    def invite_ways(self, code: str) -> list[InviteWay]:
        """Return how to open an invitation on each running channel, Telegram first."""
        return [self.targets[name].invite_way(code) for name in CHANNELS if name in self.targets]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: their account and name, and the chat they act in (a group, or their own)."""

    account: Account
    name: str
    chat: Account

    @property
    def in_group(self) -> bool:
        """Tell whether the actor acts in a group, seen by all its members."""
        return self.chat != self.account


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


class OfficerDesk:
    """Serves officers and administrators; refuses and audits everyone else."""

    def __init__(
        self,
        store: Store,
        renderer: Renderer,
        notifier: RelayNotifier,
        *,
        admins: Collection[Account],
        fallback_chat: Account | None,
        tz: ZoneInfo,
        broadcasts: BroadcastDesk | None = None,
    ) -> None:
        self.store = store
        self.renderer = renderer
        self.notifier = notifier
        self.admins = frozenset(admins)
        self.fallback_chat = fallback_chat
        self.tz = tz
        self.broadcasts = broadcasts

    async def announce(self, saved: Saved, now: datetime) -> None:
        """Post a saved registration to its commune's group (else OFFICER_CHAT_ID), and to
        each of the commune's officers on a channel without groups (Zalo), privately."""
        registration = saved.registration
        key = registration.commune_key
        targets: list[Account] = []
        group = await self.store.officers.chat_for(key) or self.fallback_chat
        if group is not None:
            targets.append(group)
        for officer in await self.store.officers.of_commune(key):
            targets.extend(a for a in officer.accounts if a.channel in TYPED_CHOICES)
        if not targets:
            log.warning("no officer chat for %s: set OFFICER_CHAT_ID", registration.reference)
            return
        text = self.renderer.text(
            "officer/new_registration",
            {
                "r": registration,
                "merged": saved.merged,
                "phone": display_phone(registration.phone),
                "date": format_date(registration.created_at.astimezone(self.tz)),
            },
        )
        buttons = tuple(
            Button(
                self.renderer.label(f"officer.{status.value}"),
                f"{BUTTON_PREFIX}status:{registration.id}:{status.value}",
            )
            for status in STATUS_CHOICES
        )
        for target in dict.fromkeys(targets):
            if target.channel in TYPED_CHOICES:
                await self.store.officers.show_choices(target, buttons, now)
            await self.notifier.notify(target, Reply(text=text, buttons=buttons))

    async def who(self, account: Account) -> Who:
        """Return who an account is: an administrator, an officer, or neither."""
        return Who(account in self.admins, await self.store.officers.get(account))

    async def command(self, actor: Actor, command: str, args: str, now: datetime) -> OfficerAnswer:
        """Run an officer command (/export, /stats, /moi, /broadcast, /broadcasts)."""
        who = await self.who(actor.account)
        allowed = who.known and await self._chat_allowed(actor, who)
        request = decide_command(who, command, args, chat_allowed=allowed)
        if isinstance(request, Export):
            return await self._export(actor, request, now)
        if isinstance(request, InviteOfficer | InviteSelf | InviteUsage):
            return await self._invite(actor, request, now)
        if isinstance(request, Stats):
            return await self._stats(request, now)
        if isinstance(request, Leaflets):
            return await self._leaflet_communes(request)
        if isinstance(request, Broadcasting) and self.broadcasts is not None:
            reply = await self.broadcasts.command(
                str(actor.account), str(actor.chat), request.scope, command, args, now
            )
            return OfficerAnswer(reply=reply)
        if isinstance(request, Denied) and request.here:
            return await self._refuse_here(actor, command, now)
        return await self._refuse(actor, command, now)

    async def awaits_text(self, account: Account, now: datetime) -> bool:
        """Tell whether the account's next private message belongs to their broadcast draft."""
        return self.broadcasts is not None and await self.broadcasts.awaits_text(str(account), now)

    async def text(self, actor: Actor, text: str, now: datetime) -> OfficerAnswer:
        """Take text an officer typed for their broadcast draft (a condition, message, time)."""
        who = await self.who(actor.account)
        if self.broadcasts is None or not who.known:
            return await self._refuse(actor, "broadcast text", now)
        reply = await self.broadcasts.text(str(actor.account), who.scope, text, now)
        return OfficerAnswer(reply=reply)

    async def button(self, actor: Actor, payload: str, now: datetime) -> OfficerAnswer:
        """Apply an officer's choice: a status (off:status:<id>:<status>) or a broadcast step."""
        who = await self.who(actor.account)
        if not who.known:
            return await self._refuse(actor, "status", now)
        if payload.startswith(BROADCAST_PREFIX) and self.broadcasts is not None:
            reply = await self.broadcasts.button(str(actor.account), who.scope, payload, now)
            await self.store.officers.audit(str(actor.account), "broadcast", payload, now)
            return OfficerAnswer(reply=reply, replaces=True)  # one screen that changes
        request = decide_choice(who, payload)
        if isinstance(request, LeafletChoice):
            return await self._leaflet_choice(actor, request, now)
        if isinstance(request, ListLeafletCodes):
            return await self._leaflet_codes(request)
        if isinstance(request, RevokeLeafletCode):
            return await self._leaflet_revoke(actor, request, now)
        if isinstance(request, Denied):
            return await self._refuse(actor, request.what, now)
        if not isinstance(request, SetStatus):
            return OfficerAnswer(toast=self.renderer.text("officer/not_found"))
        registration = await self.store.registrations.get(request.registration_id)
        if registration is None:
            return OfficerAnswer(toast=self.renderer.text("officer/not_found"))
        if not may_set_status(who, registration.commune_key):
            return await self._refuse(actor, f"status {registration.reference}", now)
        status = request.status
        await self.store.registrations.set_status(registration.id, status, now)
        await self.store.officers.audit(
            str(actor.account), f"status:{status.value}", registration.reference, now
        )
        text = self.renderer.text(
            "officer/status_changed",
            {
                "reference": registration.reference,
                "status": status.value,
                "actor": actor.name or str(actor.account),
                "at": now.astimezone(self.tz),
            },
        )
        return OfficerAnswer(reply=Reply(text=text), toast=self.renderer.label(f"officer.{status}"))

    async def redeem(self, actor: Actor, code: str, now: datetime) -> OfficerAnswer:
        """Use a one-time invitation: become an officer of a commune, or add this app."""
        officer = await self.store.officers.redeem_invite(
            code.removeprefix(INVITE_PREFIX), actor.account, actor.name, now
        )
        if officer is None:
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/invite_invalid")))
        data = {"name": officer.name, "commune": officer.commune_names()}
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
        if not (await self.who(actor.account)).known:
            return await self._refuse(actor, "import", now)
        name = upload.name.strip()
        if not name:
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_no_name")))
        if problem := _name_problem(name):
            data = {"name": _shown_name(name), "why": problem, "max": _MAX_NAME_BYTES}
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_bad_name", data)))
        if upload.size is not None and upload.size > upload.limit:
            return self._too_big(name, upload.size, upload.limit)
        with tempfile.TemporaryDirectory(prefix="loa-import-") as folder:
            path = Path(folder) / name
            try:
                await upload.download(path)
            except FileTooLarge as exc:  # the channel had not announced the size
                return self._too_big(name, exc.size, exc.limit)
            return await self.import_file(actor, path, name, now)

    def _too_big(self, name: str, size: int, limit: int) -> OfficerAnswer:
        """Refuse a file larger than the channel lets the bot download."""
        data = {
            "name": name,
            "size_mb": _megabytes(size, _DECIMAL_MB),
            "limit_mb": _megabytes(limit, _DECIMAL_MB),
        }
        return OfficerAnswer(reply=Reply(self.renderer.text("officer/import_too_big", data)))

    async def import_file(
        self, actor: Actor, path: Path, file_name: str, now: datetime
    ) -> OfficerAnswer:
        """Import a resident list file an officer sent; answer with the report.

        Up to 30 rejected rows are listed in the message; with more, the first 1,000 are in
        an attached CSV (row number, reason) that opens in Excel, and a last line says how
        many more there are. Lists are read within `CHAT_LIMITS`.
        """
        who = await self.who(actor.account)
        allowed = who.known and await self._chat_allowed(actor, who)
        request = decide_import(who, chat_allowed=allowed)
        if isinstance(request, Denied):
            if request.here:
                return await self._refuse_here(actor, "import", now)
            return await self._refuse(actor, "import", now)
        assert isinstance(request, Import)
        try:
            report = await import_residents(
                self.store.residents,
                path,
                today=now.astimezone(self.tz).date(),
                now=now,
                communes=request.communes,
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
            str(actor.account),
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
        return OfficerAnswer(reply=reply, attachments=(Attachment(name, self._rejections(report)),))

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

    async def _export(self, actor: Actor, request: Export, now: datetime) -> OfficerAnswer:
        """Send the registrations of the requested communes."""
        keys = list(request.commune_keys) if request.commune_keys is not None else None
        found = await self.store.registrations.listing(commune_keys=keys)
        fmt = request.format
        content = export_bytes(found, fmt, self.renderer.label, self.tz)
        await self.store.officers.audit(
            str(actor.account), "export", f"{fmt} {','.join(keys or ['all'])} {len(found)}", now
        )
        local = now.astimezone(self.tz)
        caption = self.renderer.text(
            "officer/export_caption",
            {"commune": request.place, "count": len(found), "at": local},
        )
        name = f"dang_ky_tu_van_{local:%Y%m%d}.{fmt}"
        return OfficerAnswer(attachments=(Attachment(name, content, caption),))

    async def _invite(
        self, actor: Actor, request: InviteOfficer | InviteSelf | InviteUsage, now: datetime
    ) -> OfficerAnswer:
        """`/moi <commune>` (administrators): invite an officer of a commune; `/moi` alone
        (an officer): a code to use Loa from their other app as the same officer."""
        if isinstance(request, InviteUsage):
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/invite_usage")))
        expires = now + INVITE_LIFETIME
        code = secrets.token_urlsafe(16)
        by = str(actor.account)
        if isinstance(request, InviteOfficer):
            await self.store.officers.create_invite(code, request.commune, by, now, expires)
            template, commune = "officer/invite", request.commune.name
        else:
            await self.store.officers.create_invite(
                code, None, by, now, expires, for_officer=request.officer_id
            )
            template, commune = "officer/invite_self", ""
        data = {
            "commune": commune,
            "ways": self.notifier.invite_ways(INVITE_PREFIX + code),
            "expires": format_date(expires.astimezone(self.tz)),
        }
        return OfficerAnswer(reply=Reply(self.renderer.text(template, data)))

    async def _stats(self, request: Stats, now: datetime) -> OfficerAnswer:
        """Answer /stats: a text summary and a PNG chart for the communes (admins: all)."""
        scope = request.scope
        communes = None if scope.communes is None else sorted(scope.communes)
        counts = await collect(self.store, now, communes)
        place = self.renderer.label("stats.every_commune")
        if request.place is not None:
            place = self.renderer.label("stats.communes", {"names": request.place.commune_names()})
        text = summary(self.renderer, counts, now, self.tz, place)
        name = f"so_lieu_{now.astimezone(self.tz):%Y%m%d}.png"
        chart = Attachment(name, stats_chart(counts, self.renderer), photo=True)
        return OfficerAnswer(reply=Reply(text), attachments=(chart,))

    async def _leaflet_communes(self, request: Leaflets) -> OfficerAnswer:
        """Answer /qr: the villages of the officer's one commune, else the communes."""
        communes = await self._leaflet_candidates(request.communes)
        if len(communes) == 1:
            return await self._leaflet_villages(communes[0])
        if not communes:
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/leaflet_no_villages")))
        buttons = tuple(
            Button(c.name, f"{LEAFLET_PREFIX}{short_id(c.key)}") for c in communes[:_MAX_CHOICES]
        )
        text = self.renderer.text("officer/leaflet_communes")
        return OfficerAnswer(reply=Reply(text, buttons))

    async def _leaflet_villages(self, commune: Commune) -> OfficerAnswer:
        """Offer a leaflet for every village of a commune, or for one."""
        villages = await self.store.leaflets.villages(commune.key)
        data: dict[str, object] = {"commune": commune.name, "count": len(villages)}
        if not villages:
            text = self.renderer.text("officer/leaflet_no_villages", data)
            return OfficerAnswer(reply=Reply(text))
        prefix = f"{LEAFLET_PREFIX}{short_id(commune.key)}"
        every = self.renderer.label("officer.leaflet_every", data)
        buttons = [Button(every, f"{prefix}:*")]
        buttons += [Button(v.name, f"{prefix}:{short_id(v.key)}") for v in villages[:_MAX_CHOICES]]
        buttons.append(Button(self.renderer.label("officer.leaflet_codes"), f"{prefix}:="))
        text = self.renderer.text("officer/leaflet_villages", data)
        return OfficerAnswer(reply=Reply(text, tuple(buttons)))

    async def _leaflet_choice(
        self, actor: Actor, request: LeafletChoice, now: datetime
    ) -> OfficerAnswer:
        """Print the leaflets chosen, within the communes the person covers."""
        candidates = await self._leaflet_candidates(request.communes)
        commune = next((c for c in candidates if short_id(c.key) == request.commune), None)
        if commune is None:
            return OfficerAnswer(toast=self.renderer.text("officer/leaflet_gone"))
        if not request.village:
            return await self._leaflet_villages(commune)
        villages = await self.store.leaflets.villages(commune.key)
        if request.village != "*":
            villages = [v for v in villages if short_id(v.key) == request.village]
        if not villages:
            return OfficerAnswer(toast=self.renderer.text("officer/leaflet_gone"))
        ways = self.notifier.invite_ways(LEAFLET_CODE_PREFIX)  # the channels running now
        if not any(w.channel == "telegram" and w.link for w in ways):
            return OfficerAnswer(reply=Reply(self.renderer.text("officer/leaflet_no_telegram")))
        pages = []
        for village in villages:
            code = await self.store.leaflets.live_or_create(
                commune, village, new_code(), str(actor.account), now
            )
            link = self._telegram_link(code.code)
            pages.append(LeafletPage(commune.name, village.name, village.key, code.code, link))
        zalo = any(w.channel == "zalo" for w in ways)
        content = leaflet_pdf(pages, self.renderer, zalo=zalo)
        detail = f"{commune.key} {len(pages)}"
        await self.store.officers.audit(str(actor.account), "leaflet", detail, now)
        local = now.astimezone(self.tz)
        name = f"to_roi_{_file_word(commune.key)}_{local:%Y%m%d}.pdf"
        data = {"commune": commune.name, "count": len(pages)}
        caption = self.renderer.text("officer/leaflet_caption", data)
        files = [Attachment(name, content, caption)]
        if len(pages) == 1:  # one village: its QR code too, for its Zalo group or a banner
            (page,) = pages
            qr_caption = self.renderer.text("officer/leaflet_qr_caption", {"village": page.village})
            files.append(Attachment(png_name(page), qr_png(page.link), qr_caption))
        return OfficerAnswer(attachments=tuple(files))

    async def _leaflet_commune(
        self, short: str, communes: tuple[Commune, ...] | None
    ) -> Commune | None:
        """Find the commune a choice names among those the person covers."""
        candidates = await self._leaflet_candidates(communes)
        return next((c for c in candidates if short_id(c.key) == short), None)

    async def _leaflet_codes(self, request: ListLeafletCodes) -> OfficerAnswer:
        """List a commune's leaflet codes, live or revoked, each live one with a revoke button."""
        commune = await self._leaflet_commune(request.commune, request.communes)
        if commune is None:
            return OfficerAnswer(toast=self.renderer.text("officer/leaflet_gone"))
        codes = await self.store.leaflets.for_commune(commune.key)
        data = {"commune": commune.name, "codes": codes, "tz": self.tz}
        prefix = f"{LEAFLET_PREFIX}{short_id(commune.key)}"
        buttons = tuple(
            Button(
                self.renderer.label("officer.leaflet_revoke", {"village": c.village}),
                f"{prefix}:-{c.code}",
            )
            for c in codes
            if c.revoked_at is None
        )[:_MAX_CHOICES]
        return OfficerAnswer(
            reply=Reply(self.renderer.text("officer/leaflet_codes", data), buttons)
        )

    async def _leaflet_revoke(
        self, actor: Actor, request: RevokeLeafletCode, now: datetime
    ) -> OfficerAnswer:
        """Revoke one of a covered commune's live codes; the next print gives a new one."""
        commune = await self._leaflet_commune(request.commune, request.communes)
        codes = [] if commune is None else await self.store.leaflets.for_commune(commune.key)
        if commune is None or not any(
            c.code == request.code and c.revoked_at is None for c in codes
        ):
            return OfficerAnswer(toast=self.renderer.text("officer/leaflet_gone"))
        revoked = await self.store.leaflets.revoke(request.code, now)
        if revoked is None:
            return OfficerAnswer(toast=self.renderer.text("officer/leaflet_gone"))
        await self.store.officers.audit(str(actor.account), "leaflet_revoke", revoked.code, now)
        data = {"commune": commune.name, "village": revoked.village, "code": revoked.code}
        return OfficerAnswer(reply=Reply(self.renderer.text("officer/leaflet_revoked", data)))

    def _telegram_link(self, code: str) -> str:
        """Return the Telegram link that opens Loa with `code` (a /start deep link)."""
        ways = self.notifier.invite_ways(code)
        return next(w.link for w in ways if w.channel == "telegram" and w.link)

    async def _leaflet_candidates(self, communes: tuple[Commune, ...] | None) -> list[Commune]:
        """Return the communes the person may print for (administrators: the registry's)."""
        if communes is not None:
            return list(communes)
        places = await self.store.drafts.communes(_MAX_CHOICES)
        return [Commune(place.key, place.name) for place in places]

    async def _chat_allowed(self, actor: Actor, who: Who) -> bool:
        """Tell whether officer work may be done in the actor's chat, seen by all its members.

        A private chat always; a group only when it is where the actor's notices go: one of
        the officer's commune groups (or OFFICER_CHAT_ID for a commune without one), and for
        an administrator OFFICER_CHAT_ID, so no list is posted to a chat of neighbours.
        """
        if not actor.in_group:
            return True
        if who.officer is not None and not who.admin:
            for key in who.officer.commune_keys:
                own = await self.store.officers.chat_for(key)
                if actor.chat == (own or self.fallback_chat):
                    return True
            return False
        return self.fallback_chat is not None and actor.chat == self.fallback_chat

    async def _refuse_here(self, actor: Actor, what: str, now: datetime) -> OfficerAnswer:
        detail = f"{what} in {actor.chat}"
        await self.store.officers.audit(str(actor.account), "denied", detail, now)
        text = self.renderer.text("officer/not_in_this_chat")
        return OfficerAnswer(reply=Reply(text), toast=text)

    async def _refuse(self, actor: Actor, what: str, now: datetime) -> OfficerAnswer:
        await self.store.officers.audit(str(actor.account), "denied", what, now)
        text = self.renderer.text("officer/not_allowed")
        return OfficerAnswer(reply=Reply(text), toast=text)


def _file_word(key: str) -> str:
    """Return a commune key as a file-name word ("xa an phu" → "xa-an-phu")."""
    return "-".join(key.split()) or "xa"


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
