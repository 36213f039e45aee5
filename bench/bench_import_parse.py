"""Benchmark: parse a generated resident list of N rows (default 1,000,000).

    python bench/bench_import_parse.py [N] [--keep DIR]

The list is generated first (bench/gen_residents.py), then parsed in a fresh Python
process so the generator's memory does not count; that process reports the parse time and
its peak resident memory (ru_maxrss). Target for the whole import (parse + database, built
later): ≤ 60 s and ≤ 500 MB for 1,000,000 rows, so the parse alone should stay well under
30 s.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from gen_residents import REFERENCE_DAY, write_residents  # bench/ is on sys.path as a script

__all__ = ["main"]


def _peak_mb() -> float:
    """Return this process's peak resident memory in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_only(path: Path) -> dict[str, float | int]:
    """Parse `path` completely, counting outcomes; return figures (run in a fresh process)."""
    from bot.officers.importing.reader import read_residents

    before = _peak_mb()
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    parse = read_residents(path, today=REFERENCE_DAY)
    for outcome in parse:
        outcomes[type(outcome).__name__] += 1
    seconds = time.perf_counter() - started
    rows = outcomes["ResidentRow"] + outcomes["RowError"]
    return {
        "rows": rows,
        "accepted": outcomes["ResidentRow"],
        "errors": outcomes["RowError"],
        "warnings": len(parse.warnings),
        "blank_rows": parse.blank_rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_mb_after_imports": round(before, 1),
        "peak_mb": round(_peak_mb(), 1),
    }


def main() -> None:
    """Generate the list, parse it in a subprocess and print the figures."""
    parser = argparse.ArgumentParser(description="Benchmark the resident-list parse.")
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the CSV here instead of a temp dir")
    parser.add_argument("--parse-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.parse_only:
        print(json.dumps(parse_only(args.parse_only)))
        return

    with tempfile.TemporaryDirectory() as scratch:
        out = args.keep or Path(scratch) / "residents.csv"
        started = time.perf_counter()
        write_residents(args.count, out)
        generated = time.perf_counter() - started
        size_mb = out.stat().st_size / 1e6
        print(f"generated {args.count:,} rows ({size_mb:.0f} MB) in {generated:.1f} s")
        child = subprocess.run(
            [sys.executable, __file__, "--parse-only", str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(child.stdout)
    print(
        f"parsed {figures['rows']:,} rows in {figures['seconds']} s "
        f"= {figures['rows_per_second']:,} rows/s; "
        f"accepted {figures['accepted']:,}, errors {figures['errors']:,}, "
        f"warnings {figures['warnings']:,}, blank {figures['blank_rows']:,}"
    )
    print(
        f"peak memory of the parse process: {figures['peak_mb']} MB "
        f"({figures['peak_mb_after_imports']} MB after imports)"
    )


if __name__ == "__main__":
    main()
