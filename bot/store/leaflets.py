"""Leaflet codes (one live code per village) and the villages a leaflet can be printed for."""

from __future__ import annotations

import re
from datetime import datetime

import aiosqlite

from bot.core.leaflets import LeafletCode, is_leaflet_code
from bot.core.officer import Commune
from bot.store.db import Database, iso, parse_iso
from bot.store.drafts import Place

__all__ = ["LeafletCodes"]

_NUMBER = re.compile(r"(\d+)")

_COLUMNS = "code, commune_key, commune, village_key, village, created_by, created_at, revoked_at"


def _natural(place: Place) -> tuple[object, ...]:
    """Order "Thôn 2" before "Thôn 10"."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(place.key))


def _code(row: aiosqlite.Row) -> LeafletCode:
    return LeafletCode(
        code=row["code"],
        commune_key=row["commune_key"],
        commune=row["commune"],
        village_key=row["village_key"],
        village=row["village"],
        created_by=row["created_by"],
        created_at=parse_iso(row["created_at"]),
        revoked_at=parse_iso(row["revoked_at"]) if row["revoked_at"] else None,
    )


class LeafletCodes:
    """Queries over leaflet codes and the communes and villages they are made for."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def live_or_create(
        self, commune: Commune, village: Place, new_code: str, by: str, now: datetime
    ) -> LeafletCode:
        """Return the village's live code, storing `new_code` for it when it has none."""
        async with self._db.transaction():
            found = await self._live_of(commune.key, village.key)
            if found is not None:
                return found
            await self._db.execute(
                f"INSERT INTO leaflet_codes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (new_code, commune.key, commune.name, village.key, village.name, by, iso(now)),
            )
            made = await self._live_of(commune.key, village.key)
        assert made is not None
        return made

    async def _live_of(self, commune_key: str, village_key: str) -> LeafletCode | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM leaflet_codes WHERE commune_key = ? AND village_key = ?"
            " AND revoked_at IS NULL",
            (commune_key, village_key),
        )
        return None if row is None else _code(row)

    async def for_commune(self, commune_key: str) -> list[LeafletCode]:
        """Return the commune's codes, live and revoked, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM leaflet_codes WHERE commune_key = ?"
            " ORDER BY created_at, village_key",
            (commune_key,),
        )
        return [_code(row) for row in rows]

    async def revoke(self, code: str, now: datetime) -> LeafletCode | None:
        """Revoke a live code; return it, or None when it is unknown or revoked already."""
        async with self._db.transaction():
            changed = await self._db.execute_rowcount(
                "UPDATE leaflet_codes SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL",
                (iso(now), code),
            )
            row = await self._db.fetchone(
                f"SELECT {_COLUMNS} FROM leaflet_codes WHERE code = ?", (code,)
            )
        return _code(row) if changed and row is not None else None

    async def live(self, code: str) -> LeafletCode | None:
        """Return the live code `code` (as typed or scanned), or None if unknown or revoked."""
        if not is_leaflet_code(code):
            return None
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM leaflet_codes WHERE code = ? AND revoked_at IS NULL",
            (code,),
        )
        return None if row is None else _code(row)

    async def commune_name(self, commune_key: str) -> str | None:
        """Return the commune's name as the registry or its leaflets spell it, if known."""
        row = await self._db.fetchone(
            "SELECT MIN(name) AS name FROM ("
            " SELECT commune AS name FROM residents WHERE commune_key = ?"
            " UNION ALL SELECT commune FROM leaflet_codes WHERE commune_key = ?)",
            (commune_key, commune_key),
        )
        return None if row is None or row["name"] is None else str(row["name"])

    async def villages(self, commune_key: str) -> list[Place]:
        """Return every village of the commune known from the registry or from its leaflets."""
        rows = await self._db.fetchall(
            "SELECT key, MIN(name) AS name FROM ("
            " SELECT village_key AS key, village AS name FROM residents"
            "  WHERE commune_key = ? AND village_key <> ''"
            " UNION ALL SELECT village_key, village FROM leaflet_codes WHERE commune_key = ?)"
            " GROUP BY key",
            (commune_key, commune_key),
        )
        return sorted((Place(row["key"], row["name"]) for row in rows), key=_natural)
