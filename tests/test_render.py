"""The renderer's formatters: one way to write a moment, in the zone the caller names."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.clock import VIETNAM
from bot.render import Renderer, format_datetime


def test_a_moment_is_written_in_the_zone_asked_for() -> None:
    late = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)  # already 1 December in Vietnam
    assert format_datetime(late, VIETNAM) == "00:05 01/12/2026"
    assert format_datetime(late, ZoneInfo("America/New_York")) == "12:05 30/11/2026"
    assert format_datetime(late) == "17:05 30/11/2026"


def test_templates_write_a_local_moment_with_the_same_formatter() -> None:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC).astimezone(VIETNAM)
    data = {"reference": "DK-1", "status": "joined", "actor": "Lan", "at": at}
    text = Renderer().text("officer/status_changed", data)
    assert f"lúc {format_datetime(at)})" in text
    assert "09:00 25/11/2026" in text
