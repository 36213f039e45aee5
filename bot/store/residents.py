"""The resident registry: people with a BHYT card expiry, from lists or typed by themselves."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.places import Place
from bot.store.db import Database, iso
from bot.store.reminders import DEDUPE_KEY_SQL

if TYPE_CHECKING:
    from bot.core.registry import ResidentRow

__all__ = ["MergeResult", "Resident", "ResidentImport", "Residents", "resident_from_row"]


@dataclass(frozen=True, slots=True)
class Resident:
    """A person whose card Loa reminds about."""

    id: int
    full_name: str
    birth_date: date | None
    bhxh_number: str | None
    id_number: str | None
    phone: str | None
    commune: str
    village: str
    expiry_date: date
    contact_id: int | None
    source: str
    reminders_enabled: bool = True


def _day(text: str | None) -> date | None:
    """Return the ISO date `text` as a date (None stays None)."""
    return date.fromisoformat(text) if text else None


def resident_from_row(row: aiosqlite.Row) -> Resident:
    """Build a Resident from a `residents` row."""
    return Resident(
        id=row["id"],
        full_name=row["full_name"],
        birth_date=_day(row["birth_date"]),
        bhxh_number=row["bhxh_number"],
        id_number=row["id_number"],
        phone=row["phone"],
        commune=row["commune"],
        village=row["village"],
        expiry_date=date.fromisoformat(row["expiry_date"]),
        contact_id=row["contact_id"],
        source=row["source"],
        reminders_enabled=bool(row["reminders_enabled"]),
    )


_LATEST_SQL = (
    "SELECT rc.resident_id, c.id AS contact_id, c.status, c.channel FROM resident_contacts rc"
    " JOIN contacts c ON c.id = rc.contact_id"
    " WHERE rc.resident_id IN (SELECT resident_id FROM resident_contacts"
    "  WHERE resident_id BETWEEN ? AND ? GROUP BY resident_id HAVING COUNT(*) > 1)"
    " ORDER BY rc.resident_id, c.last_seen DESC, c.id DESC"
)


class Residents:
    """Queries over the resident registry."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._merges = asyncio.Lock()
        # Held by an import from opening its file to its report: lists are read one at a
        # time, so however many officers send lists at once, one worker thread competes
        # with the residents' answers, not one per list.
        self.import_turn = asyncio.Lock()

    async def get(self, resident_id: int) -> Resident | None:
        """Return the resident with this id, if any."""
        row = await self._db.fetchone("SELECT * FROM residents WHERE id = ?", (resident_id,))
        return resident_from_row(row) if row else None

    async def find_by_phone(self, e164: str) -> list[Resident]:
        """Return the residents listed with this phone number (E.164), oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM residents WHERE phone = ? ORDER BY id", (e164,)
        )
        return [resident_from_row(row) for row in rows]

    async def find_by_phone_and_birth(self, e164: str, birth_date: date) -> list[Resident]:
        """Return the residents listed with this phone number and this full birth date."""
        rows = await self._db.fetchall(
            "SELECT * FROM residents WHERE phone = ? AND birth_date = ? ORDER BY id",
            (e164, birth_date.isoformat()),
        )
        return [resident_from_row(row) for row in rows]

    async def find_by_identity(self, number: str, birth_date: date) -> Resident | None:
        """Return the resident with this BHXH number (10 digits) or CCCD (12 digits) and birth date.

        The registry's full birth date must match: a row that knows only the birth year
        never matches, so a number and a guessed year are not enough to link.
        """
        column = "bhxh_number" if len(number) == 10 else "id_number"
        row = await self._db.fetchone(
            f"SELECT * FROM residents WHERE {column} = ? AND birth_date = ?",
            (number, birth_date.isoformat()),
        )
        return resident_from_row(row) if row else None

    async def link(self, resident_id: int, contact_id: int, now: datetime) -> None:
        """Link the resident to a contact; links from other chats (another app) are kept."""
        stamp = iso(now)
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE residents SET contact_id = ?, updated_at = ? WHERE id = ?",
                (contact_id, stamp, resident_id),
            )
            await self._db.execute(
                "INSERT INTO resident_contacts (resident_id, contact_id, linked_at)"
                " VALUES (?, ?, ?) ON CONFLICT (resident_id, contact_id) DO NOTHING",
                (resident_id, contact_id, stamp),
            )

    async def latest_contacts(self, first_id: int, last_id: int) -> dict[int, tuple[int, str, str]]:
        """Return, for residents in the id range linked from several chats, the chat to use.

        That is the linked contact that wrote most recently: (contact id, status, channel).
        """
        rows = await self._db.fetchall(_LATEST_SQL, (first_id, last_id))
        chosen: dict[int, tuple[int, str, str]] = {}
        for row in rows:  # newest first within each resident
            chosen.setdefault(
                row["resident_id"], (row["contact_id"], row["status"], row["channel"])
            )
        return chosen

    async def known_places(self, limit: int = 2000) -> list[Place]:
        """Return the villages of the registry (a commune alone where no village is given),
        the most residents first; cards the residents typed have no commune."""
        rows = await self._db.fetchall(
            "SELECT MIN(commune) AS commune, MIN(village) AS village, COUNT(*) AS n"
            " FROM residents WHERE commune_key <> ''"
            " GROUP BY commune_key, village_key ORDER BY n DESC, commune_key, village_key"
            " LIMIT ?",
            (limit,),
        )
        return [Place(row["commune"], row["village"]) for row in rows]

    async def add_self_reported(
        self, contact_id: int, full_name: str, expiry_date: date, now: datetime
    ) -> Resident:
        """Record a card typed by the contact (one per contact: typing again replaces it)."""
        stamp = iso(now)
        async with self._db.transaction():
            old = await self._db.fetchone(
                "SELECT id, expiry_date FROM residents WHERE contact_id = ? AND source = 'self'",
                (contact_id,),
            )
            if old is None:
                resident_id = await self._db.execute(
                    "INSERT INTO residents (full_name, expiry_date, contact_id, source,"
                    " created_at, updated_at) VALUES (?, ?, ?, 'self', ?, ?)",
                    (full_name, expiry_date.isoformat(), contact_id, stamp, stamp),
                )
            else:
                resident_id = old["id"]
                if expiry_date.isoformat() > old["expiry_date"]:
                    await self._renew(resident_id, old["expiry_date"], expiry_date, stamp)
                await self._db.execute(
                    "UPDATE residents SET full_name = ?, expiry_date = ?, updated_at = ?"
                    " WHERE id = ?",
                    (full_name, expiry_date.isoformat(), stamp, resident_id),
                )
        resident = await self.get(resident_id)
        assert resident is not None
        return resident

    async def _renew(self, resident_id: int, old: str, new: date, stamp: str) -> None:
        """Record a renewal and cancel the reminders queued for the old expiry date."""
        await self._db.execute(
            "INSERT INTO renewals (resident_id, old_expiry, new_expiry, recorded_at)"
            " VALUES (?, ?, ?, ?)",
            (resident_id, old, new.isoformat(), stamp),
        )
        await self._db.execute(
            _CANCEL_OUTBOX
            + "WHERE m.resident_id = ? AND m.expiry_date = ? AND m.status = 'queued')",
            (stamp, resident_id, old),
        )
        await self._db.execute(
            "UPDATE reminders SET status = 'cancelled', reason = 'renewed', updated_at = ?"
            " WHERE resident_id = ? AND expiry_date = ? AND status = 'queued'",
            (stamp, resident_id, old),
        )

    async def for_contact(self, contact_id: int) -> list[Resident]:
        """Return the residents linked to this contact, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM residents WHERE contact_id = ? OR id IN"
            " (SELECT resident_id FROM resident_contacts WHERE contact_id = ?) ORDER BY id",
            (contact_id, contact_id),
        )
        return [resident_from_row(row) for row in rows]

    async def set_reminders(self, contact_id: int, enabled: bool, now: datetime) -> None:
        """Turn reminders on or off for every resident linked to this contact."""
        await self._db.execute(
            "UPDATE residents SET reminders_enabled = ?, updated_at = ? WHERE contact_id = ?"
            " OR id IN (SELECT resident_id FROM resident_contacts WHERE contact_id = ?)",
            (int(enabled), iso(now), contact_id, contact_id),
        )

    async def renewals(self, resident_id: int) -> list[tuple[date, date]]:
        """Return the (old expiry, new expiry) renewals recorded for a resident, oldest first."""
        rows = await self._db.fetchall(
            "SELECT old_expiry, new_expiry FROM renewals WHERE resident_id = ? ORDER BY id",
            (resident_id,),
        )
        return [
            (date.fromisoformat(r["old_expiry"]), date.fromisoformat(r["new_expiry"])) for r in rows
        ]

    async def count(self) -> int:
        """Return how many residents the registry holds."""
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM residents")
        return int(row["n"]) if row else 0

    def begin_import(self) -> ResidentImport:
        """Start importing a list: stage rows, then merge them into the registry.

        Each import stages in its own table, so imports running at once never mix rows;
        their merges run one after another.
        """
        return ResidentImport(self._db, f"import_rows_{next(_IMPORT_NUMBERS)}", self._merges)


