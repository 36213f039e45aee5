"""Benchmark: plan reminders over N residents (default 1,000,000), every one linked.

    python bench/bench_planner.py [N]

Builds a fresh database from a generated list (bench/gen_residents.py, imported with
`loa import`'s service), links every resident to a Telegram contact (bench-only SQL, for
speed of the set-up), then times a dry run, the first real run (renders and queues every
due reminder in the outbox) and a second run (nothing left to do). Target: ≤ 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gen_residents import REFERENCE_DAY, write_residents  # bench/ is on sys.path as a script

__all__ = ["main"]


async def bench(count: int, folder: Path) -> dict[str, float | int]:
    """Build the database and time the planner runs."""
    from bot.app import load_rates
    from bot.config import load_settings
    from bot.officers.importing.service import import_residents
    from bot.render import Renderer
    from bot.store import Store
    from scheduler.planner import plan_reminders

    path = folder / "residents.csv"
    write_residents(count, path)
    settings = load_settings({"DATABASE_URL": f"sqlite:///{folder / 'loa.db'}"}, env_file=None)
    now = datetime(2026, 11, 25, 2, tzinfo=UTC)  # 09:00 in Vietnam
    store = await Store.open(settings.database_path)
    try:
        await import_residents(store.residents, path, today=REFERENCE_DAY, now=now)
        stamp = now.isoformat()
        async with store.db.transaction():  # set-up only: link everyone at once
            await store.db.execute(
                "INSERT INTO contacts (id, channel, external_id, display_name, source,"
                " first_seen, last_seen) SELECT id, 'telegram', id, full_name, 'bench', ?, ?"
                " FROM residents",
                (stamp, stamp),
            )
            await store.db.execute("UPDATE residents SET contact_id = id")
        renderer, book = Renderer(), load_rates(settings)
        figures: dict[str, float | int] = {"residents": await store.residents.count()}
        for label, dry in (("dry_run", True), ("first_run", False), ("second_run", False)):
            started = time.perf_counter()
            report = await plan_reminders(
                store, renderer, book, settings, now, dry_run=dry, keep_planned=False
            )
            figures[f"{label}_seconds"] = round(time.perf_counter() - started, 2)
            figures[f"{label}_planned"] = report.planned_count
            figures[f"{label}_missed"] = report.missed
        figures["outbox_rows"] = sum((await store.outbox.counts()).values())
    finally:
        await store.close()
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(asyncio.run(bench(args.count, Path(folder))), indent=2))


if __name__ == "__main__":
    main()
