"""Benchmark: the worst reply latency a resident sees while an officer's list is imported.

    python bench/bench_import_latency.py [--rows 150000] [--only new|old]

Lists (written as raw sheet XML, so writing them takes seconds, not minutes):

- `crafted`: the file of issue 12, 150,000 rows whose names are 2,000 characters, each
  cell an inline string (about 0.8 MB zipped, over 300 MB unzipped);
- `shared`: the same rows with the name stored once as a shared string (small unzipped,
  so only the row and cell limits stop it);
- `valid`: 50,000 good rows of one commune (a large real import: staging and merge).

For each, Loa (real SQLite file, engine, officer desk) imports the list as an
administrator's chat upload would, while residents send /start, 20 a second (open loop:
latency counts from when a message was due, so a blocked event loop shows in full).
`new` is the code as it is; `old` reads the list on the event loop as the import did before
issue 12 (its loop is reproduced below, without the row and size limits); `rows-only` is
the new code with the row limit but no size limit (the crafted file is otherwise refused
at once, before the worker thread has anything to do); `two` (with `--lists valid`) imports
two 50,000-row lists sent at the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["main"]

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)
ADMIN = 4242
TICK = 0.050  # 20 residents' messages a second
HEADER = ["Họ và tên", "Ngày sinh", "Mã số BHXH", "Xã", "Hạn thẻ"]

_OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels"'
    ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_OOXML}.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def write_list(path: Path, rows: int, kind: str, first_number: int = 100_000_000) -> Path:
    """Write an .xlsx of `rows` data rows: `crafted`, `shared` or `valid` (see the module)."""
    name = "Nguyễn Văn " + "A" * (2_000 - 11)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="1"'
            f' uniqueCount="1"><si><t>{name}</t></si></sst>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            cols = "ABCDE"
            head = "".join(_inline(f"{c}1", h) for c, h in zip(cols, HEADER, strict=True))
            sheet.write(f'<row r="1">{head}</row>'.encode())
            for i in range(rows):
                n = i + 2
                if kind == "crafted":
                    first = _inline(f"A{n}", name)
                elif kind == "shared":
                    first = f'<c r="A{n}" t="s"><v>0</v></c>'
                else:
                    first = _inline(f"A{n}", f"Người Thứ {i}")
                rest = (
                    _inline(f"B{n}", "01/01/1960")
                    + _inline(f"C{n}", f"{first_number + i:010d}")
                    + _inline(f"D{n}", "Ea Tul")
                    + _inline(f"E{n}", "31/12/2027")
                )
                sheet.write(f'<row r="{n}">{first}{rest}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


async def old_import(loa: object, path: Path) -> str:
    """Import as before issue 12: the list is read on the event loop, no limits."""

    from bot.core.registry import ResidentRow
    from bot.officers.importing.reader import RowError, read_residents

    residents = loa.store.residents  # type: ignore[attr-defined]
    parse = read_residents(path, today=TODAY)
    job = residents.begin_import()
    rows = rejected = 0
    with parse:
        batch: list[ResidentRow] = []
        pending: asyncio.Task[None] | None = None
        for outcome in parse:
            rows += 1
            if isinstance(outcome, RowError):
                rejected += 1
                continue
            batch.append(outcome)
            if len(batch) >= 10_000:
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(job.stage(batch))
                await asyncio.sleep(0)
                batch = []
        if pending is not None:
            await pending
        if batch:
            await job.stage(batch)
    merged = await job.merge(NOW)
    return f"{rows} rows, {merged.added} added, {rejected + len(merged.rejected)} rejected"


async def new_import(loa: object, path: Path) -> str:
    """Import through the officer desk, as a list sent in a chat."""
    from bot.core.accounts import Account
    from bot.officers.desk import Actor

    desk = loa.officers  # type: ignore[attr-defined]
    answer = await desk.import_file(
        Actor(Account("telegram", str(ADMIN)), "Admin", Account("telegram", str(ADMIN))),
        path,
        path.name,
        NOW,
    )
    return answer.reply.text.splitlines()[0] if answer.reply else "no reply"


async def rows_capped_import(loa: object, path: Path) -> str:
    """The new code with only the row limit (no size limit), to see the worker thread at work."""
    from bot.officers.importing.limits import CHAT_LIMITS, ImportLimits
    from bot.officers.importing.service import import_residents

    limits = ImportLimits(max_rows=CHAT_LIMITS.max_rows, max_bytes=10**12)
    report = await import_residents(
        loa.store.residents,  # type: ignore[attr-defined]
        path,
        today=TODAY,
        now=NOW,
        limits=limits,
    )
    return f"{report.rows} rows read, stopped after row {report.stopped_after}"


async def two_at_once(loa: object, path: Path) -> str:
    """Two officers' 50,000-row lists sent at the same moment (the second list beside it)."""
    other = path.with_name("valid-b.xlsx")  # written by main, before the clock starts
    first, second = await asyncio.gather(new_import(loa, path), new_import(loa, other))
    return f"{first} | {second}"