# --- Import ---------------------------------------------------------------------------------

_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year",
    "bhxh_number",
    "card_code",
    "id_number",
    "phone",
    "commune",
    "commune_key",
    "village",
    "village_key",
    "household_code",
    "gender",
    "expiry_date",
)
# What a list row makes of a registry row: an empty imported value never erases a known one.
_MERGED = {
    "full_name": "s.full_name",
    "expiry_date": "s.expiry_date",
    "commune": "COALESCE(NULLIF(s.commune, ''), r.commune)",
    "commune_key": "COALESCE(NULLIF(s.commune_key, ''), r.commune_key)",
    "village": "COALESCE(NULLIF(s.village, ''), r.village)",
    "village_key": "COALESCE(NULLIF(s.village_key, ''), r.village_key)",
}
_MERGED.update({f: f"COALESCE(s.{f}, r.{f})" for f in _FIELDS if f not in _MERGED})
_SAME = " AND ".join(f"r.{f} IS {_MERGED[f]}" for f in _FIELDS)

# Every SQL text below names the staging table `import_rows`; each import puts its own
# table's name in its place (`ResidentImport._sql`).
_IMPORT_NUMBERS = itertools.count(1)
_STAGE_TABLE = (
    "CREATE TEMP TABLE import_rows ("
    " row_number INTEGER PRIMARY KEY, "
    + ", ".join(_FIELDS)
    + ", by_bhxh INTEGER, by_id INTEGER, resident_id INTEGER, old_expiry TEXT,"
    " outcome TEXT)"  # NULL new, 'same', 'changed', 'rejected'
)
_STAGE_INSERT = (
    f"INSERT INTO temp.import_rows (row_number, {', '.join(_FIELDS)})"
    f" VALUES ({', '.join('?' * (len(_FIELDS) + 1))})"
)
_CHUNK_ROWS = 100_000
# Rows staged per transaction: about 20 ms of the database thread (bench/README.md).
_STAGE_CHUNK = 1_000

