"""Benchmark what privacy costs: secure_delete on the daily prune, and /xoa's checkpoint.

Run: `.venv/bin/python bench/bench_privacy.py [CONTACTS]` (default 20,000 contacts with 10
messages each). Prints, on a real SQLite file in a temporary folder:
1. pruning half of the message log (MessageLog.prune) with secure_delete ON (as Loa runs)
   and OFF (SQLite's default), each on a fresh copy of the same data;
2. one resident's erasure (Registrations.erase_contact) and the WAL checkpoint that follows it.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store
from bot.store.db import iso

START = datetime(2026, 1, 1, tzinfo=UTC)
TEXT = "nha toi 4 nguoi dong bhyt 6 thang het bao nhieu, cho toi hoi the het han thi sao"


async def _seed(path: Path, contacts: int) -> Store:
    store = await Store.open(path)
    people = [("telegram", str(i), iso(START), iso(START)) for i in range(contacts)]
    messages = [
        (1 + i % contacts, "in" if i % 2 else "out", "text", TEXT, iso(START + timedelta(hours=i)))
        for i in range(contacts * 10)
    ]
    await store.db.write_all(
        [
            (
                "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?)",
                people,
            ),
            (
                "INSERT INTO messages (contact_id, direction, kind, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                messages,
            ),
        ]
    )
    return store


async def _prune(folder: Path, contacts: int, secure: bool) -> tuple[float, int]:
    store = await _seed(folder / f"prune-{secure}.db", contacts)
    try:
        await store.db.execute(f"PRAGMA secure_delete = {'ON' if secure else 'OFF'}")
        middle = START + timedelta(hours=contacts * 5)
        began = time.perf_counter()
        removed = await store.messages.prune(middle)
        return time.perf_counter() - began, removed
    finally:
        await store.close()


async def _erase(folder: Path, contacts: int) -> tuple[list[float], list[float]]:
    store = await _seed(folder / "erase.db", contacts)
    erase, checkpoint = [], []
    try:
        for contact_id in range(1, 21):
            began = time.perf_counter()
            await store.registrations.erase_contact(contact_id, START)
            middle = time.perf_counter()
            assert await store.db.checkpoint()
            erase.append(middle - began)
            checkpoint.append(time.perf_counter() - middle)
        return erase, checkpoint
    finally:
        await store.close()


async def main(contacts: int) -> None:
    """Print the figures."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for secure in (True, False):
            seconds, removed = await _prune(folder, contacts, secure)
            label = "ON " if secure else "OFF"
            print(
                f"prune {removed:,} of {contacts * 10:,} messages, secure_delete {label}: "
                f"{seconds * 1000:,.0f} ms"
            )
        erase, checkpoint = await _erase(folder, contacts)
        print(
            f"erasure of one resident (10 messages), 20 runs: median "
            f"{statistics.median(erase) * 1000:.2f} ms, then checkpoint(TRUNCATE) median "
            f"{statistics.median(checkpoint) * 1000:.2f} ms, max {max(checkpoint) * 1000:.2f} ms"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
