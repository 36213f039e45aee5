"""Import a resident list into the registry: file → report of what was (or would be) done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from bot.importing.reader import ResidentRow, RowError, RowWarning, read_residents
from bot.store.residents import Residents

__all__ = ["BATCH_ROWS", "Commune", "ImportReport", "RejectedRow", "import_residents"]

BATCH_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row of the list that was not imported, with the reason in plain Vietnamese."""

    row_number: int
    reason: str


@dataclass(frozen=True, slots=True)
class Commune:
    """The one commune an officer's list may hold: its display name and matching key."""

    name: str
    key: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing one list did (or, for a dry run, would do)."""

    file_name: str
    dry_run: bool
    rows: int
    added: int
    updated: int
    unchanged: int
    renewed: int
    rejected: tuple[RejectedRow, ...]
    blank_rows: int
    warnings: tuple[RowWarning, ...]

    @property
    def accounted(self) -> bool:
        """Return True when every data row is added, updated, unchanged or rejected."""
        return self.added + self.updated + self.unchanged + len(self.rejected) == self.rows


async def import_residents(
    residents: Residents,
    path: Path,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
    commune: Commune | None = None,
) -> ImportReport:
    """Read the list at `path` and merge it into the registry (nothing written on `dry_run`).

    Rows stream from the file to a staging table in batches while the next batch is parsed
    (the database works in its own thread), so memory stays flat whatever the list's size.
    With `commune` (an officer's list), rows without a commune belong to it, and rows of
    another commune, or of a resident the registry has in another commune, are rejected.
    Raises what `read_residents` raises for an unreadable file or missing columns.
    """
    parse = read_residents(path, today=today)
    job = residents.begin_import()
    rejected: list[RejectedRow] = []
    rows = 0
    try:
        with parse:
            batch: list[ResidentRow] = []
            pending: asyncio.Task[None] | None = None
            for outcome in parse:
                rows += 1
                row = _accepted(outcome, commune)
                if isinstance(row, RejectedRow):
                    rejected.append(row)
                    continue
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    pending = await _handoff(pending, job.stage(batch))
                    batch = []
            if pending is not None:
                await pending
            if batch:
                await job.stage(batch)
        merged = await job.merge(
            now, apply=not dry_run, commune_key=commune.key if commune else None
        )
    except BaseException:
        await job.discard()
        raise
    rejected.extend(RejectedRow(number, reason) for number, reason in merged.rejected)
    rejected.sort(key=lambda r: r.row_number)
    return ImportReport(
        file_name=path.name,
        dry_run=dry_run,
        rows=rows,
        added=merged.added,
        updated=merged.updated,
        unchanged=merged.unchanged,
        renewed=merged.renewed,
        rejected=tuple(rejected),
        blank_rows=parse.blank_rows,
        warnings=tuple(parse.warnings),
    )


def _accepted(
    outcome: ResidentRow | RowError, commune: Commune | None
) -> ResidentRow | RejectedRow:
    """Return a parsed row to stage, or why it is rejected.

    With `commune`, a row without a commune gets it, and a row of another commune is refused.
    """
    if isinstance(outcome, RowError):
        return RejectedRow(outcome.row_number, outcome.reason)
    row = outcome
    if commune is None:
        return row
    if not row.commune_key:
        return replace(row, commune=commune.name, commune_key=commune.key)
    if row.commune_key != commune.key:
        return RejectedRow(
            row.row_number, f"Dòng của “{row.commune}”, không thuộc xã của bạn ({commune.name})"
        )
    return row


async def _handoff(
    previous: asyncio.Task[None] | None, write: Awaitable[None]
) -> asyncio.Task[None]:
    """Wait for the previous batch's write, start this one, and let it reach the database."""
    if previous is not None:
        await previous
    task = asyncio.ensure_future(write)
    await asyncio.sleep(0)  # the write is handed to the database thread before parsing resumes
    return task
