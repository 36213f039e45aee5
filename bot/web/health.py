"""`GET /healthz`: database reachable, migrations current, senders alive, the planner's last run.

It answers 200 with `{"healthy": true, "checks": …}` when every check passes, else 503 with
the same body. It shows times, counts and migration numbers: never a person, a text or a
token.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.clock import Clock
from bot.outbox.sender import Sender
from bot.store.metrics import Gauges, Metrics
from bot.web.server import WebServer

__all__ = ["PLANNER_STALE", "SENDER_STALE", "PlannerRun", "Watch", "add_health_route"]

SENDER_STALE = timedelta(minutes=5)
"""A sender whose loop has not gone round for this long is not alive (a 429 pause is shorter)."""
PLANNER_STALE = timedelta(hours=26)
"""The planner runs at start-up and daily: no run for this long is a fault."""
DATABASE_TIMEOUT = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlannerRun:
    """When the reminder planner last finished, and whether it failed."""

    at: datetime
    ok: bool


class Watch:
    """What /healthz and /metrics look at in a running process."""

    def __init__(
        self,
        metrics: Metrics,
        clock: Clock,
        tz: ZoneInfo,
        *,
        gauges_for: timedelta = timedelta(0),
    ) -> None:
        self.metrics = metrics
        self.clock = clock
        self.tz = tz
        self.gauges_for = gauges_for
        self._gauges: tuple[datetime, Gauges] | None = None
        self.started_at = clock.now()
        self.senders: list[Sender] = []
        self.planner: PlannerRun | None = None

    async def gauges(self) -> Gauges:
        """Return the database's row counts, counted again once `gauges_for` has passed.

        Counting a long chat log takes a while on the one database connection residents'
        answers share, so a monitor scraping every few seconds does not count each time.
        """
        now = self.clock.now()
        if self._gauges is None or now - self._gauges[0] >= self.gauges_for:
            self._gauges = (now, await self.metrics.gauges())
        return self._gauges[1]

    def planner_finished(self, *, ok: bool) -> None:
        """Note that the planner just finished (`ok` False when it raised)."""
        self.planner = PlannerRun(self.clock.now(), ok)

    async def checks(self) -> dict[str, Any]:
        """Return every check as JSON-ready data, each with its `ok`."""
        now = self.clock.now()
        checks: dict[str, Any] = {}
        try:
            schema = await asyncio.wait_for(self.metrics.schema(), DATABASE_TIMEOUT)
        except Exception as exc:  # locked, unreadable, gone: the check fails, the server stays
            log.warning("healthz: the database did not answer: %s", type(exc).__name__)
            checks["database"] = {"ok": False, "error": type(exc).__name__}
            checks["migrations"] = {"ok": False}
        else:
            checks["database"] = {"ok": True}
            checks["migrations"] = {
                "ok": schema.current,
                "applied": schema.applied,
                "pending": list(schema.pending),
                "unknown": list(schema.unknown),
            }
        for sender in self.senders:
            looped = sender.stats.looped_at
            checks[f"sender_{sender.channel}"] = {
                "ok": looped is not None and now - looped <= SENDER_STALE,
                "last_loop": self._shown(looped),
            }
        run = self.planner
        if run is None:
            fresh = now - self.started_at <= PLANNER_STALE
        else:
            fresh = run.ok and now - run.at <= PLANNER_STALE
        checks["planner"] = {
            "ok": fresh,
            "last_run": self._shown(run.at if run else None),
            "last_run_ok": run.ok if run else None,
        }
        return checks

    def _shown(self, moment: datetime | None) -> str | None:
        """Return a time as ISO 8601 in the configured time zone (None stays None)."""
        return moment.astimezone(self.tz).isoformat(timespec="seconds") if moment else None


def add_health_route(server: WebServer, watch: Watch) -> None:
    """Serve `GET /healthz` from `server`."""

    async def healthz(request: web.Request) -> web.Response:
        """Answer 200 when every check passes, else 503; the body lists the checks."""
        checks = await watch.checks()
        healthy = all(check["ok"] for check in checks.values())
        body = {"healthy": healthy, "checks": checks}
        return web.json_response(body, status=200 if healthy else 503)

    server.app.router.add_get("/healthz", healthz)
