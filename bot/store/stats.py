"""Read-only counts for officers' statistics, limited to some communes (None = all)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.store.db import Database, iso

__all__ = ["Counts", "LeafletFunnel", "Statistics"]


@dataclass(frozen=True, slots=True)
class LeafletFunnel:
    """One leaflet code's residents: who came through it, then registered, linked, renewed."""

    code: str
    commune: str
    village: str
    revoked: bool
    came: int
    registered: int
    linked: int
    renewed: int


@dataclass(frozen=True, slots=True)
class Counts:
    """Everything `/stats` shows, counted in one go."""

    residents: int
    linked: int
    contacts: dict[str, int]
    registrations: dict[tuple[str, str], int]
    reminders_by_stage: dict[int, int]
    reminded: int
    renewed_after_reminder: int
    renewals_by_week: list[tuple[date, int]]
    broadcasts: int
    broadcast_sent: int
    broadcast_failed: int
    places: list[tuple[str, str, int, int]]
    # Contacts by how their place became known (leaflet, answer, registration, card; and,
    # over every commune, "unknown" for those with no place), and by commune and village.
    place_sources: dict[str, int]
    contact_places: list[tuple[str, str, int]]
    leaflets: list[LeafletFunnel]


def _scope(column: str, communes: Sequence[str] | None) -> tuple[str, list[Any]]:
    if communes is None:
        return "1 = 1", []
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(list(communes))]


