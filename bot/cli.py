"""The `loa` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from telegram.error import InvalidToken

from bot.app import load_rates, open_loa, serve
from bot.channels.console import run_console
from bot.clock import SystemClock, local_date
from bot.config import ConfigError, Settings, load_settings, require_channels
from bot.render import Renderer

__all__ = ["main"]

DEMO_DATABASE = Path("data/demo.db")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loa",
        description=(
            "Loa: a Vietnamese chatbot that answers residents' questions about health insurance "
            "(BHYT) and voluntary social insurance (BHXH tự nguyện). Settings come from the "
            "environment or a .env file (see .env.example)."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    commands.add_parser(
        "run",
        help="serve residents on Telegram and/or Zalo (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)",
        description="Serve residents on Telegram and/or Zalo (each with its token) until Ctrl+C.",
    )
    demo = commands.add_parser(
        "demo",
        help="chat with Loa in this terminal, offline, as a resident",
        description=(
            "Chat with Loa in the terminal as a resident, offline and without a token. Type a "
            "question, a number from the list, or /start, /menu, /help, /stop. With piped input "
            "(printf '/start\\nmenu\\n' | loa demo) it prints the answers and exits at the end."
        ),
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=DEMO_DATABASE,
        help=f"SQLite file to use (default {DEMO_DATABASE})",
    )
    demo.add_argument("--user", default="demo", help="who you are in the demo (default: demo)")

    rates = commands.add_parser(
        "rates",
        help="print the premiums and figures in force on a date",
        description=(
            "Print the base salary, BHYT and BHXH tự nguyện figures in force on a date, from "
            "data/rates.toml. When a decree changes a rate, add a dated row to that file."
        ),
    )
    rates.add_argument(
        "--on", type=_day, default=None, metavar="dd/mm/yyyy", help="the date (default: today)"
    )
    _add_outbox_command(commands)
    _add_registry_commands(commands)
    _add_officer_commands(commands)
    _add_broadcast_commands(commands)
    return parser


def _day(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 25/11/2026") from None


def _rates(settings: Settings, on: date | None) -> int:
    book = load_rates()
    day = on or local_date(SystemClock().now(), settings.tz)
    if day < book.covers_from():
        print(f"loa: the rates file starts on {book.covers_from():%d/%m/%Y}", file=sys.stderr)
        return 2
    print(Renderer().text("rates", {"f": book.snapshot(day)}))
    return 0


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def _run(settings: Settings) -> int:
    async with open_loa(settings) as loa:
        await serve(loa)
    return 0


async def _demo(settings: Settings, database: Path, user: str) -> int:
    async with open_loa(settings, database=database) as loa:
        await run_console(loa.engine, sender_id=user)
    return 0


# --- loa outbox (the outbox engineer's block) ------------------------------------------------

_OUTBOX_LABELS = {
    "queued": "chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "gửi lỗi",
    "skipped": "bỏ qua",
}


def _add_outbox_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = commands.add_parser(
        "outbox",
        help="show proactive messages by status and the latest failures",
        description=(
            "Show how many proactive messages (reminders, broadcasts) are queued, being sent, "
            "sent, failed or skipped, and the latest failures with their reasons."
        ),
    )
    outbox.add_argument(
        "--failures", type=int, default=10, metavar="N", help="how many failures to list"
    )


async def _outbox(settings: Settings, failures: int) -> int:
    from bot.store import Store

    store = await Store.open(settings.database_path)
    try:
        counts = await store.outbox.counts()
        latest = await store.outbox.latest_failures(failures)
    finally:
        await store.close()
    print(f"Outbox / Hộp thư đi ({settings.database_path}):")
    for status, count in counts.items():
        amount = f"{count:,}".replace(",", ".")
        print(f"  {status.value:<8} {_OUTBOX_LABELS[status.value]:<9} {amount:>9}")
    if not latest:
        print("No failures / Không có tin gửi lỗi.")
        return 0
    print(f"Latest failures / Tin gửi lỗi gần nhất ({len(latest)}):")
    for row in latest:
        when = row.updated_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")
        print(
            f"  #{row.id} {when} contact {row.contact_id} {row.kind}, "
            f"{row.attempts} attempt(s): {row.last_error or '?'}"
        )
    return 0


# --- end of loa outbox -----------------------------------------------------------------------


# --- loa import residents / loa remind (the registry engineer's block) ----------------------


def _add_registry_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importing = commands.add_parser(
        "import",
        help="import a commune's resident list (.xlsx or .csv) into the registry",
        description="Import data into Loa's registry.",
    )
    what = importing.add_subparsers(dest="what", metavar="WHAT", required=True)
    residents = what.add_parser(
        "residents",
        help="a list of residents with their BHYT card expiry dates",
        description=(
            "Import a resident list (.xlsx or .csv). Prints how many rows were added, updated, "
            "unchanged and rejected, with each rejected row's number and reason."
        ),
    )
    residents.add_argument("file", type=Path, metavar="FILE", help="the .xlsx or .csv list")
    residents.add_argument(
        "--dry-run", action="store_true", help="show the report without writing anything"
    )
    remind = commands.add_parser(
        "remind",
        help="plan the expiry reminders due now and queue them in the outbox",
        description=(
            "Plan the reminders due now (30 and 7 days before expiry, on the day, 30 and 80 "
            "days after, by default) and queue them for the sender of `loa run`."
        ),
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="list who would be reminded, queue nothing"
    )
    remind.add_argument(
        "--now",
        type=_moment,
        default=None,
        metavar="YYYY-MM-DDTHH:MM",
        help="plan as at this local time instead of the clock (to preview a day)",
    )


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time like 2026-11-25T09:00") from None


async def _import_residents(settings: Settings, path: Path, dry_run: bool) -> int:
    from bot.importing.columns import MissingColumns
    from bot.importing.reader import UnsupportedFile
    from bot.importing.service import import_residents
    from bot.store import Store

    now = SystemClock().now()
    store = await Store.open(settings.database_path)
    try:
        report = await import_residents(
            store.residents, path, today=local_date(now, settings.tz), now=now, dry_run=dry_run
        )
    except (MissingColumns, UnsupportedFile) as exc:
        print(f"loa: {path.name}: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.close()
    data = {"r": report, "max_warnings": 20, "max_rejected": len(report.rejected)}
    print(Renderer().text("import_report", data))
    return 0


async def _remind(settings: Settings, dry_run: bool, at: datetime | None) -> int:
    from bot.store import Store
    from scheduler.planner import plan_reminders

    now = SystemClock().now() if at is None else at.replace(tzinfo=at.tzinfo or settings.tz)
    store = await Store.open(settings.database_path)
    try:
        report = await plan_reminders(
            store, Renderer(), load_rates(), settings, now, dry_run=dry_run
        )
    finally:
        await store.close()
    verb = "Would remind / Sẽ nhắc" if dry_run else "Queued / Đã xếp hàng nhắc"
    print(f"{verb}: {report.planned_count}")
    for p in report.planned:
        place = ", ".join(part for part in (p.village, p.commune) if part) or "-"
        when = p.not_before.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")
        stage = f"{p.stage:+d} ngày" if p.stage else "đúng ngày"
        print(
            f"  {p.full_name} | {place} | hết hạn {p.expiry_date:%d/%m/%Y} | "
            f"mốc {stage} ({p.kind}) | gửi từ {when}"
        )
    print(
        f"Missed stages (never sent late) / Mốc đã qua, không gửi bù: {report.missed}\n"
        f"Not reachable (no chat linked) / Chưa liên kết, không nhắn được: {report.not_linked}\n"
        f"Stopped or blocked / Đã dừng hoặc chặn: {report.stopped}\n"
        f"Reminders turned off / Đã tắt nhắc: {report.disabled}"
    )
    return 0


# --- end of loa import residents / loa remind ---------------------------------------------


# --- loa officers / loa export registrations (the registration engineer's block) ------------


def _add_officer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    export = commands.add_parser(
        "export",
        help="export registrations to an Excel or CSV file",
        description="Export registrations with Vietnamese column headers (CSV: UTF-8 with BOM).",
    )
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    registrations = what.add_parser("registrations", help="the residents' registrations")
    registrations.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    registrations.add_argument(
        "--since", type=_day, default=None, metavar="dd/mm/yyyy", help="made on or after this day"
    )
    registrations.add_argument("--commune", default=None, help="one commune only")
    registrations.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")


async def _officer_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.core.places import display_place, place_key
    from bot.exporting import export_bytes
    from bot.store import Store

    now = SystemClock().now()
    store = await Store.open(settings.database_path)
    try:
        if args.command == "export":
            since = None
            if args.since is not None:
                since = datetime.combine(args.since, datetime.min.time(), tzinfo=settings.tz)
            key = place_key(args.commune) if args.commune else None
            found = await store.registrations.listing(commune_key=key, since=since)
            args.output.write_bytes(export_bytes(found, args.format, Renderer().label, settings.tz))
            await store.officers.audit("cli", "export", f"{args.format} {key or 'all'}", now)
            print(f"{len(found)} registration(s) written to {args.output}")
        elif args.action == "add":
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
    finally:
        await store.close()
    return 0


# --- end of loa officers / loa export --------------------------------------------------------


# --- loa broadcast / loa broadcasts / loa stats (the broadcasts engineer's block) ------------


def _add_broadcast_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    manage = commands.add_parser(
        "broadcasts", help="list broadcasts; status, pause, resume, cancel"
    )
    manage.add_argument("action", choices=("list", "status", "pause", "resume", "cancel"))
    manage.add_argument("id", type=int, nargs="?", help="broadcast number (not for list)")
    commands.add_parser("stats", help="residents reached, reminders, renewals and broadcasts")


def _local_minute(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y %H:%M")  # noqa: DTZ007 - zone added later
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a time like 25/11/2026 09:00") from None


async def _broadcast_command(settings: Settings, args: argparse.Namespace) -> int:
    from bot.broadcasts.audience import AudienceError, Scope
    from bot.broadcasts.desk import report_text
    from bot.broadcasts.service import BroadcastError, service_from_settings
    from bot.broadcasts.template import TemplateError
    from bot.stats import stats_text
    from bot.store import Store

    now = SystemClock().now()
    renderer = Renderer()
    store = await Store.open(settings.database_path)
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
            message = args.message_file.read_text(encoding="utf-8")
            preview = await service.preview(args.audience, message, admin, now)
            data = {"p": preview, "audience": preview.audience.text(), "communes": preview.communes}
            print(renderer.text("broadcast/preview", data))
            if args.dry_run:
                return 0
            at = args.at.replace(tzinfo=settings.tz) if args.at is not None else None
            made = await service.create(
                actor="cli",
                scope=admin,
                audience_text=args.audience,
                template_text=message,
                at=at,
                urgent=args.urgent,
                now=now,
            )
            start = made.start_at.astimezone(settings.tz).strftime("%H:%M %d/%m/%Y")
            print(f"Broadcast {made.id} scheduled for {start} / Đợt gửi số {made.id}: {start}")
            return 0
        if args.action == "list":
            for b in await service.listing(admin, limit=50):
                start = b.start_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")
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
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    finally:
        await store.close()


# --- end of loa broadcast / loa broadcasts / loa stats ----------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `loa` command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        if args.command == "run":
            require_channels(settings)
            _configure_logging(settings)
            return asyncio.run(_run(settings))
        if args.command == "rates":
            return _rates(settings, args.on)
        if args.command == "outbox":
            return asyncio.run(_outbox(settings, args.failures))
        if args.command == "import":
            if not args.file.is_file():
                print(f"loa: no such file: {args.file}", file=sys.stderr)
                return 2
            return asyncio.run(_import_residents(settings, args.file, args.dry_run))
        if args.command == "remind":
            return asyncio.run(_remind(settings, args.dry_run, args.now))
        if args.command in ("broadcast", "broadcasts", "stats"):
            return asyncio.run(_broadcast_command(settings, args))
        if args.command in ("officers", "export"):
            return asyncio.run(_officer_command(settings, args))
        if args.command == "demo":
            logging.basicConfig(level=logging.WARNING)
            return asyncio.run(_demo(settings, args.db, args.user))
    except ConfigError as exc:
        print(f"loa: {exc}", file=sys.stderr)
        return 2
    except InvalidToken:
        print("loa: TELEGRAM_BOT_TOKEN was refused by Telegram (check the token)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2
