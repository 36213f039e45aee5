"""`GET /metrics` in the Prometheus text format (version 0.0.4), written by hand.

Every value is read at scrape time: row counts from the database (`bot.store.metrics`) and
the senders' and pacers' counters since the process started. The format is a few lines
(`# HELP`, `# TYPE`, `name{label="value"} number`), so no client library is needed. Labels
carry only fixed words (channels, statuses, kinds): never a person, a text or a token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aiohttp import web

from bot.store.outbox import OutboxStatus
from bot.web.health import Watch
from bot.web.server import WebServer

__all__ = ["CONTENT_TYPE", "Family", "add_metrics_route", "collect", "exposition"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_REMINDER_KIND = "reminder"

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Family:
    """One metric: its name, type (gauge or counter), help line and samples."""

    name: str
    kind: str
    help: str
    samples: Sequence[tuple[Labels, float]]


def _escape(value: str) -> str:
    """Escape a label value (backslash, double quote, line feed)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    """Return a sample value: whole numbers without a decimal point."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def exposition(families: Iterable[Family]) -> str:
    """Return the families in the Prometheus text format."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, value in family.samples:
            shown = ",".join(f'{key}="{_escape(text)}"' for key, text in labels)
            lines.append(
                f"{family.name}{{{shown}}} {_number(value)}"
                if shown
                else f"{family.name} {_number(value)}"
            )
    return "\n".join(lines) + "\n"


async def collect(watch: Watch) -> list[Family]:
    """Read every metric now."""
    gauges = await watch.gauges()
    statuses = [status.value for status in OutboxStatus]
    by_status = dict.fromkeys(statuses, 0)
    reminders = dict.fromkeys(statuses, 0)
    for (kind, status), count in gauges.outbox.items():
        by_status[status] = by_status.get(status, 0) + count
        if kind == _REMINDER_KIND:
            reminders[status] = reminders.get(status, 0) + count
    senders = watch.senders
    families = [
        Family(
            "loa_messages",
            "gauge",
            "Chat messages kept in the log (MESSAGE_LOG_DAYS), by direction.",
            [((("direction", d),), gauges.messages.get(d, 0)) for d in ("in", "out")],
        ),
        Family(
            "loa_outbox_rows",
            "gauge",
            "Outbox rows (reminders, broadcasts, notices) by status.",
            [((("status", s),), n) for s, n in by_status.items()],
        ),
        Family(
            "loa_reminders",
            "gauge",
            "Expiry reminders in the outbox by status (queued: waiting to be sent).",
            [((("status", s),), n) for s, n in reminders.items()],
        ),
        Family(
            "loa_residents",
            "gauge",
            "Residents held, by source (import: rows from the communes' lists; self: typed).",
            [((("source", s),), gauges.residents.get(s, 0)) for s in ("import", "self")],
        ),
        Family(
            "loa_rate_limited_total",
            "counter",
            "429 Too Many Requests answers seen since start (live replies and outbox).",
            [((("channel", s.channel),), s.pacer.pauses) for s in senders],
        ),
        Family(
            "loa_sender_rate_limit",
            "gauge",
            "The sender's configured pace in messages per second (TELEGRAM_RATE, ZALO_RATE).",
            [((("channel", s.channel),), s.pacer.rate) for s in senders],
        ),
        Family(
            "loa_sender_messages_total",
            "counter",
            "Outbox deliveries since start by outcome (rate: messages sent per second).",
            [
                ((("channel", s.channel), ("outcome", outcome)), value)
                for s in senders
                for outcome, value in (
                    ("sent", s.stats.sent),
                    ("failed", s.stats.failed),
                    ("skipped", s.stats.skipped),
                    ("retried", s.stats.retried),
                )
            ],
        ),
        Family(
            "loa_sender_last_loop_timestamp_seconds",
            "gauge",
            "When the sender's loop last went round (Unix time; absent when it is stopped).",
            [
                ((("channel", s.channel),), s.stats.looped_at.timestamp())
                for s in senders
                if s.stats.looped_at is not None
            ],
        ),
    ]
    if watch.planner is not None:
        families.append(
            Family(
                "loa_planner_last_run_timestamp_seconds",
                "gauge",
                "When the reminder planner last finished (Unix time).",
                [((), watch.planner.at.timestamp())],
            )
        )
        families.append(
            Family(
                "loa_planner_last_run_ok",
                "gauge",
                "1 when the planner's last run succeeded, 0 when it failed.",
                [((), 1 if watch.planner.ok else 0)],
            )
        )
    return families


def add_metrics_route(server: WebServer, watch: Watch) -> None:
    """Serve `GET /metrics` from `server`."""

    async def metrics(request: web.Request) -> web.Response:
        """Answer the metrics in the Prometheus text format."""
        body = exposition(await collect(watch))
        return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})

    server.app.router.add_get("/metrics", metrics)
