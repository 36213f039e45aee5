"""An officer: one person, their accounts on Telegram and Zalo, and the communes they cover."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot.core.accounts import Account
from bot.core.types import Attachment, FileRef, Incoming, Reply

__all__ = [
    "Commune",
    "FileSource",
    "FileTooLarge",
    "InviteWay",
    "Officer",
    "OfficerAnswer",
    "OfficerDoor",
]


@dataclass(frozen=True, slots=True, order=True)
class Commune:
    """A commune as officers name it: its matching key first (for order), then its name."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Officer:
    """A person who follows up the registrations and lists of their communes."""

    id: int
    name: str
    accounts: tuple[Account, ...]
    communes: tuple[Commune, ...]  # by key
    added_by: str
    added_at: datetime

    @property
    def commune_keys(self) -> frozenset[str]:
        """Return the keys of the officer's communes."""
        return frozenset(commune.key for commune in self.communes)

    def covers(self, commune_key: str) -> bool:
        """Tell whether the officer covers this commune."""
        return commune_key in self.commune_keys

    def commune_names(self) -> str:
        """Return the communes' names for a message: "An Phú, Hòa Bình"."""
        return ", ".join(commune.name for commune in self.communes)


@dataclass(frozen=True, slots=True)
class InviteWay:
    """How an invitation is opened on one channel: a link to tap, or a text to send the bot."""

    channel: str
    link: str = ""
    typed: str = ""


@dataclass(frozen=True, slots=True)
class OfficerAnswer:
    """What to send an officer: a message, files, and a short button acknowledgement."""

    reply: Reply | None = None
    attachments: tuple[Attachment, ...] = ()
    toast: str = ""
    replaces: bool = False  # the reply takes the place of the message whose button was pressed


class FileTooLarge(Exception):
    """A file proved larger than the channel's limit while it was downloaded (none was kept)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file has at least {size} bytes; at most {limit} are allowed")
        self.size = size
        self.limit = limit


class FileSource(Protocol):
    """A channel that can fetch a file a person sent."""

    @property
    def file_limit(self) -> int:
        """Return the largest file, in bytes, the channel lets the bot download."""
        ...

    async def download(self, ref: FileRef, path: Path) -> None:
        """Write the file `ref` to `path`; raise FileTooLarge past `file_limit`."""
        ...


class OfficerDoor(Protocol):
    """The officers' side as a channel sees it (bot.officers.router.OfficerRouter)."""

    async def route(
        self, incoming: Incoming, files: FileSource | None = None
    ) -> OfficerAnswer | None:
        """Return the officers' answer to `incoming`, or None when it is a resident's."""
        ...
