"""Registrations ("Đăng ký tư vấn"): saved whole or not at all, merged within 30 days, erasable."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.store.db import Database, iso, parse_iso

__all__ = [
    "DUPLICATE_WINDOW",
    "Erased",
    "NewRegistration",
    "PersonalData",
    "Registration",
    "RegistrationStatus",
    "Registrations",
    "Saved",
    "reference_of",
]

DUPLICATE_WINDOW = timedelta(days=30)
_REFERENCE_PREFIX = "DK"


class RegistrationStatus(StrEnum):
    """Where an officer is with a registration."""

    NEW = "new"
    CONTACTED = "contacted"
    JOINED = "joined"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class NewRegistration:
    """What a resident confirmed: interest, name, E.164 phone, places, household, call time."""

    interest: str
    full_name: str
    phone: str
    commune: str
    commune_key: str
    village: str
    village_key: str
    household_size: int | None
    call_time: str
    consent_at: datetime


@dataclass(frozen=True, slots=True)
class Registration:
    """A stored registration."""

    id: int
    contact_id: int | None
    interest: str
    full_name: str
    phone: str
    commune: str
    commune_key: str
    village: str
    village_key: str
    household_size: int | None
    call_time: str
    status: RegistrationStatus
    consent_at: datetime
    created_at: datetime
    updated_at: datetime

    @property
    def reference(self) -> str:
        """Return the reference number residents and officers quote (DK000012)."""
        return reference_of(self.id)


@dataclass(frozen=True, slots=True)
class Saved:
    """The outcome of saving: the registration and whether it updated an earlier one."""

    registration: Registration
    merged: bool


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one person."""

    contact: dict[str, Any]
    registrations: list[Registration]
    cards: list[dict[str, Any]]
    messages: int


@dataclass(frozen=True, slots=True)
class Erased:
    """How much personal data an erasure removed (counts only)."""

    registrations: int
    messages: int
    cards: int


def reference_of(registration_id: int) -> str:
    """Return the reference number of a registration id."""
    return f"{_REFERENCE_PREFIX}{registration_id:06d}"


def _from_row(row: aiosqlite.Row) -> Registration:
    return Registration(
        id=row["id"],
        contact_id=row["contact_id"],
        interest=row["interest"],
        full_name=row["full_name"],
        phone=row["phone"],
        commune=row["commune"],
        commune_key=row["commune_key"],
        village=row["village"],
        village_key=row["village_key"],
        household_size=row["household_size"],
        call_time=row["call_time"],
        status=RegistrationStatus(row["status"]),
        consent_at=parse_iso(row["consent_at"]),
        created_at=parse_iso(row["created_at"]),
        updated_at=parse_iso(row["updated_at"]),
    )


