"""Officers' statistics: a short Vietnamese summary and a PNG chart (`/stats`, `loa stats`).

The chart is drawn with matplotlib on its Agg backend (no display, no GUI toolkit): renewals
per week, and the reminder → renewal funnel.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.interests import INTERESTS, interest_label
from bot.render import Renderer, default_renderer
from bot.store import Store
from bot.store.stats import Counts

__all__ = ["collect", "stats_chart", "stats_text", "summary"]

_STATUSES = ("new", "contacted", "joined", "declined")


async def collect(store: Store, now: datetime, communes: Sequence[str] | None) -> Counts:
    """Count everything for the communes (keys; None = every commune)."""
    return await store.stats.counts(communes, now)


def summary(renderer: Renderer, counts: Counts, now: datetime, tz: ZoneInfo, place: str) -> str:
    """Render the text summary."""
    return renderer.text(
        "stats/summary",
        {
            "c": counts,
            "place": place,
            "at": now.astimezone(tz),
            "interests": {key: renderer.label(interest_label(key)) for key in INTERESTS},
            "statuses": {key: renderer.label(f"stats.status.{key}") for key in _STATUSES},
            "max_places": 15,
        },
    )


async def stats_text(
    store: Store,
    renderer: Renderer,
    now: datetime,
    tz: ZoneInfo,
    communes: Sequence[str] | None,
    place: str = "",
) -> str:
    """Count and render the summary for the communes (None = every commune)."""
    counts = await collect(store, now, communes)
    every = renderer.label("stats.every_commune") if communes is None else ""
    return summary(renderer, counts, now, tz, place or every)


def stats_chart(counts: Counts, renderer: Renderer | None = None) -> bytes:
    """Draw renewals per week and the reminder → renewal funnel as one PNG.

    Without `renderer` the titles come from the default messages (bot/officers.py calls it so).
    """
    say = (renderer or default_renderer()).label
    # Imported here: matplotlib takes ~0.3 s to import, and only /stats needs it.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), dpi=100)
    weekly, funnel = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    weeks = [monday.strftime("%d/%m") for monday, _ in counts.renewals_by_week]
    weekly.bar(weeks, [n for _, n in counts.renewals_by_week], color="#2e7d32")
    weekly.set_title(say("stats.chart.weekly"))
    weekly.tick_params(axis="x", labelrotation=60, labelsize=7)
    steps = [say(f"stats.chart.{key}") for key in ("sent", "reminded", "renewed")]
    values = [
        sum(counts.reminders_by_stage.values()),
        counts.reminded,
        counts.renewed_after_reminder,
    ]
    funnel.barh(steps[::-1], values[::-1], color=["#2e7d32", "#f9a825", "#1565c0"])
    funnel.set_title(say("stats.chart.funnel"))
    for index, value in enumerate(values[::-1]):
        funnel.text(value, index, f" {value}", va="center", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
