"""The README's systemd units (the service, the nightly backup and its timer) are valid as
written: `systemd-analyze verify` accepts them, with Loa's paths pointed at this checkout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNITS = ("loa.service", "loa-backup.service", "loa-backup.timer")
ANALYZE = shutil.which("systemd-analyze")


def _unit(readme: str, name: str) -> str:
    """Return the indented block that follows the README's mention of `/etc/…/name`."""
    found = re.search(
        rf"/etc/systemd/system/{re.escape(name)}`[^\n]*\n\n((?:    [^\n]*\n|\n)+)", readme
    )
    assert found, f"no {name} in the README"
    return "\n".join(line[4:] for line in found.group(1).splitlines()).strip() + "\n"


def test_the_readme_shows_every_unit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in UNITS:
        assert "[Unit]" in _unit(readme, name)
    assert "OnCalendar=*-*-* 02:00:00 Asia/Ho_Chi_Minh" in _unit(readme, "loa-backup.timer")


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    loa = Path(sys.executable).with_name("loa")
    for name in UNITS:
        text = _unit(readme, name).replace("/opt/loa/.venv/bin/loa", str(loa))
        text = text.replace("/opt/loa", str(ROOT)).replace("User=loa\n", "")
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert ANALYZE is not None
    checked = subprocess.run(
        [ANALYZE, "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    night = subprocess.run(
        [ANALYZE, "calendar", "*-*-* 02:00:00 Asia/Ho_Chi_Minh"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "19:00:00 UTC" in night.stdout  # 02:00 in Vietnam, whatever the server's zone
