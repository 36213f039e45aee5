"""Officers' statistics: a short Vietnamese summary and a PNG chart (`/stats`, `loa stats`).

The chart is drawn with matplotlib on its Agg backend (no display, no GUI toolkit): renewals
per week, the reminder → renewal funnel and, once leaflets are printed, each village's
leaflet funnel (came → registered → linked → renewed).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.interests import INTERESTS, interest_label
from bot.render import Renderer, default_renderer
from bot.store import Store
from bot.store.stats import Counts

__all__ = ["collect", "stats_chart", "stats_text", "summary"]

_STATUSES = ("new", "contacted", "joined", "declined")
_SOURCES = ("leaflet", "answer", "registration", "card", "unknown")
_FUNNEL = ("came", "registered", "linked", "leaflet_renewed")
_MAX_VILLAGES = 10


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
            "sources": {key: renderer.label(f"stats.source.{key}") for key in _SOURCES},
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
    """Draw renewals per week, the reminder → renewal funnel and the leaflets' as one PNG.

    Without `renderer` the titles come from the default messages (bot/officers.py calls it so).
    """
    say = (renderer or default_renderer()).label
    # Imported here: matplotlib takes ~0.3 s to import, and only /stats needs it.
    from matplotlib.figure import Figure

    villages = _leaflet_villages(counts)
    figure = Figure(figsize=(9, 7.5 if villages else 4), dpi=100)
    if villages:
        grid = figure.add_gridspec(2, 2, width_ratios=[3, 2], height_ratios=[1, 1])
        weekly, funnel = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
        _draw_leaflets(figure.add_subplot(grid[1, :]), villages, say)
    else:
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


def _leaflet_villages(counts: Counts) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each village's leaflet funnel, codes of one village added up, most visited first."""
    by_village: dict[str, list[int]] = {}
    for leaflet in counts.leaflets:
        name = leaflet.village or leaflet.commune
        if len({item.commune for item in counts.leaflets}) > 1:
            name = f"{name} ({leaflet.commune})"
        totals = by_village.setdefault(name, [0, 0, 0, 0])
        for index, value in enumerate(
            (leaflet.came, leaflet.registered, leaflet.linked, leaflet.renewed)
        ):
            totals[index] += value
    ranked = sorted(by_village.items(), key=lambda item: (-item[1][0], item[0]))
    return [(name, (v[0], v[1], v[2], v[3])) for name, v in ranked[:_MAX_VILLAGES] if v[0]]


def _draw_leaflets(
    axes: Any, villages: Sequence[tuple[str, tuple[int, int, int, int]]], say: Any
) -> None:
    """Grouped bars: per village, came → registered → linked → renewed."""
    width = 0.2
    colours = ("#1565c0", "#f9a825", "#6a1b9a", "#2e7d32")
    positions = range(len(villages))
    for step, key in enumerate(_FUNNEL):
        values = [funnel[step] for _, funnel in villages]
        axes.bar(
            [x + (step - 1.5) * width for x in positions],
            values,
            width,
            label=say(f"stats.chart.{key}"),
            color=colours[step],
        )
    axes.set_xticks(list(positions), [name for name, _ in villages], fontsize=8)
    axes.set_title(say("stats.chart.leaflets"))
    axes.legend(fontsize=8)
