"""`loa rates`: the figures in force on a date, and an office's own rates file (RATES_FILE)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from datetime import date
from pathlib import Path

from bot.app import load_rates
from bot.cli.common import Commands, day
from bot.clock import SystemClock, local_date
from bot.config import Settings
from bot.core.rates import RATE_NAMES, RateBook, RateRow, default_rates_path
from bot.render import Renderer

__all__ = ["log_rates_in_use", "register"]


def register(commands: Commands) -> None:
    """Add rates, rates init and rates check."""
    rates = commands.add_parser(
        "rates",
        help="print the figures in force on a date; start or check an office's rates file",
        description=(
            "Print the base salary and the BHYT and voluntary social insurance figures in force "
            "on a date, from the rates file Loa uses: RATES_FILE if set, else the one shipped "
            "with Loa. When a decree changes a rate, add a dated row to that file and check it."
        ),
    )
    rates.add_argument(
        "--on", type=day, default=None, metavar="dd/mm/yyyy", help="the date (default: today)"
    )
    rates.set_defaults(handler=_show)
    steps = rates.add_subparsers(dest="step", metavar="STEP")
    init = steps.add_parser(
        "init",
        help="write the rates shipped with Loa into a new file, to set RATES_FILE to",
        description=(
            "Copy the rates file shipped with this version of Loa into FILE (which must not "
            "exist yet), for the office to keep and edit; then set RATES_FILE=FILE."
        ),
    )
    init.add_argument("file", type=Path, help="the new file, e.g. /srv/loa/rates.toml")
    init.set_defaults(handler=_init)
    check = steps.add_parser(
        "check",
        help="check a rates file: OK, or the rate and row that is wrong (exit 2)",
        description=(
            "Read and check a rates file (default: the one Loa uses). Prints OK with the dates "
            "its figures change, and the dated rows shipped with Loa that the file lacks."
        ),
    )
    check.add_argument("file", type=Path, nargs="?", help="the file (default: RATES_FILE)")
    check.set_defaults(handler=_check)


def _lacking(book: RateBook, shipped: RateBook) -> list[tuple[str, RateRow]]:
    """Return the dated rows of the shipped rates that `book` lacks (same rate, same start)."""
    return [
        (name, row)
        for name in RATE_NAMES
        for row in shipped.rows(name)
        if row.start not in {own.start for own in book.rows(name)}
    ]


def _named(rows: list[tuple[str, RateRow]]) -> str:
    return ", ".join(f"{name} from {row.start:%d/%m/%Y}" for name, row in rows)


def _latest(book: RateBook) -> list[tuple[str, RateRow]]:
    """Return the rows that start on the file's last date (the newest decree it knows)."""
    last = max(book.rows(name)[-1].start for name in RATE_NAMES)
    return [(name, book.rows(name)[-1]) for name in RATE_NAMES if book.rows(name)[-1].start == last]


def log_rates_in_use(settings: Settings, log: logging.Logger) -> None:
    """Log which rates file Loa uses and its last dated row, and the shipped rows it lacks.

    A file that cannot be read or is invalid raises RatesError (`loa` says so and exits 2).
    """
    book = load_rates(settings)
    latest = _latest(book)
    log.info("rates: %s, last dated row %s (%s)", book.path, _named(latest), latest[0][1].source)
    if book.path != default_rates_path():
        missing = _lacking(book, RateBook.load(default_rates_path()))
        if missing:
            log.warning(
                "rates: %s lacks dated rows shipped with this Loa: %s (compare with "
                "`loa rates init NEW_FILE`)",
                book.path,
                _named(missing),
            )


def _show(settings: Settings, args: argparse.Namespace) -> int:
    book = load_rates(settings)
    on: date | None = args.on
    when = on or local_date(SystemClock().now(), settings.tz)
    if when < book.covers_from():
        print(f"loa: the rates file starts on {book.covers_from():%d/%m/%Y}", file=sys.stderr)
        return 2
    print(Renderer().text("rates", {"f": book.snapshot(when)}))
    return 0


def _init(settings: Settings, args: argparse.Namespace) -> int:
    target: Path = args.file
    if target.exists():
        print(f"loa: {target} already exists; choose a new file name", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(default_rates_path(), target)
    target.chmod(0o644)  # figures from public decrees, not personal data
    print(Renderer().text("cli/rates_init", {"path": target.resolve()}))
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = args.file or settings.rates_path
    book = RateBook.load(path)  # RatesError: `loa` prints the file, rate and row; exit 2
    shipped = RateBook.load(default_rates_path())
    data = {
        "path": path,
        "count": len(RATE_NAMES),
        "changes": book.changes(),
        "lacking": [{"name": name, "start": row.start} for name, row in _lacking(book, shipped)],
    }
    print(Renderer().text("cli/rates_check", data))
    return 0
