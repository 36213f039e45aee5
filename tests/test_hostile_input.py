"""A thousand random and hostile inputs: every one gets a polite reply, nothing is executed."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from bot.app import Loa
from bot.core.types import Incoming, Kind

HOSTILE = [
    "",
    " ",
    "\n\n",
    "<b>bold</b><script>alert(1)</script>",
    "{{ 7*7 }}",
    "{% for x in range(10**9) %}x{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "'; DROP TABLE contacts; --",
    '" OR 1=1 --',
    "🙂🙂🙂",
    "👨‍👩‍👧‍👦",
    "\x00\x01\x02\x1b[31mred",
    "\u202etxet desrever",
    "a" * 4096,
    "ư" * 5000,
    "/start " + "x" * 4000,
    "/" + "a" * 300,
    "%s%s%s%n",
    "\\x00\\u0000",
    "NULL",
    "1e309",
    "-999999999999999999999",
]


def random_text(rng: random.Random) -> str:
    alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạèéẻẽẹ0123456789 .,!?/<>{}%$#@\n\t\x00\x07🙂"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))


def inputs(count: int) -> list[str]:
    rng = random.Random(20261125)
    out = list(HOSTILE)
    while len(out) < count:
        out.append(random_text(rng))
    return out


async def test_core_answers_every_hostile_input(loa: Loa) -> None:
    kinds = [Kind.TEXT, Kind.BUTTON, Kind.UNSUPPORTED, Kind.COMMAND]
    for index, body in enumerate(inputs(1000)):
        kind = kinds[index % len(kinds)]
        command = body.strip("/ ")[:30] if kind is Kind.COMMAND else ""
        incoming = Incoming("test", str(index % 37), kind, text=body, command=command)
        replies = await loa.engine.handle(incoming)
        assert replies, f"no reply to {body!r}"
        assert all(r.text.strip() for r in replies)
        assert all("49" not in r.text for r in replies if "7*7" in body)


def test_terminal_demo_answers_every_hostile_line(tmp_path: Path) -> None:
    lines = [line.replace("\n", " ") for line in inputs(1000)]
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.db")],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=tmp_path,
    )
    answers = [block for block in result.stdout.split("\n\n") if block.strip()]
    assert (
        result.stdout.count("(Gõ số hoặc tên mục để chọn)")
        + result.stdout.count("Muốn nhận tin lại")
        >= len(lines) - 5
    )
    assert len(answers) >= len(lines)
    assert "Traceback" not in result.stderr