async def _idle(loa: object, path: Path) -> str:
    """No import: the residents' latency on their own, for comparison."""
    await asyncio.sleep(5)
    return "idle"


async def measure(
    path: Path, database: Path, run: Callable[[object, Path], Awaitable[str]]
) -> dict[str, object]:
    """Import `path` with `run` while a resident sends /start every TICK; return figures."""
    from bot.app import open_loa
    from bot.clock import FixedClock
    from bot.config import load_settings
    from bot.core.types import Incoming, Kind

    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{database}", "ADMIN_IDS": str(ADMIN)}, env_file=None
    )
    latencies: list[tuple[float, float]] = []
    pauses: list[float] = []  # full garbage collections (they stop every thread)
    collecting: list[float] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            collecting.append(time.perf_counter())
        elif collecting:
            pauses.append(time.perf_counter() - collecting.pop())

    async with open_loa(settings, clock=FixedClock(NOW)) as loa:
        done = asyncio.Event()

        loop = asyncio.get_running_loop()

        async def answer(n: int, due: float) -> None:
            chat = str(9_000 + n % 500)
            message = Incoming(
                "telegram", chat, Kind.COMMAND, command="start", display_name="Lan", chat_id=chat
            )
            await loa.engine.handle(message)
            latencies.append((due, loop.time() - due))

        async def residents() -> None:
            """Open loop: a /start is due every TICK; those due while the loop was blocked
            are sent as soon as it runs again (Telegram would have queued them)."""
            start = loop.time()
            tasks: list[asyncio.Task[None]] = []
            n = 0
            while True:
                while start + n * TICK <= loop.time():
                    tasks.append(asyncio.create_task(answer(n, start + n * TICK)))
                    n += 1
                if done.is_set():
                    break
                await asyncio.sleep(max(0.0, start + n * TICK - loop.time()))
            await asyncio.gather(*tasks)

        ticker = asyncio.create_task(residents())
        await asyncio.sleep(1.0)  # warm up
        gc.callbacks.append(on_gc)
        began = loop.time()
        started = time.perf_counter()
        outcome = await run(loa, path)
        seconds = time.perf_counter() - started
        ended = loop.time()
        gc.callbacks.remove(on_gc)
        done.set()
        await ticker
    window = [(lag, due - began) for due, lag in latencies if began <= due <= ended]
    worst_at = max(window)[1] if window else None
    during = sorted(lag for lag, _ in window)
    return {
        "import_s": round(seconds, 2),
        "answers": len(during),
        "worst_ms": round(during[-1] * 1000, 1) if during else None,
        "p99_ms": round(during[int(len(during) * 0.99)] * 1000, 1) if during else None,
        "p50_ms": round(during[len(during) // 2] * 1000, 1) if during else None,
        "worst_due_at_s": round(worst_at, 2) if worst_at is not None else None,
        "full_gc": f"{len(pauses)} × max {max(pauses, default=0) * 1000:.0f} ms,"
        f" total {sum(pauses) * 1000:.0f} ms",
        "outcome": outcome,
    }


def main() -> None:
    """Write the lists, then import each (old and new code) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--only", choices=("new", "old", "rows-only", "two"))
    parser.add_argument("--lists", default="crafted,shared,valid")
    args = parser.parse_args()
    modes = {
        "old": old_import,
        "new": new_import,
        "rows-only": rows_capped_import,
        "two": two_at_once,
    }
    with tempfile.TemporaryDirectory() as folder:
        idle = asyncio.run(measure(Path(folder) / "none", Path(folder) / "idle.db", _idle))
        print(f"no import, 5 s: {idle}", flush=True)
        for kind in args.lists.split(","):
            rows = 50_000 if kind == "valid" else args.rows
            path = write_list(Path(folder) / f"{kind}.xlsx", rows, kind)
            if kind == "valid" and args.only == "two":
                write_list(path.with_name("valid-b.xlsx"), rows, kind, first_number=300_000_000)
            with zipfile.ZipFile(path) as archive:
                unzipped = sum(m.file_size for m in archive.infolist())
            print(
                f"{kind}: {rows:,} rows, {path.stat().st_size / 1e6:.2f} MB zipped, "
                f"{unzipped / 1e6:.0f} MB unzipped"
            )
            for mode, run in modes.items():
                if (args.only and mode != args.only) or (
                    not args.only and mode in ("rows-only", "two")
                ):
                    continue
                database = Path(folder) / f"{kind}-{mode}.db"
                figures = asyncio.run(measure(path, database, run))
                print(f"  {mode}: {figures}", flush=True)


if __name__ == "__main__":
    main()