_UPDATE_SQL = (
    "UPDATE registrations SET contact_id = ?, full_name = ?, commune = ?, commune_key = ?,"
    " village = ?, village_key = ?, household_size = ?, call_time = ?, consent_at = ?,"
    " updated_at = ? WHERE id = ?"
)
_INSERT_SQL = (
    "INSERT INTO registrations (contact_id, interest, full_name, phone, commune, commune_key,"
    " village, village_key, household_size, call_time, consent_at, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class Registrations:
    """Queries over registrations and their events."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, contact_id: int | None, new: NewRegistration, now: datetime) -> Saved:
        """Store `new` in one transaction, updating a registration of the same phone and
        interest made within the last 30 days instead of adding a second one."""
        stamp = iso(now)
        async with self._db.transaction():
            earlier = await self._db.fetchone(
                "SELECT id FROM registrations WHERE phone = ? AND interest = ?"
                " AND erased_at IS NULL AND updated_at >= ? ORDER BY id DESC LIMIT 1",
                (new.phone, new.interest, iso(now - DUPLICATE_WINDOW)),
            )
            places = (new.commune, new.commune_key, new.village, new.village_key)
            if earlier is not None:
                registration_id = int(earlier["id"])
                await self._db.execute(
                    _UPDATE_SQL,
                    (
                        contact_id,
                        new.full_name,
                        *places,
                        new.household_size,
                        new.call_time,
                        iso(new.consent_at),
                        stamp,
                        registration_id,
                    ),
                )
            else:
                registration_id = await self._db.execute(
                    _INSERT_SQL,
                    (
                        contact_id,
                        new.interest,
                        new.full_name,
                        new.phone,
                        *places,
                        new.household_size,
                        new.call_time,
                        iso(new.consent_at),
                        stamp,
                        stamp,
                    ),
                )
            event = "merged" if earlier is not None else "created"
            await self._event(registration_id, event, now)
            row = await self._db.fetchone(
                "SELECT * FROM registrations WHERE id = ?", (registration_id,)
            )
        assert row is not None
        return Saved(_from_row(row), merged=earlier is not None)

    async def _event(self, registration_id: int, event: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO registration_events (registration_id, event, at) VALUES (?, ?, ?)",
            (registration_id, event, iso(now)),
        )

    async def get(self, registration_id: int) -> Registration | None:
        """Return a registration that was not erased, or None."""
        row = await self._db.fetchone(
            "SELECT * FROM registrations WHERE id = ? AND erased_at IS NULL", (registration_id,)
        )
        return _from_row(row) if row else None

    async def for_contact(self, contact_id: int) -> list[Registration]:
        """Return a person's registrations, newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM registrations WHERE contact_id = ? AND erased_at IS NULL"
            " ORDER BY id DESC",
            (contact_id,),
        )
        return [_from_row(row) for row in rows]

    async def set_status(
        self, registration_id: int, status: RegistrationStatus, now: datetime
    ) -> bool:
        """Change a registration's status; return False if there is no such registration."""
        async with self._db.transaction():
            changed = await self._db.execute_rowcount(
                "UPDATE registrations SET status = ?, status_changed_at = ?, updated_at = ?"
                " WHERE id = ? AND erased_at IS NULL",
                (status.value, iso(now), iso(now), registration_id),
            )
            if changed:
                await self._event(registration_id, f"status:{status.value}", now)
        return changed > 0

    async def listing(
        self, *, commune_keys: Collection[str] | None = None, since: datetime | None = None
    ) -> list[Registration]:
        """Return registrations (all, or those of some communes; made since a moment), oldest
        first."""
        sql = "SELECT * FROM registrations WHERE erased_at IS NULL"
        params: list[object] = []
        if commune_keys is not None:
            sql += f" AND commune_key IN ({', '.join('?' * len(commune_keys))})"
            params.extend(commune_keys)
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(iso(since))
        rows = await self._db.fetchall(sql + " ORDER BY id", params)
        return [_from_row(row) for row in rows]

    async def counts(self) -> dict[str, int]:
        """Return how many registrations there are per status, erased ones included."""
        rows = await self._db.fetchall(
            "SELECT status, COUNT(*) AS n FROM registrations GROUP BY status"
        )
        counts = dict.fromkeys((s.value for s in RegistrationStatus), 0)
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    async def erase_contact(self, contact_id: int, now: datetime) -> Erased:
        """Erase a person's personal data in one transaction, keeping anonymous counts.

        Registrations lose name, phone, village and household and are unlinked; message
        texts are blanked; the conversation and the profile name are cleared (and the name
        is never stored again); cards the person typed are deleted and the commune's own
        list entries unlinked; their place is forgotten; messages queued to them are dropped.
        """
        stamp = iso(now)
        async with self._db.transaction():
            registrations = await self._db.execute_rowcount(
                "UPDATE registrations SET full_name = '', phone = '', village = '',"
                " village_key = '', household_size = NULL, contact_id = NULL,"
                " erased_at = ?, updated_at = ? WHERE contact_id = ?",
                (stamp, stamp, contact_id),
            )
            messages = await self._db.execute_rowcount(
                "UPDATE messages SET text = '' WHERE contact_id = ? AND text <> ''", (contact_id,)
            )
            await self._db.execute(
                "UPDATE conversations SET flow = NULL, step = NULL, data = '{}', buttons = '[]'"
                " WHERE contact_id = ?",
                (contact_id,),
            )
            await self._db.execute(
                "INSERT INTO erasures (contact_id, erased_at) VALUES (?, ?)"
                " ON CONFLICT (contact_id) DO UPDATE SET erased_at = excluded.erased_at",
                (contact_id, stamp),
            )
            await self._db.execute(
                "UPDATE contacts SET display_name = '' WHERE id = ?", (contact_id,)
            )
            cards = await self._erase_linked(contact_id)
        return Erased(registrations=registrations, messages=messages, cards=cards)

    async def _erase_linked(self, contact_id: int) -> int:
        """Erase rows of other features that point at the person, where those tables exist."""
        tables = await self._tables_with_contact_id()
        cards = 0
        if "residents" in tables:
            cards = await self._db.execute_rowcount(
                "DELETE FROM residents WHERE contact_id = ? AND source = 'self'", (contact_id,)
            )
            cards += await self._db.execute_rowcount(
                "UPDATE residents SET contact_id = NULL WHERE contact_id = ?", (contact_id,)
            )
        if "resident_contacts" in tables:
            cards += await self._db.execute_rowcount(
                "DELETE FROM resident_contacts WHERE contact_id = ?", (contact_id,)
            )
        if "contact_places" in tables:
            await self._db.execute("DELETE FROM contact_places WHERE contact_id = ?", (contact_id,))
        if "link_attempts" in tables:
            await self._db.execute("DELETE FROM link_attempts WHERE contact_id = ?", (contact_id,))
        if "outbox" in tables:
            await self._db.execute("DELETE FROM outbox WHERE contact_id = ?", (contact_id,))
        return cards

    async def _tables_with_contact_id(self) -> set[str]:
        rows = await self._db.fetchall(
            "SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c"
            " WHERE m.type = 'table' AND c.name = 'contact_id'"
        )
        return {row["name"] for row in rows}

    async def personal_data(self, contact_id: int) -> PersonalData:
        """Return everything stored about a person: profile, registrations, cards, messages."""
        contact = await self._db.fetchone(
            "SELECT channel, external_id, display_name, status, first_seen, last_seen"
            " FROM contacts WHERE id = ?",
            (contact_id,),
        )
        counted = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM messages WHERE contact_id = ? AND text <> ''", (contact_id,)
        )
        cards: Sequence[aiosqlite.Row] = []
        if "residents" in await self._tables_with_contact_id():
            cards = await self._db.fetchall(
                "SELECT full_name, phone, commune, village, expiry_date FROM residents"
                " WHERE contact_id = ? ORDER BY id",
                (contact_id,),
            )
        return PersonalData(
            contact=dict(contact) if contact else {},
            registrations=await self.for_contact(contact_id),
            cards=[dict(card) for card in cards],
            messages=int(counted["n"]) if counted else 0,
        )
