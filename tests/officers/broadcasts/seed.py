"""Fast seeding of contacts, registry records and registrations for broadcast tests and benches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.places import place_key
from bot.store.db import Database, iso

__all__ = ["Person", "seed"]


@dataclass(frozen=True, slots=True)
class Person:
    """One resident to seed: a Telegram contact, with a registry record unless `expiry` is None."""

    chat_id: int
    name: str
    commune: str
    village: str
    expiry: date | None
    status: str = "active"
    interest: str | None = None


async def seed(db: Database, people: list[Person], now: datetime) -> None:
    """Insert the people as contacts (+ residents, + registrations) in one transaction."""
    stamp = iso(now)
    async with db.transaction():
        top = await db.fetchone("SELECT COALESCE(MAX(id), 0) AS top FROM contacts")
        assert top is not None
        first = top["top"] + 1
        await db.executemany(
            "INSERT INTO contacts (id, channel, external_id, display_name, status, first_seen,"
            " last_seen) VALUES (?, 'telegram', ?, ?, ?, ?, ?)",
            [
                (first + i, str(p.chat_id), p.name, p.status, stamp, stamp)
                for i, p in enumerate(people)
            ],
        )
        await db.executemany(
            "INSERT INTO residents (full_name, bhxh_number, commune, commune_key, village,"
            " village_key, expiry_date, contact_id, source, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)",
            [
                (
                    p.name,
                    f"{first + i:010d}",
                    p.commune,
                    place_key(p.commune),
                    p.village,
                    place_key(p.village),
                    p.expiry.isoformat(),
                    first + i,
                    stamp,
                    stamp,
                )
                for i, p in enumerate(people)
                if p.expiry is not None
            ],
        )
        await db.executemany(
            "INSERT INTO registrations (contact_id, interest, full_name, phone, commune,"
            " commune_key, village, village_key, call_time, consent_at, created_at, updated_at)"
            " VALUES (?, ?, ?, '+84912345678', ?, ?, ?, ?, 'any', ?, ?, ?)",
            [
                (
                    first + i,
                    p.interest,
                    p.name,
                    p.commune,
                    place_key(p.commune),
                    p.village,
                    place_key(p.village),
                    stamp,
                    stamp,
                    stamp,
                )
                for i, p in enumerate(people)
                if p.interest is not None
            ],
        )
