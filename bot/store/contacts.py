"""Contacts: one row per channel address, with opt-out status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from bot.core.places import Place, PlaceSource
from bot.store.db import Database, iso, parse_iso

__all__ = ["Contact", "ContactStatus", "Contacts", "KnownPlace", "contact_from_row"]


class ContactStatus(StrEnum):
    """Whether a contact may receive proactive messages."""

    ACTIVE = "active"
    STOPPED = "stopped"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at one channel address."""

    id: int
    channel: str
    external_id: str
    display_name: str
    language: str
    status: ContactStatus
    source: str
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class KnownPlace:
    """A contact's recorded place, how it became known and when."""

    place: Place
    source: PlaceSource
    set_at: datetime


def contact_from_row(row: aiosqlite.Row) -> Contact:
    return Contact(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        display_name=row["display_name"],
        language=row["language"],
        status=ContactStatus(row["status"]),
        source=row["source"],
        first_seen=parse_iso(row["first_seen"]),
        last_seen=parse_iso(row["last_seen"]),
    )


_TOUCH_SQL = (
    "INSERT INTO contacts (channel, external_id, display_name, source, first_seen, last_seen)"
    " VALUES (?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (channel, external_id) DO UPDATE SET"
    "  last_seen = excluded.last_seen,"
    "  display_name = CASE WHEN excluded.display_name <> '' THEN excluded.display_name"
    "                 ELSE contacts.display_name END"
    " RETURNING *"
)
# A resident's own answer does not replace a place from a surer source unless they changed it
# themselves (/xa); every other source replaces whatever was there.
_SET_PLACE_SQL = (
    "INSERT INTO contact_places"
    " (contact_id, commune, commune_key, village, village_key, source, set_at, leaflet_code)"
    " VALUES (:contact, :commune, :commune_key, :village, :village_key, :source, :at, :code)"
    " ON CONFLICT (contact_id) DO UPDATE SET commune = excluded.commune,"
    "  commune_key = excluded.commune_key, village = excluded.village,"
    "  village_key = excluded.village_key, source = excluded.source, set_at = excluded.set_at,"
    "  leaflet_code = excluded.leaflet_code"
    " WHERE :explicit OR excluded.source <> 'answer' OR contact_places.source = 'answer'"
)


class Contacts:
    """Queries over the contacts table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def touch(
        self, channel: str, external_id: str, display_name: str, now: datetime, source: str = "chat"
    ) -> Contact:
        """Record that this address wrote now (creating it if new) and return it."""
        stamp = iso(now)
        row = await self._db.fetchone(
            _TOUCH_SQL,
            (channel, external_id, display_name, source, stamp, stamp),
        )
        assert row is not None
        return contact_from_row(row)

    async def get(self, contact_id: int) -> Contact | None:
        """Return the contact with this id, if any."""
        row = await self._db.fetchone("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        return contact_from_row(row) if row else None

    async def set_status(self, contact_id: int, status: ContactStatus, now: datetime) -> None:
        """Change whether the contact receives proactive messages."""
        await self._db.execute(
            "UPDATE contacts SET status = ?, status_changed_at = ? WHERE id = ? AND status <> ?",
            (status.value, iso(now), contact_id, status.value),
        )

    async def place(self, contact_id: int) -> KnownPlace | None:
        """Return where the contact lives, if known."""
        row = await self._db.fetchone(
            "SELECT * FROM contact_places WHERE contact_id = ?", (contact_id,)
        )
        if row is None:
            return None
        return KnownPlace(
            place=Place(row["commune"], row["village"]),
            source=PlaceSource(row["source"]),
            set_at=parse_iso(row["set_at"]),
        )

    async def set_place(
        self,
        contact_id: int,
        place: Place,
        source: PlaceSource,
        now: datetime,
        *,
        explicit: bool = False,
        leaflet_code: str = "",
    ) -> None:
        """Record where the contact lives (with the leaflet's code when it came from one).

        An `answer` keeps a place from a surer source (leaflet, registration, card) unless
        `explicit` (the resident changed it themselves); other sources always replace.
        """
        await self._db.execute(
            _SET_PLACE_SQL,
            {
                "contact": contact_id,
                "commune": place.commune,
                "commune_key": place.commune_key,
                "village": place.village,
                "village_key": place.village_key,
                "source": source.value,
                "at": iso(now),
                "explicit": int(explicit),
                "code": leaflet_code,
            },
        )
