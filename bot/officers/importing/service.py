"""Import a resident list into the registry: file → report of what was (or would be) done."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from bot.core.officer import Commune
from bot.core.registry import ResidentRow
from bot.officers.importing.limits import ImportLimits
from bot.officers.importing.reader import RowError, RowWarning, read_residents
from bot.reasons import Reason
from bot.store.residents import Residents

__all__ = ["BATCH_ROWS", "Commune", "ImportReport", "RejectedRow", "import_residents"]

BATCH_ROWS = 10_000
IMPORT_SWITCH_INTERVAL = 0.0005
"""Seconds between the interpreter's thread switches while a list is read (default 0.005)."""


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row of the list that was not imported, with the reason (labels `import.row.*`)."""

    row_number: int
    reason: str


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
    stopped_after: int | None = None  # the last row read when the list was over `row_limit`
    row_limit: int | None = None


async def import_residents(
    residents: Residents,
    path: Path,
    *,
    today: date,
    now: datetime,
    dry_run: bool = False,
    communes: Sequence[Commune] | None = None,
    limits: ImportLimits | None = None,
) -> ImportReport:
    """Read the list at `path` and merge it into the registry (nothing written on `dry_run`).

    The file is read in a worker thread, a batch of rows at a time, so the event loop
    keeps answering everyone else; each batch goes to a staging table while the next one
    is read (the database works in its own thread), and memory stays flat whatever the
    list's size. With `communes` (an officer's list), rows of another commune, or of a
    resident the registry has in another commune, are rejected; a row without a commune
    belongs to the officer's commune when they cover one, and is rejected when several.
    With `limits`, a list too large is refused and reading stops after `limits.max_rows` data
    rows (the report says where). Imports on one store run one after another; each stages
    in its own table.
    Raises what `read_residents` raises for an unreadable file, missing columns or size.
    """
    async with residents.import_turn:  # lists are read one at a time
        # The rows read allocate many objects, which sets off full garbage collections;
        # frozen, the objects alive before the import are not rescanned by each of them
        # (every full collection stops the event loop too).
        gc.freeze()
        # The worker thread parsing the list holds the GIL for up to the switch interval
        # (5 ms) each time; every step of a resident's answer waits that long for it. A
        # shorter interval while a list is read keeps answers quick (measured: worst reply
        # 1.0 s → 0.3 s during a 50,000-row import, bench/bench_import_latency.py).
        switch = sys.getswitchinterval()
        sys.setswitchinterval(IMPORT_SWITCH_INTERVAL)
        try:
            return await _import(residents, path, today, now, dry_run, communes, limits)
        finally:
            sys.setswitchinterval(switch)
            gc.unfreeze()


async def _import(
    residents: Residents,
    path: Path,
    today: date,
    now: datetime,
    dry_run: bool,
    communes: Sequence[Commune] | None,
    limits: ImportLimits | None,
) -> ImportReport:
    """Import the list (the caller holds the import turn)."""
    parse = await asyncio.to_thread(read_residents, path, today=today, limits=limits)
    job = residents.begin_import()
    rejected: list[RejectedRow] = []
    rows = 0
    try:
        with parse:
            outcomes = iter(parse)
            pending: asyncio.Task[None] | None = None
            while True:
                batch = await asyncio.to_thread(_next_batch, outcomes, communes)
                rows += batch.rows
                rejected.extend(batch.rejected)
                if pending is not None:
                    await pending
                    pending = None
                if batch.accepted:
                    pending = asyncio.ensure_future(job.stage(batch.accepted))
                if batch.last:
                    break
            if pending is not None:
                await pending
        merged = await job.merge(
            now,
            apply=not dry_run,
            commune_keys=None if communes is None else [c.key for c in communes],
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
        stopped_after=parse.stopped_after,
        row_limit=limits.max_rows if limits else None,
    )


@dataclass(slots=True)
class _Batch:
    """Up to `BATCH_ROWS` rows read in the worker thread: what to stage, what is rejected."""

    rows: int = 0
    accepted: list[ResidentRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    last: bool = False


def _next_batch(
    outcomes: Iterator[ResidentRow | RowError], communes: Sequence[Commune] | None
) -> _Batch:
    """Read the next rows of the list (in a worker thread) until `BATCH_ROWS` are accepted.

    Rejected rows count towards the batch too, so a list of only bad rows still comes back
    to the event loop every `BATCH_ROWS` rows.
    """
    batch = _Batch()
    for outcome in outcomes:
        batch.rows += 1
        row = _accepted(outcome, communes)
        if isinstance(row, RejectedRow):
            batch.rejected.append(row)
        else:
            batch.accepted.append(row)
        if batch.rows >= BATCH_ROWS:
            return batch
    batch.last = True
    return batch


def _accepted(
    outcome: ResidentRow | RowError, communes: Sequence[Commune] | None
) -> ResidentRow | RejectedRow:
    """Return a parsed row to stage, or why it is rejected.

    With `communes`, a row without a commune gets the officer's one commune (and is refused
    when they cover several), and a row of another commune is refused.
    """
    if isinstance(outcome, RowError):
        return RejectedRow(outcome.row_number, outcome.reason)
    row = outcome
    if communes is None:
        return row
    names = ", ".join(c.name for c in communes)
    if not row.commune_key:
        if len(communes) == 1:
            return replace(row, commune=communes[0].name, commune_key=communes[0].key)
        return RejectedRow(row.row_number, Reason("import.row.no_commune", own=names))
    if all(row.commune_key != c.key for c in communes):
        why = Reason("import.row.other_commune", commune=row.commune, own=names)
        return RejectedRow(row.row_number, why)
    return row
