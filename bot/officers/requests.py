"""What an officer's command or choice asks for, and whether they may: decided purely.

`decide_command` and `decide_choice` read no database: the desk (desk.py) loads who the
person is (`Who`) and whether their chat may see officer work, asks here, and carries out
the typed request it gets back — or says why not. All the officers' side's authorization
is in this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.audience import Scope
from bot.core.integers import row_id
from bot.core.officer import Commune, Officer
from bot.core.places import display_place, place_key
from bot.officers.exporting import FORMATS
from bot.store.registrations import RegistrationStatus

__all__ = [
    "BUTTON_PREFIX",
    "LEAFLET_PREFIX",
    "STATUS_CHOICES",
    "Broadcasting",
    "Denied",
    "Export",
    "Import",
    "InviteOfficer",
    "InviteSelf",
    "InviteUsage",
    "LeafletChoice",
    "Leaflets",
    "ListLeafletCodes",
    "NotFound",
    "Request",
    "RevokeLeafletCode",
    "SetStatus",
    "Stats",
    "Who",
    "decide_choice",
    "decide_command",
    "decide_import",
    "may_set_status",
]

BUTTON_PREFIX = "off:"
LEAFLET_PREFIX = "off:qr:"
"""Leaflet choices: `off:qr:<commune short id>[:<village short id>|*|=|-<code>]` (one village,
every village, the commune's codes listed, a code revoked)."""
STATUS_CHOICES = (
    RegistrationStatus.CONTACTED,
    RegistrationStatus.JOINED,
    RegistrationStatus.DECLINED,
)
"""The statuses an officer sets from a new-registration notice, in button order."""
_DEFAULT_FORMAT = "xlsx"


@dataclass(frozen=True, slots=True)
class Who:
    """The person asking: an administrator, an officer (with their communes), or neither."""

    admin: bool
    officer: Officer | None

    @property
    def known(self) -> bool:
        """Tell whether the person may do officer work at all."""
        return self.admin or self.officer is not None

    @property
    def scope(self) -> Scope:
        """Return the communes the person reaches (administrators: all)."""
        if self.admin or self.officer is None:
            return Scope.everywhere() if self.admin else Scope(frozenset())
        return Scope(self.officer.commune_keys)


@dataclass(frozen=True, slots=True)
class Denied:
    """Refused and audited: `what` was asked; `here` when only the chat is wrong."""

    what: str
    here: bool = False


@dataclass(frozen=True, slots=True)
class Export:
    """Send the registrations of these communes (None: every commune) as `format`."""

    format: str
    commune_keys: tuple[str, ...] | None
    place: str
    """The communes' names for the caption ("" for every commune)."""


@dataclass(frozen=True, slots=True)
class Stats:
    """Send the counts and the chart of the scope's communes."""

    scope: Scope
    place: Officer | None
    """The officer whose communes are counted (None: every commune)."""


@dataclass(frozen=True, slots=True)
class Import:
    """Import a resident list into these communes (None: the communes the list names)."""

    communes: tuple[Commune, ...] | None


@dataclass(frozen=True, slots=True)
class Leaflets:
    """Offer leaflets: the communes to choose from (one: its villages at once)."""

    communes: tuple[Commune, ...] | None
    """The officer's communes (None: an administrator, who may choose any commune)."""


@dataclass(frozen=True, slots=True)
class LeafletChoice:
    """Print the leaflets of the commune named by `commune` (a short id), for one village
    (`village`, a short id) or all of them (`village` empty); the desk finds the commune
    among those the person covers, so nobody prints another commune's leaflets."""

    commune: str
    village: str
    communes: tuple[Commune, ...] | None


@dataclass(frozen=True, slots=True)
class ListLeafletCodes:
    """List the leaflet codes of the commune named by `commune` (a short id), live or revoked,
    if the person covers it."""

    commune: str
    communes: tuple[Commune, ...] | None


@dataclass(frozen=True, slots=True)
class RevokeLeafletCode:
    """Revoke a leaflet code of the commune named by `commune` (a short id), if the person
    covers it and the code is that commune's."""

    commune: str
    code: str
    communes: tuple[Commune, ...] | None


@dataclass(frozen=True, slots=True)
class InviteOfficer:
    """Make a one-time invitation for a new officer of `commune` (administrators)."""

    commune: Commune


@dataclass(frozen=True, slots=True)
class InviteSelf:
    """Make a one-time code for the officer to add their other app."""

    officer_id: int


@dataclass(frozen=True, slots=True)
class InviteUsage:
    """Explain how /moi is used."""


@dataclass(frozen=True, slots=True)
class Broadcasting:
    """Hand /broadcast or /broadcasts to the broadcast desk within `scope`."""

    command: str
    args: str
    scope: Scope


@dataclass(frozen=True, slots=True)
class SetStatus:
    """Set a registration's status (the desk checks the commune with `may_set_status`)."""

    registration_id: int
    status: RegistrationStatus


@dataclass(frozen=True, slots=True)
class NotFound:
    """A choice naming nothing that exists (an old or malformed button)."""


Request = (
    Denied
    | Export
    | Stats
    | Import
    | Leaflets
    | LeafletChoice
    | ListLeafletCodes
    | RevokeLeafletCode
    | InviteOfficer
    | InviteSelf
    | InviteUsage
    | Broadcasting
    | SetStatus
    | NotFound
)


def decide_command(who: Who, command: str, args: str, *, chat_allowed: bool) -> Request:
    """Return what an officer command asks for, or why it is refused.

    `chat_allowed` tells whether the chat it came from may see officer work (a private
    chat always; a group only where the person's notices go).
    """
    if not who.known:
        return Denied(command)
    if not chat_allowed:
        return Denied(command, here=True)
    if command == "export":
        return _export(who, args)
    if command == "moi":
        return _invite(who, args)
    if command == "stats":
        return Stats(who.scope, None if who.admin else who.officer)
    if command in ("broadcast", "broadcasts"):
        return Broadcasting(command, args, who.scope)
    if command == "qr":
        return Leaflets(_communes(who))
    return Denied(command)


def decide_choice(who: Who, payload: str) -> Request:
    """Return what a status (`off:status:<id>:<status>`) or leaflet choice asks for."""
    if payload.startswith(LEAFLET_PREFIX):
        if not who.known:
            return Denied("leaflet")
        commune, _, village = payload.removeprefix(LEAFLET_PREFIX).partition(":")
        if not commune:
            return NotFound()
        if village == "=":
            return ListLeafletCodes(commune, _communes(who))
        if village.startswith("-"):
            return RevokeLeafletCode(commune, village[1:], _communes(who))
        return LeafletChoice(commune, village, _communes(who))
    if not who.known:
        return Denied("status")
    parts = payload.removeprefix(BUTTON_PREFIX).split(":")
    found = row_id(parts[1]) if len(parts) == 3 else None
    valid = {status.value for status in STATUS_CHOICES}
    if found is None or parts[0] != "status" or parts[2] not in valid:
        return NotFound()
    return SetStatus(found, RegistrationStatus(parts[2]))


def decide_import(who: Who, *, chat_allowed: bool) -> Request:
    """Return whether a list file may be imported here, and into which communes."""
    if not who.known:
        return Denied("import")
    if not chat_allowed:
        return Denied("import", here=True)
    return Import(None if who.admin or who.officer is None else who.officer.communes)


def _communes(who: Who) -> tuple[Commune, ...] | None:
    """Return the communes the person covers (None: an administrator, every commune)."""
    if who.admin or who.officer is None:
        return None
    return who.officer.communes


def may_set_status(who: Who, commune_key: str) -> bool:
    """Tell whether the person may change a registration of this commune."""
    return who.admin or (who.officer is not None and who.officer.covers(commune_key))


def _export(who: Who, args: str) -> Request:
    words = args.split()
    fmt = words.pop(0).lower() if words and words[0].lower() in FORMATS else _DEFAULT_FORMAT
    named = display_place(" ".join(words)) if words else ""
    keys = (place_key(named),) if named else None
    if who.admin:
        return Export(fmt, keys, named)
    assert who.officer is not None
    own = sorted(who.officer.commune_keys)
    covered = tuple(key for key in own if keys is None or key in keys)
    if not covered:  # a commune the officer does not cover
        return Denied(f"export {place_key(named)}")
    names = ", ".join(c.name for c in who.officer.communes if c.key in covered)
    return Export(fmt, covered, names)


def _invite(who: Who, args: str) -> Request:
    commune = display_place(args)
    if place_key(commune) and who.admin:
        return InviteOfficer(Commune(place_key(commune), commune))
    if not args.strip() and who.officer is not None:
        return InviteSelf(who.officer.id)
    return InviteUsage()