class Statistics:
    """Counts over residents, contacts, registrations, reminders, renewals and broadcasts."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def counts(
        self, communes: Sequence[str] | None, now: datetime, *, weeks: int = 12
    ) -> Counts:
        """Count for the communes (keys; None = all) as at `now`."""
        res, res_p = _scope("r.commune_key", communes)
        reg, reg_p = _scope("g.commune_key", communes)
        row = await self._db.fetchone(
            f"SELECT COUNT(*) AS n, COUNT(r.contact_id) AS linked FROM residents r WHERE {res}",
            res_p,
        )
        assert row is not None
        contacts = await self._db.fetchall(
            "SELECT c.status, COUNT(*) AS n FROM contacts c WHERE c.id IN ("
            f" SELECT r.contact_id FROM residents r WHERE r.contact_id IS NOT NULL AND {res}"
            " UNION"
            f" SELECT g.contact_id FROM registrations g WHERE g.contact_id IS NOT NULL AND {reg})"
            " GROUP BY c.status",
            res_p + reg_p,
        )
        registrations = await self._db.fetchall(
            "SELECT g.interest, g.status, COUNT(*) AS n FROM registrations g"
            f" WHERE g.erased_at IS NULL AND {reg} GROUP BY g.interest, g.status",
            reg_p,
        )
        reminders = await self._db.fetchall(
            "SELECT o.dedupe_key, r.id AS resident, o.sent_at FROM outbox o"
            " JOIN residents r ON r.id = CAST(substr(o.dedupe_key, 10,"
            " instr(substr(o.dedupe_key, 10), ':') - 1) AS INTEGER)"
            " WHERE o.dedupe_key >= 'reminder:' AND o.dedupe_key < 'reminder;'"
            f" AND o.status = 'sent' AND {res}",
            res_p,
        )
        by_stage: dict[int, int] = {}
        first_sent: dict[int, str] = {}
        for item in reminders:
            stage = int(item["dedupe_key"].rsplit(":", 1)[1])
            by_stage[stage] = by_stage.get(stage, 0) + 1
            sent = item["sent_at"]
            if item["resident"] not in first_sent or sent < first_sent[item["resident"]]:
                first_sent[item["resident"]] = sent
        renewals = await self._db.fetchall(
            "SELECT n.resident_id, n.recorded_at FROM renewals n"
            f" JOIN residents r ON r.id = n.resident_id WHERE {res}",
            res_p,
        )
        renewed = set()
        start = (now - timedelta(weeks=weeks)).date()
        start -= timedelta(days=start.weekday())
        weekly = dict.fromkeys((start + timedelta(weeks=i) for i in range(weeks + 1)), 0)
        for item in renewals:
            at = datetime.fromisoformat(item["recorded_at"])
            sent = first_sent.get(item["resident_id"])
            if sent is not None and sent <= item["recorded_at"] <= iso(
                datetime.fromisoformat(sent) + timedelta(days=30)
            ):
                renewed.add(item["resident_id"])
            monday = at.date() - timedelta(days=at.date().weekday())
            if monday in weekly:
                weekly[monday] += 1
        bc, bc_p = _scope("value", communes)
        broadcast_filter = (
            "1 = 1"
            if communes is None
            else f"b.communes <> '*' AND NOT EXISTS (SELECT 1 FROM json_each(b.communes)"
            f" WHERE NOT ({bc}))"
        )
        broadcasts = await self._db.fetchone(
            f"SELECT COUNT(*) AS n FROM broadcasts b WHERE {broadcast_filter}", bc_p
        )
        outcomes = await self._db.fetchall(
            "SELECT o.status, COUNT(*) AS n FROM broadcasts b JOIN outbox o"
            " ON o.dedupe_key >= 'broadcast:' || b.id || ':'"
            " AND o.dedupe_key < 'broadcast:' || b.id || ';'"
            f" WHERE {broadcast_filter} GROUP BY o.status",
            bc_p,
        )
        done = {item["status"]: item["n"] for item in outcomes}
        places = await self._db.fetchall(
            "SELECT r.commune, r.village, COUNT(*) AS n, COUNT(r.contact_id) AS linked"
            f" FROM residents r WHERE {res} GROUP BY r.commune_key, r.village_key"
            " ORDER BY r.commune_key, r.village_key",
            res_p,
        )
        assert broadcasts is not None
        sources, known = await self._places(communes)
        return Counts(
            residents=row["n"],
            linked=row["linked"],
            contacts={item["status"]: item["n"] for item in contacts},
            registrations={(item["interest"], item["status"]): item["n"] for item in registrations},
            reminders_by_stage=dict(sorted(by_stage.items())),
            reminded=len(first_sent),
            renewed_after_reminder=len(renewed),
            renewals_by_week=sorted(weekly.items()),
            broadcasts=broadcasts["n"],
            broadcast_sent=done.get("sent", 0),
            broadcast_failed=done.get("failed", 0),
            places=[(p["commune"], p["village"], p["n"], p["linked"]) for p in places],
            place_sources=sources,
            contact_places=known,
            leaflets=await self._leaflets(communes),
        )

    async def _places(
        self, communes: Sequence[str] | None
    ) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
        scope, params = _scope("p.commune_key", communes)
        rows = await self._db.fetchall(
            f"SELECT p.source, COUNT(*) AS n FROM contact_places p WHERE {scope}"
            " GROUP BY p.source ORDER BY n DESC, p.source",
            params,
        )
        sources = {row["source"]: row["n"] for row in rows}
        if communes is None:
            unknown = await self._db.fetchone(
                "SELECT COUNT(*) AS n FROM contacts c WHERE NOT EXISTS"
                " (SELECT 1 FROM contact_places p WHERE p.contact_id = c.id)"
            )
            assert unknown is not None
            if unknown["n"]:
                sources["unknown"] = unknown["n"]
        villages = await self._db.fetchall(
            "SELECT MIN(p.commune) AS commune, MIN(p.village) AS village, COUNT(*) AS n"
            f" FROM contact_places p WHERE {scope} GROUP BY p.commune_key, p.village_key"
            " ORDER BY p.commune_key, p.village_key",
            params,
        )
        return sources, [(v["commune"], v["village"], v["n"]) for v in villages]

    async def _leaflets(self, communes: Sequence[str] | None) -> list[LeafletFunnel]:
        scope, params = _scope("l.commune_key", communes)
        rows = await self._db.fetchall(
            "SELECT l.code, l.commune, l.village, l.revoked_at IS NOT NULL AS revoked,"
            " (SELECT COUNT(*) FROM contact_places p WHERE p.leaflet_code = l.code) AS came,"
            " (SELECT COUNT(DISTINCT g.contact_id) FROM contact_places p JOIN registrations g"
            "  ON g.contact_id = p.contact_id AND g.erased_at IS NULL"
            "  WHERE p.leaflet_code = l.code) AS registered,"
            " (SELECT COUNT(DISTINCT k.contact_id) FROM contact_places p JOIN resident_contacts k"
            "  ON k.contact_id = p.contact_id WHERE p.leaflet_code = l.code) AS linked,"
            " (SELECT COUNT(DISTINCT n.resident_id) FROM contact_places p JOIN resident_contacts k"
            "  ON k.contact_id = p.contact_id JOIN renewals n ON n.resident_id = k.resident_id"
            "  AND n.recorded_at >= p.set_at WHERE p.leaflet_code = l.code) AS renewed"
            f" FROM leaflet_codes l WHERE {scope}"
            " ORDER BY l.commune_key, l.village_key, l.created_at",
            params,
        )
        return [
            LeafletFunnel(
                code=row["code"],
                commune=row["commune"],
                village=row["village"],
                revoked=bool(row["revoked"]),
                came=row["came"],
                registered=row["registered"],
                linked=row["linked"],
                renewed=row["renewed"],
            )
            for row in rows
        ]
