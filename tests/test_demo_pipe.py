"""`loa demo | head`: a reader that leaves early ends the demo quietly, without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_demo_stops_quietly_when_its_reader_leaves(tmp_path: Path) -> None:
    loa = Path(sys.executable).with_name("loa")
    questions = "bhyt ho gia dinh bao nhieu\n" * 200
    demo = subprocess.Popen(
        [str(loa), "demo", "--db", str(tmp_path / "demo.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert demo.stdin is not None
    assert demo.stdout is not None
    demo.stdin.write(questions.encode())
    demo.stdin.close()
    first = demo.stdout.readline()
    demo.stdout.close()  # like `head -1`
    assert demo.stderr is not None
    errors = demo.stderr.read()
    demo.stderr.close()
    demo.wait(timeout=120)
    assert first.strip()
    assert b"Traceback" not in errors, errors.decode()[-2000:]
    assert demo.returncode == 0
