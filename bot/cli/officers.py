"""`loa officers` and `loa export registrations`."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import Commands, day, store_for
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.accounts import Account, AccountError
from bot.core.officer import Commune
from bot.core.places import display_place, place_key
from bot.officers.desk import INVITE_LIFETIME, INVITE_PREFIX
from bot.officers.exporting import FORMATS, export_bytes
from bot.render import Renderer, format_datetime
from bot.store import Store
from bot.store.files import write_private
from bot.store.officers import OfficerConflict

__all__ = ["register"]


_COMMUNE_HELP = "the commune, e.g. 'Xã Hòa Phú'"


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
    add = action.add_parser(
        "add",
        help="make someone an officer of a commune (adds it to the communes they cover)",
        description=(
            "Each ID is telegram:<digits>, zalo:<id> or bare Telegram digits; the person sends "
            "/id to Loa to learn theirs. Several IDs are one person on several apps. Adding a "
            "commune to an officer adds it to the communes they cover."
        ),
    )
    add.add_argument("ids", nargs="+", metavar="ID", help="the officer's account(s)")
    add.add_argument("--commune", required=True, help=_COMMUNE_HELP)
    add.add_argument("--name", default="", help="the officer's name, for lists and the audit")
    remove = action.add_parser("remove", help="remove an officer, or one of their communes")
    remove.add_argument("id", metavar="ID", help="one of the officer's accounts")
    remove.add_argument("--commune", default=None, help="remove only this commune")
    action.add_parser("list", help="list the officers, their accounts and communes")
    invite = action.add_parser(
        "invite",
        help="print a one-time invitation for a new officer of a commune (valid 7 days)",
        description=(
            "Print a one-time code; the new officer sends '/start <code>' to Loa on Telegram "
            "or Zalo and becomes an officer of the commune. Valid for 7 days."
        ),
    )
    invite.add_argument("--commune", required=True, help=_COMMUNE_HELP)
    invite.add_argument(
        "--telegram-bot", default="", metavar="USERNAME", help="also print the t.me link"
    )
    chat = action.add_parser("chat", help="post a commune's new registrations to a group")
    chat.add_argument("chat_id", help="the Telegram group's id (starts with -; /id in the group)")
    chat.add_argument("--commune", required=True, help=_COMMUNE_HELP)
    officers.set_defaults(handler=lambda settings, args: asyncio.run(_officers(settings, args)))
    export = commands.add_parser(
        "export",
        help="export registrations to an Excel or CSV file",
        description="Export registrations with Vietnamese column headers (CSV: UTF-8 with BOM).",
    )
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    registrations = what.add_parser("registrations", help="the residents' registrations")
    registrations.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="xlsx or csv (default: from the file's extension, which must agree)",
    )
    registrations.add_argument(
        "--since", type=day, default=None, metavar="dd/mm/yyyy", help="made on or after this day"
    )
    registrations.add_argument("--commune", default=None, help="one commune only")
    registrations.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    registrations.set_defaults(handler=_export)


def export_format(output: Path, given: str | None) -> str:
    """Return the export format for `output`: its extension, which `given` must agree with.

    Raises ValueError with a one-line reason for an unknown extension or a mismatch.
    """
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        if given is None:
            raise ValueError(f"{output.name}: end the file name in .xlsx or .csv, or give --format")
        raise ValueError(f"{output.name}: a {given} file should end in .{given}")
    if given is not None and given != suffix:
        raise ValueError(f"--format {given} does not match {output.name} (a .{suffix} file)")
    return suffix


def _export(settings: Settings, args: argparse.Namespace) -> int:
    try:
        fmt = export_format(args.output, args.format)
    except ValueError as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_write_export(settings, args, fmt))


async def _write_export(settings: Settings, args: argparse.Namespace, fmt: str) -> int:
    now = SystemClock().now()
    since = None
    if args.since is not None:
        since = datetime.combine(args.since, datetime.min.time(), tzinfo=settings.tz)
    key = place_key(args.commune) if args.commune else None
    async with store_for(settings) as store:
        found = await store.registrations.listing(
            commune_keys=None if key is None else [key], since=since
        )
        write_private(args.output, export_bytes(found, fmt, Renderer().label, settings.tz))
        await store.officers.audit("cli", "export", f"{fmt} {key or 'all'}", now)
    print(f"{len(found)} registration(s) written to {args.output}")
    return 0


async def _officers(settings: Settings, args: argparse.Namespace) -> int:
    async with store_for(settings, create=args.action in ("add", "chat")) as store:
        return await _officer_action(store, args, SystemClock().now(), settings.tz)


async def _officer_action(
    store: Store, args: argparse.Namespace, now: datetime, tz: ZoneInfo
) -> int:
    try:
        return await _act(store, args, now, tz)
    except AccountError as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2


async def _act(store: Store, args: argparse.Namespace, now: datetime, tz: ZoneInfo) -> int:
    if args.action == "list":
        for officer in await store.officers.all():
            accounts = " ".join(str(a) for a in officer.accounts)
            print(f"{accounts}\t{officer.commune_names()}\t{officer.name}")
        return 0
    commune = _commune(args.commune) if getattr(args, "commune", None) else None
    if args.action in ("add", "invite", "chat") and commune is None:
        print("loa: --commune needs a commune name", file=sys.stderr)
        return 2
    if args.action == "add":
        given = [Account.parse(value) for value in args.ids]
        try:
            officer = await store.officers.add(given, args.name.strip(), commune, "cli", now)
        except OfficerConflict:
            print("loa: these accounts belong to two different officers", file=sys.stderr)
            return 1
        print(f"{' '.join(args.ids)} now covers: {officer.commune_names()}")
    elif args.action == "remove":
        account = Account.parse(args.id)
        key = commune.key if commune else None
        if not await store.officers.remove(account, "cli", now, commune_key=key):
            what = f"an officer of {commune.name}" if commune else "an officer"
            print(f"loa: {account} is not {what}", file=sys.stderr)
            return 1
        print(f"{account} no longer covers {commune.name}" if commune else f"{account} removed")
    elif args.action == "invite":
        assert commune is not None
        code = secrets.token_urlsafe(16)
        expires = now + INVITE_LIFETIME
        await store.officers.create_invite(code, commune, "cli", now, expires)
        typed = f"/start {INVITE_PREFIX}{code}"
        until = format_datetime(expires, tz)
        print(f"Invitation for an officer of {commune.name}, valid until {until} ({tz.key}):")
        print(f"  on Telegram or Zalo, send to Loa: {typed}")
        if args.telegram_bot:
            print(
                f"  or open: https://t.me/{args.telegram_bot.lstrip('@')}?start={INVITE_PREFIX}{code}"
            )
    else:
        assert commune is not None
        chat = Account.parse(args.chat_id)
        if chat.channel != "telegram":
            print("loa: officers' groups are Telegram groups (Zalo has none)", file=sys.stderr)
            return 2
        await store.officers.set_chat(commune, chat, "cli", now)
        print(f"New registrations of {commune.name} go to chat {chat.id}")
    return 0


def _commune(text: str) -> Commune | None:
    """Return the commune an operator named, or None for a blank name."""
    name = display_place(text)
    return Commune(place_key(name), name) if place_key(name) else None
