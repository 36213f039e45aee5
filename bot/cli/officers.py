"""`loa officers` and `loa export registrations`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.cli.common import Commands, day, store_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.places import display_place, place_key
from bot.exporting import export_bytes
from bot.render import Renderer
from bot.store import Store
from bot.store.files import write_private

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add officers and export."""
    officers = commands.add_parser(
        "officers",
        help="add, remove or list the officers who follow up registrations",
        description=(
            "Officers see and export the registrations of their commune only; administrators "
            "(ADMIN_IDS) see all. Every change is written to the audit log."
        ),
    )
    action = officers.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = action.add_parser("add", help="make a Telegram user the officer of a commune")
    add.add_argument("telegram_id", type=int, help="the officer's Telegram user id")
    add.add_argument("--commune", required=True, help="the commune, e.g. 'Xã Hòa Phú'")
    add.add_argument("--name", default="", help="the officer's name, for the audit log")
    remove = action.add_parser("remove", help="remove an officer")
    remove.add_argument("telegram_id", type=int, help="the officer's Telegram user id")
    action.add_parser("list", help="list the officers")
    chat = action.add_parser("chat", help="post a commune's new registrations to a chat")
    chat.add_argument("chat_id", help="the Telegram chat id (groups start with -)")
    chat.add_argument("--commune", required=True, help="the commune, e.g. 'Xã Hòa Phú'")
    officers.set_defaults(handler=lambda settings, args: asyncio.run(_officers(settings, args)))
    export = commands.add_parser(
        "export",
        help="export registrations to an Excel or CSV file",
        description="Export registrations with Vietnamese column headers (CSV: UTF-8 with BOM).",
    )
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    registrations = what.add_parser("registrations", help="the residents' registrations")
    registrations.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    registrations.add_argument(
        "--since", type=day, default=None, metavar="dd/mm/yyyy", help="made on or after this day"
    )
    registrations.add_argument("--commune", default=None, help="one commune only")
    registrations.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    registrations.set_defaults(handler=lambda settings, args: asyncio.run(_export(settings, args)))


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    since = None
    if args.since is not None:
        since = datetime.combine(args.since, datetime.min.time(), tzinfo=settings.tz)
    key = place_key(args.commune) if args.commune else None
    async with store_for(settings) as store:
        found = await store.registrations.listing(commune_key=key, since=since)
        write_private(args.output, export_bytes(found, args.format, Renderer().label, settings.tz))
        await store.officers.audit("cli", "export", f"{args.format} {key or 'all'}", now)
    print(f"{len(found)} registration(s) written to {args.output}")
    return 0


async def _officers(settings: Settings, args: argparse.Namespace) -> int:
    async with store_for(settings, create=args.action in ("add", "chat")) as store:
        return await _officer_action(store, args, SystemClock().now())


async def _officer_action(store: Store, args: argparse.Namespace, now: datetime) -> int:
    if args.action == "add":
        commune = display_place(args.commune)
        if not place_key(commune):
            print("loa: --commune needs a commune name", file=sys.stderr)
            return 2
        officer = await store.officers.add(
            args.telegram_id, args.name.strip(), commune, place_key(commune), "cli", now
        )
        print(f"{officer.telegram_id} is now an officer of {officer.commune}")
    elif args.action == "remove":
        if not await store.officers.remove(args.telegram_id, "cli", now):
            print(f"loa: {args.telegram_id} is not an officer", file=sys.stderr)
            return 1
        print(f"{args.telegram_id} is no longer an officer")
    elif args.action == "chat":
        commune = display_place(args.commune)
        chat_id = args.chat_id.strip()
        if not place_key(commune) or not chat_id.lstrip("-").isdigit():
            print("loa: give a commune name and a numeric chat id", file=sys.stderr)
            return 2
        await store.officers.set_chat(commune, place_key(commune), chat_id, "cli", now)
        print(f"New registrations of {commune} go to chat {chat_id}")
    else:
        for officer in await store.officers.all():
            print(f"{officer.telegram_id}\t{officer.commune}\t{officer.name}")
    return 0
