"""Benchmark: import a generated resident list of N rows (default 1,000,000) into SQLite.

    python bench/bench_import.py [N]

The list is generated first (bench/gen_residents.py); a fresh Python process then imports
it into a fresh database (parse + staging + merge), reporting the time and its peak
resident memory (ru_maxrss). A second import of the same list (every row unchanged) is
timed too. Target: ≤ 60 s and ≤ 500 MB for 1,000,000 rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from gen_residents import REFERENCE_DAY, write_residents  # bench/ is on sys.path as a script

__all__ = ["main"]


def _peak_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def import_once(path: Path, database: Path) -> dict[str, float | int]:
    """Import `path` into `database` twice (fresh, then again); return figures."""
    from bot.officers.importing.service import import_residents
    from bot.store import Store

    now = datetime(2026, 11, 25, 2, tzinfo=UTC)
    store = await Store.open(database)
    try:
        started = time.perf_counter()
        report = await import_residents(store.residents, path, today=REFERENCE_DAY, now=now)
        first = time.perf_counter() - started
        peak_first = _peak_mb()
        started = time.perf_counter()
        again = await import_residents(store.residents, path, today=REFERENCE_DAY, now=now)
        second = time.perf_counter() - started
    finally:
        await store.close()
    return {
        "rows": report.rows,
        "added": report.added,
        "rejected": len(report.rejected),
        "seconds": round(first, 2),
        "rows_per_second": round(report.rows / first),
        "peak_mb": round(peak_first, 1),
        "reimport_unchanged": again.unchanged,
        "reimport_seconds": round(second, 2),
        "peak_mb_after_reimport": round(_peak_mb(), 1),
    }


def main() -> None:
    """Generate the list, import it in a subprocess and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(import_once(*args.child))))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "residents.csv"
        started = time.perf_counter()
        write_residents(args.count, path)
        print(f"generated {args.count:,} rows in {time.perf_counter() - started:.1f} s")
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(path), str(Path(folder) / "loa.db")],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(child.stdout)
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
