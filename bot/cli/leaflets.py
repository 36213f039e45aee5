"""`loa leaflet`: print a commune's village leaflets, list their codes, revoke one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import Commands, store_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.leaflets import LeafletCode
from bot.core.officer import Commune
from bot.core.phones import display_phone, normalise_phone
from bot.core.places import display_place, place_key
from bot.officers.leaflets import (
    FONT,
    LeafletPage,
    leaflet_pdf,
    new_code,
    png_name,
    qr_png,
    telegram_link,
)
from bot.render import Renderer, format_datetime
from bot.store import Store
from bot.store.drafts import Place
from bot.store.files import make_private_dirs, write_private
from bot.store.leaflets import LeafletCodes

__all__ = ["register"]

_COMMUNE_HELP = "the commune's name, as in its residents' list"


def register(commands: Commands) -> None:
    """Add leaflet (print), leaflet codes and leaflet revoke."""
    leaflet = commands.add_parser(
        "leaflet",
        help="print a commune's village leaflets (PDF, one A5 page per village, with a QR code)",
        description=(
            "Write a printable PDF: one A5 page per village of the commune (villages from the "
            "imported lists and earlier leaflets), each with a QR code of the village's "
            "Telegram link. A village keeps its code until it is revoked, so printing again "
            "gives the same codes. `loa leaflet codes` lists them, `loa leaflet revoke` ends one."
        ),
    )
    leaflet.add_argument("--commune", help=_COMMUNE_HELP)
    leaflet.add_argument("--village", default=None, help="only this village's page")
    leaflet.add_argument("-o", "--output", type=Path, metavar="FILE.pdf", help="the PDF to write")
    leaflet.add_argument(
        "--png", type=Path, default=None, metavar="DIR", help="also each QR as PNG"
    )
    leaflet.add_argument(
        "--telegram-bot", default="", metavar="USERNAME", help="the bot's Telegram @username"
    )
    leaflet.add_argument("--phone", default="", help="a collector's phone, printed on each page")
    action = leaflet.add_subparsers(dest="action", metavar="ACTION")
    codes = action.add_parser("codes", help="list a commune's leaflet codes, live and revoked")
    codes.add_argument("--commune", required=True, help=_COMMUNE_HELP)
    revoke = action.add_parser("revoke", help="revoke a leaflet code (its QR then only greets)")
    revoke.add_argument("code", metavar="CODE")
    leaflet.set_defaults(handler=lambda settings, args: asyncio.run(_leaflet(settings, args)))


def _refuse(text: str) -> int:
    print(f"loa: {text}", file=sys.stderr)
    return 2


async def _leaflet(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    if args.action is None:
        problem = _print_problem(args)
        if problem:
            return _refuse(problem)
    async with store_for(settings) as store:
        codes = store.leaflets
        if args.action == "revoke":
            return await _revoke(store, codes, args.code, now, settings.tz)
        commune = await _commune(codes, args.commune)
        if commune is None:
            return _refuse("--commune needs a commune name")
        if args.action == "codes":
            return _list(await codes.for_commune(commune.key), settings.tz)
        return await _print(store, codes, commune, args, settings, now)


async def _print(
    store: Store,
    codes: LeafletCodes,
    commune: Commune,
    args: argparse.Namespace,
    settings: Settings,
    now: datetime,
) -> int:
    """Write the commune's leaflets (and QR PNGs), giving each village its code."""
    villages = await codes.villages(commune.key)
    if not villages:
        return _refuse(
            f"no villages of {commune.name} are known: import the commune's list of "
            "residents first (loa import residents)"
        )
    if args.village is not None:
        villages = [v for v in villages if v.key == place_key(args.village)]
        if not villages:
            village = display_place(args.village)
            return _refuse(f"{village} is not a known village of {commune.name}")
    pages = await _pages(codes, commune, villages, args.telegram_bot, now)
    zalo = bool(settings.zalo_bot_token.strip())
    write_private(args.output, leaflet_pdf(pages, Renderer(), zalo=zalo, phone=_phone(args.phone)))
    if args.png is not None:
        make_private_dirs(args.png)
        for page in pages:
            write_private(args.png / png_name(page), qr_png(page.link))
    await store.officers.audit("cli", "leaflet", f"{commune.key} {len(pages)}", now)
    print(f"{len(pages)} page(s) for {commune.name} written to {args.output}")
    for page in pages:
        print(f"  {page.village}\t{page.code}\t{page.link}")
    return 0


def _print_problem(args: argparse.Namespace) -> str:
    """Return why a print request cannot run, or '' when it can."""
    if not args.commune:
        return "--commune is needed (or: loa leaflet codes|revoke)"
    if args.output is None:
        return "-o FILE.pdf is needed"
    if not args.telegram_bot.strip().lstrip("@"):
        return "--telegram-bot USERNAME is needed: the bot's @username, for its t.me link"
    if args.phone.strip() and normalise_phone(args.phone) is None:
        return f"--phone {args.phone.strip()!r} is not a Vietnamese mobile or landline number"
    if not FONT.is_file():
        return f"{FONT} is missing: install fonts-dejavu-core (make setup does)"
    return ""


def _phone(text: str) -> str:
    """Return the collector's phone as people read it ("0912 345 678"), or ''."""
    return display_phone(normalise_phone(text)) if text.strip() else ""


async def _commune(codes: LeafletCodes, text: str) -> Commune | None:
    """Return the commune named, spelt as the registry spells it when it knows it."""
    name = display_place(text)
    key = place_key(name)
    if not key:
        return None
    return Commune(key, await codes.commune_name(key) or name)


async def _pages(
    codes: LeafletCodes, commune: Commune, villages: list[Place], bot: str, now: datetime
) -> list[LeafletPage]:
    pages = []
    for village in villages:
        code = await codes.live_or_create(commune, village, new_code(), "cli", now)
        pages.append(
            LeafletPage(
                commune.name, village.name, village.key, code.code, telegram_link(bot, code.code)
            )
        )
    return pages


def _list(found: list[LeafletCode], tz: ZoneInfo) -> int:
    for code in found:
        state = f"revoked {format_datetime(code.revoked_at, tz)}" if code.revoked_at else "live"
        made = format_datetime(code.created_at, tz)
        print(f"{code.code}\t{code.village}\tmade {made} by {code.created_by}\t{state}")
    if not found:
        print("no leaflet codes for this commune yet")
    return 0


async def _revoke(store: Store, codes: LeafletCodes, code: str, now: datetime, tz: ZoneInfo) -> int:
    revoked = await codes.revoke(code.strip(), now)
    if revoked is None:
        print(f"loa: {code.strip()!r} is not a live leaflet code", file=sys.stderr)
        return 1
    await store.officers.audit(
        "cli", "leaflet_revoke", f"{revoked.commune_key} {revoked.code}", now
    )
    when = format_datetime(now, tz)
    print(f"{revoked.code} ({revoked.village}, {revoked.commune}) revoked at {when}")
    return 0
