"""`loa officers invite` says until when the invitation holds, in the configured time zone."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.render import format_datetime


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "America/New_York"])
def test_the_invitation_expiry_is_printed_in_the_configured_zone(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "loa.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("TIMEZONE", zone)
    assert main(["officers", "add", "111", "--commune", "Ea Tul", "--name", "Lan"]) == 0
    assert main(["officers", "invite", "--commune", "Ea Tul"]) == 0
    out = capsys.readouterr().out
    with sqlite3.connect(db) as connection:
        (stored,) = connection.execute("SELECT expires_at FROM officer_invites").fetchone()
    expires = datetime.fromisoformat(stored)
    assert expires.tzinfo is not None
    shown = re.search(r"valid until (\d\d:\d\d \d\d/\d\d/\d{4}) \(([^)]+)\)", out)
    assert shown is not None, out
    assert shown.groups() == (format_datetime(expires, ZoneInfo(zone)), zone)
