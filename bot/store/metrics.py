"""Counts for the operator's /metrics and /healthz: numbers only, never a name, a text or an id."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database, Migration

__all__ = ["Gauges", "Metrics", "SchemaState"]


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Which migrations the database has, against the ones this code ships."""

    applied: int
    pending: tuple[int, ...]  # shipped but not applied (restart to apply)
    unknown: tuple[int, ...]  # applied but not shipped (the database is newer than the code)

    @property
    def current(self) -> bool:
        """Tell whether the database has exactly the migrations the code ships."""
        return not self.pending and not self.unknown


@dataclass(frozen=True, slots=True)
class Gauges:
    """Row counts, by the labels /metrics shows."""

    messages: dict[str, int]  # direction (in, out) → messages kept in the chat log
    outbox: dict[tuple[str, str], int]  # (kind, status) → outbox rows
    residents: dict[str, int]  # source (import, self) → residents on the lists


class Metrics:
    """Read-only counts over the schema, the chat log, the outbox and the residents."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def schema(self) -> SchemaState:
        """Compare the applied migrations with the shipped ones (reads the database file)."""
        rows = await self._db.fetchall("SELECT version FROM schema_migrations")
        applied = {int(row["version"]) for row in rows}
        shipped = {migration.version for migration in Migration.discover()}
        return SchemaState(
            applied=len(applied),
            pending=tuple(sorted(shipped - applied)),
            unknown=tuple(sorted(applied - shipped)),
        )

    async def gauges(self) -> Gauges:
        """Count messages by direction, outbox rows by kind and status, residents by source."""
        messages = await self._db.fetchall(
            "SELECT direction, COUNT(*) AS n FROM messages GROUP BY direction"
        )
        outbox = await self._db.fetchall(
            "SELECT kind, status, COUNT(*) AS n FROM outbox GROUP BY kind, status"
        )
        residents = await self._db.fetchall(
            "SELECT source, COUNT(*) AS n FROM residents GROUP BY source"
        )
        return Gauges(
            messages={str(row["direction"]): int(row["n"]) for row in messages},
            outbox={(str(row["kind"]), str(row["status"])): int(row["n"]) for row in outbox},
            residents={str(row["source"]): int(row["n"]) for row in residents},
        )