# Skip the queued outbox messages of reminders a renewal cancels (end the statement with the
# conditions on `m`, the reminders, and a closing parenthesis).
_CANCEL_OUTBOX = (
    "UPDATE outbox SET status = 'skipped', last_error = 'renewed', updated_at = ?"
    " WHERE status = 'queued' AND dedupe_key IN"
    f" (SELECT {DEDUPE_KEY_SQL} FROM reminders m "
)


def _staged(row: ResidentRow) -> tuple[object, ...]:
    """Return a list row as the staging table's parameters."""
    return (
        row.row_number,
        row.full_name,
        row.birth_date.isoformat() if row.birth_date else None,
        row.birth_year,
        row.bhxh_number,
        row.card_code,
        row.id_number,
        row.phone,
        row.commune,
        row.commune_key,
        row.village,
        row.village_key,
        row.household_code,
        row.gender,
        row.expiry_date.isoformat(),
    )


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What merging a list did (or would do, for a dry run) to the registry."""

    added: int
    updated: int
    unchanged: int
    renewed: int
    rejected: tuple[tuple[int, str], ...]


class ResidentImport:
    """One list being imported: rows go to a temporary table, then merge in a few transactions.

    Residents are matched by BHXH number, else by CCCD. A row whose BHXH number and CCCD
    belong to two different residents, or a second row matching a resident already
    matched, is rejected with its row number. An empty value in the list never erases a
    value the registry knows.
    """

    def __init__(self, db: Database, table: str, merges: asyncio.Lock) -> None:
        self._db = db
        self._table = table
        self._merges = merges
        self._ready = False

    def _sql(self, text: str) -> str:
        """Return `text` naming this import's own staging table."""
        return text.replace("import_rows", self._table)

    async def _execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run one statement on this import's staging table."""
        await self._db.execute(self._sql(sql), params)

    async def _executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Run one statement per parameter row on this import's staging table."""
        await self._db.executemany(self._sql(sql), rows)

    async def _fetchall(self, sql: str, params: Sequence[object] = ()) -> list[aiosqlite.Row]:
        """Return every row of a query on this import's staging table."""
        return await self._db.fetchall(self._sql(sql), params)

    async def _fetchone(self, sql: str, params: Sequence[object] = ()) -> aiosqlite.Row | None:
        """Return the first row of a query on this import's staging table."""
        return await self._db.fetchone(self._sql(sql), params)

    async def stage(self, rows: Sequence[ResidentRow]) -> None:
        """Add accepted list rows to the staging table, `_STAGE_CHUNK` rows per transaction.

        Short transactions: the connection is shared, so a resident's query or write waits
        for one chunk at most, not for the whole batch.
        """
        db = self._db
        if not self._ready:
            # Inside a transaction of our own: a statement outside one could join (and be
            # rolled back with) another task's transaction on the shared connection.
            async with db.transaction():
                await self._execute("DROP TABLE IF EXISTS temp.import_rows")
                await self._execute(_STAGE_TABLE)
            self._ready = True
        for start in range(0, len(rows), _STAGE_CHUNK):
            chunk = [_staged(row) for row in rows[start : start + _STAGE_CHUNK]]
            async with db.transaction(lazy=True):
                await self._executemany(_STAGE_INSERT, chunk)

    async def merge(
        self, now: datetime, *, apply: bool = True, commune_keys: Sequence[str] | None = None
    ) -> MergeResult:
        """Match staged rows to the registry, count outcomes and (unless not `apply`) write.

        With `commune_keys`, a row matching a resident the registry has in another commune is
        rejected: an officer's list never changes the residents of a commune they do not cover.
        """
        if not self._ready:
            return MergeResult(0, 0, 0, 0, ())
        db = self._db
        try:
            async with self._merges:  # another import's writes cannot slip between ours
                async with db.transaction(lazy=True):
                    rejected = await self._match(commune_keys)
                    counts = await self._counts()
                if apply:
                    await self._apply(iso(now))
        finally:
            await self.discard()
        return MergeResult(
            added=counts.get("new", 0),
            updated=counts.get("changed", 0),
            unchanged=counts.get("same", 0),
            renewed=counts.get("renewed", 0),
            rejected=tuple(rejected),
        )

    async def discard(self) -> None:
        """Drop the staging table."""
        if self._ready:
            async with self._db.transaction():
                await self._execute("DROP TABLE IF EXISTS temp.import_rows")
            self._ready = False

    async def _match(self, commune_keys: Sequence[str] | None) -> list[tuple[int, str]]:
        """Find each staged row's resident; reject conflicting rows; return the rejections."""
        await self._execute(
            "UPDATE temp.import_rows SET"
            " by_bhxh = (SELECT id FROM main.residents r WHERE r.bhxh_number ="
            "            import_rows.bhxh_number),"
            " by_id = (SELECT id FROM main.residents r WHERE r.id_number = import_rows.id_number)"
        )
        rejected: list[tuple[int, str]] = []
        conflicts = await self._fetchall(
            "SELECT row_number, bhxh_number, id_number FROM temp.import_rows"
            " WHERE by_bhxh IS NOT NULL AND by_id IS NOT NULL AND by_bhxh <> by_id"
        )
        for row in conflicts:
            rejected.append(
                (
                    row["row_number"],
                    f"Mã số BHXH {row['bhxh_number']} và số CCCD {row['id_number']} đã thuộc "
                    "hai người khác nhau trong danh sách đã nhập",
                )
            )
        await self._execute(
            "UPDATE temp.import_rows SET outcome = CASE"
            " WHEN by_bhxh IS NOT NULL AND by_id IS NOT NULL AND by_bhxh <> by_id THEN 'rejected'"
            " END, resident_id = COALESCE(by_bhxh, by_id)"
        )
        if commune_keys is not None:
            marks = ", ".join("?" * len(commune_keys))
            elsewhere = await self._fetchall(
                "SELECT s.row_number, r.commune FROM temp.import_rows s"
                " JOIN main.residents r ON r.id = s.resident_id"
                f" WHERE s.outcome IS NULL AND r.commune_key NOT IN ('', {marks})",
                tuple(commune_keys),
            )
            for row in elsewhere:
                rejected.append(
                    (row["row_number"], f"Người này đã có trong danh sách của “{row['commune']}”")
                )
            await self._executemany(
                "UPDATE temp.import_rows SET outcome = 'rejected' WHERE row_number = ?",
                [(row["row_number"],) for row in elsewhere],
            )
        doubles = await self._fetchall(
            "SELECT s.row_number, f.first FROM temp.import_rows s JOIN"
            " (SELECT resident_id, MIN(row_number) AS first FROM temp.import_rows"
            "  WHERE resident_id IS NOT NULL AND outcome IS NULL"
            "  GROUP BY resident_id HAVING COUNT(*) > 1) f"
            " ON s.resident_id = f.resident_id AND s.row_number > f.first AND s.outcome IS NULL"
        )
        for row in doubles:
            rejected.append(
                (row["row_number"], f"Cùng một người với dòng {row['first']} (trùng mã số)")
            )
        await self._executemany(
            "UPDATE temp.import_rows SET outcome = 'rejected' WHERE row_number = ?",
            [(row["row_number"],) for row in doubles],
        )
        await self._execute(
            "UPDATE temp.import_rows AS s SET old_expiry = r.expiry_date,"
            f" outcome = CASE WHEN {_SAME} THEN 'same' ELSE 'changed' END"
            " FROM main.residents r"
            " WHERE r.id = s.resident_id AND s.outcome IS NULL AND s.resident_id IS NOT NULL"
        )
        rejected.sort()
        return rejected

    async def _counts(self) -> dict[str, int]:
        """Return how many staged rows are new, same, changed, and renewals among the changed."""
        rows = await self._fetchall(
            "SELECT COALESCE(outcome, 'new') AS outcome, COUNT(*) AS n FROM temp.import_rows"
            " GROUP BY 1"
            " UNION ALL SELECT 'renewed', COUNT(*) FROM temp.import_rows"
            "  WHERE outcome = 'changed' AND expiry_date > old_expiry"
        )
        return {row["outcome"]: row["n"] for row in rows}

    async def _apply(self, stamp: str) -> None:
        """Write renewals, updates and new residents, a chunk of rows per transaction."""
        db = self._db
        bounds = await self._fetchone(
            "SELECT MIN(row_number) AS lo, MAX(row_number) AS hi FROM temp.import_rows"
        )
        if bounds is None or bounds["lo"] is None:
            return
        fields = ", ".join(_FIELDS)
        assignments = ", ".join(f"{f} = {_MERGED[f]}" for f in _FIELDS)
        for lo in range(bounds["lo"], bounds["hi"] + 1, _CHUNK_ROWS):
            span = (lo, lo + _CHUNK_ROWS - 1)
            async with db.transaction(lazy=True):
                await self._execute(
                    "INSERT INTO renewals (resident_id, old_expiry, new_expiry, recorded_at)"
                    " SELECT resident_id, old_expiry, expiry_date, ? FROM temp.import_rows"
                    " WHERE row_number BETWEEN ? AND ? AND outcome = 'changed'"
                    "   AND expiry_date > old_expiry ORDER BY row_number",
                    (stamp, *span),
                )
                await self._execute(
                    _CANCEL_OUTBOX + "JOIN temp.import_rows s ON m.resident_id = s.resident_id"
                    " AND m.expiry_date = s.old_expiry WHERE m.status = 'queued'"
                    " AND s.row_number BETWEEN ? AND ? AND s.outcome = 'changed'"
                    " AND s.expiry_date > s.old_expiry)",
                    (stamp, *span),
                )
                await self._execute(
                    "UPDATE reminders SET status = 'cancelled', reason = 'renewed',"
                    " updated_at = ? WHERE status = 'queued' AND (resident_id, expiry_date) IN"
                    " (SELECT resident_id, old_expiry FROM temp.import_rows"
                    "  WHERE row_number BETWEEN ? AND ? AND outcome = 'changed'"
                    "    AND expiry_date > old_expiry)",
                    (stamp, *span),
                )
                await self._execute(
                    f"UPDATE residents AS r SET {assignments}, updated_at = ?"
                    " FROM temp.import_rows s WHERE s.resident_id = r.id"
                    "  AND s.row_number BETWEEN ? AND ? AND s.outcome = 'changed'",
                    (stamp, *span),
                )
                await self._execute(
                    f"INSERT INTO residents ({fields}, source, created_at, updated_at)"
                    f" SELECT {fields}, 'import', ?, ? FROM temp.import_rows"
                    " WHERE row_number BETWEEN ? AND ? AND outcome IS NULL ORDER BY row_number",
                    (stamp, stamp, *span),
                )
