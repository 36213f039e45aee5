"""`loa broadcast`, `loa broadcasts` and `loa stats`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.cli.common import Commands, open_store
from bot.clock import SystemClock
from bot.config import Settings
from bot.core.audience import AudienceError, Scope
from bot.officers.broadcasts.desk import report_text
from bot.officers.broadcasts.service import BroadcastError, refusal, service_from_settings
from bot.officers.broadcasts.template import TemplateError
from bot.officers.stats import stats_text
from bot.render import Renderer, format_datetime

__all__ = ["register"]


def register(commands: Commands) -> None:
    """Add broadcast, broadcasts and stats."""
    send = commands.add_parser(
        "broadcast",
        help="send a campaign message to an audience of residents (as an administrator)",
        description=(
            "Queue a campaign message for the residents matching --audience; a running "
            "`loa run` sends it. Audience syntax: 'xa=Ea Tul; thon=Thôn 3; the=het_han>30' "
            "(keys xa, thon, the=het_han[>N]|sap_het<N|chua_co, quan_tam, lien_ket=co|khong; "
            "xa=* for every commune). The message file may use {{ ten }}, {{ ho_ten }}, "
            "{{ han_the }}, {{ so_ngay }}, {{ xa }}, {{ thon }}."
        ),
    )
    send.add_argument("--audience", required=True, help="who gets it (see above)")
    send.add_argument("--message-file", type=Path, required=True, help="UTF-8 text file")
    send.add_argument(
        "--at",
        type=_local_minute,
        default=None,
        metavar="dd/mm/yyyy HH:MM",
        help="Vietnam time to start (default: now; quiet hours move it to the morning)",
    )
    send.add_argument("--urgent", action="store_true", help="ignore quiet hours and daily cap")
    send.add_argument("--dry-run", action="store_true", help="only show the preview")
    send.add_argument(
        "--yes", action="store_true", help="queue without asking for confirmation (for scripts)"
    )
    send.set_defaults(handler=_handler, ask=input)
    manage = commands.add_parser(
        "broadcasts", help="list broadcasts; status, pause, resume, cancel"
    )
    manage.add_argument("action", choices=("list", "status", "pause", "resume", "cancel"))
    manage.add_argument("id", type=int, nargs="?", help="broadcast number (not for list)")
    manage.set_defaults(handler=_handler)
    stats = commands.add_parser(
        "stats", help="residents reached, reminders, renewals and broadcasts"
    )
    stats.set_defaults(handler=_handler)


def _handler(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_broadcast_command(settings, args))


_AT_FORMAT = "%d/%m/%Y %H:%M"
"""How --at is typed (Vietnam time); a refused --at is echoed the same way."""


def _local_minute(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), _AT_FORMAT)  # noqa: DTZ007 - zone added later
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time like 25/11/2026 09:00") from None


def _confirmed(ask: Callable[[str], str], recipients: int) -> bool:
    """Ask on the terminal whether to queue; say why nothing was queued when not."""
    try:
        answer = ask(f"Queue this broadcast to {recipients} recipient(s)? [y/N] ")
    except EOFError:
        print("\nloa: nothing queued: no answer on the terminal (add --yes in scripts)")
        return False
    if answer.strip().lower() in ("y", "yes", "c", "có", "co"):
        return True
    print("Nothing queued.")
    return False


async def _broadcast_command(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    renderer = Renderer()
    store = await open_store(settings)  # closed in the finally
    service = service_from_settings(store.broadcasts, settings)
    admin = Scope.everywhere()
    try:
        if args.command == "stats":
            print(await stats_text(store, renderer, now, settings.tz, None))
            return 0
        if args.command == "broadcast":
            if not args.message_file.is_file():
                print(f"loa: no such file: {args.message_file}", file=sys.stderr)
                return 2
            at = args.at.replace(tzinfo=settings.tz) if args.at is not None else None
            if at is not None and at < now:
                shown = at.strftime(_AT_FORMAT)
                why = renderer.label("broadcast.why.past")
                print(f"loa: --at {shown} (Vietnam time) has passed: {why}", file=sys.stderr)
                return 2
            message = args.message_file.read_text(encoding="utf-8")
            preview = await service.preview(args.audience, message, admin, now)
            data = {"p": preview, "audience": preview.audience.text(), "communes": preview.communes}
            print(renderer.text("broadcast/preview", data))
            if args.dry_run:
                return 0
            if not args.yes and not _confirmed(args.ask, preview.recipients):
                return 1
            made = await service.create(
                actor="cli",
                scope=admin,
                audience_text=args.audience,
                template_text=message,
                at=at,
                urgent=args.urgent,
                now=now,
            )
            start = format_datetime(made.start_at, settings.tz)
            print(f"Broadcast {made.id} scheduled for {start} / Đợt gửi số {made.id}: {start}")
            return 0
        if args.action == "list":
            for b in await service.listing(admin, limit=50):
                start = format_datetime(b.start_at, settings.tz)
                print(f"{b.id:>5} | {b.status.value:<9} | {start} | {b.enqueued:>7} | {b.audience}")
            return 0
        if args.id is None:
            print("loa: give the broadcast number", file=sys.stderr)
            return 2
        moves = {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}
        if args.action in moves:
            await moves[args.action](args.id, admin, now)
        found = await service.get(args.id, admin)
        print(report_text(renderer, await service.report(found), settings.tz))
        return 0
    except (AudienceError, TemplateError, BroadcastError) as exc:
        print(f"loa: {refusal(renderer, exc)}", file=sys.stderr)
        return 2
    finally:
        await store.close()
