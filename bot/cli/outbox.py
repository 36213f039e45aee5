"""`loa outbox`: proactive messages by status, and the latest failures."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import Commands, store_for
from bot.config import Settings
from bot.reasons import outbox_reason
from bot.render import format_datetime

__all__ = ["register"]

_LABELS = {
    "queued": "chờ gửi",
    "sending": "đang gửi",
    "sent": "đã gửi",
    "failed": "gửi lỗi",
    "skipped": "bỏ qua",
}


def register(commands: Commands) -> None:
    """Add outbox."""
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
    outbox.set_defaults(handler=lambda settings, args: asyncio.run(_outbox(settings, args)))


async def _outbox(settings: Settings, args: argparse.Namespace) -> int:
    async with store_for(settings) as store:
        counts = await store.outbox.counts()
        latest = await store.outbox.latest_failures(args.failures)
    print(f"Outbox / Hộp thư đi ({settings.database_path}):")
    for status, count in counts.items():
        amount = f"{count:,}".replace(",", ".")
        print(f"  {status.value:<8} {_LABELS[status.value]:<9} {amount:>9}")
    if not latest:
        print("No failures / Không có tin gửi lỗi.")
        return 0
    print(f"Latest failures / Tin gửi lỗi gần nhất ({len(latest)}):")
    for row in latest:
        when = format_datetime(row.updated_at, settings.tz)
        kind = row.kind if row.broadcast_id is None else f"{row.kind} {row.broadcast_id}"
        why = outbox_reason(row.last_error) if row.last_error else "?"
        detail = f" ({row.last_detail})" if row.last_detail else ""
        print(
            f"  #{row.id} {when} contact {row.contact_id} {kind}, "
            f"{row.attempts} attempt(s): {why}{detail}"
        )
    return 0
