"""Ten thousand random and hostile inputs: every one gets a polite reply, nothing is executed,
and nothing crashes: not on the core, the terminal demo, Zalo, or an officer's buttons."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import Loa, open_loa, telegram_running, zalo_running
from bot.clock import FixedClock
from bot.config import load_settings
from bot.core.types import Incoming, Kind
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.zalo_server import FakeZalo
from tests.officer_helpers import actor
from tests.store_queries import find_contact

ADMIN = 9001
APOLOGY = "Loa đang gặp trục trặc"
# Each of these ended `loa demo` with a traceback before (issue #12, point 7).
CRASHERS = [
    "9" * 309,
    "thu nhập " + "9" * 330 + " đồng",
    "-" + "9" * 400 + ".5 triệu",
    "\ud800",
    "chào \udfff bạn \ud83d",
    "calc:income:²",
    "calc:members:" + "9" * 24,
    "reg:household:²",
]
OFFICER_BUTTONS = [
    "off:status:²:called",
    "off:status:²:contacted",
    "off:status:" + "9" * 24 + ":contacted",
    "off:status:٣:joined",
    "off:status:-1:joined",
    "off:status:\ud800:joined",
    "off:bc:pause:²",
    "off:bc:cancel:" + "9" * 24,
    "off:bc:report:" + "9" * 5000,
]

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
    *CRASHERS,
    *OFFICER_BUTTONS,
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
    for index, body in enumerate(inputs(10_000)):
        kind = kinds[index % len(kinds)]
        command = body.strip("/ ")[:30] if kind is Kind.COMMAND else ""
        incoming = Incoming("test", str(index % 37), kind, text=body, command=command)
        replies = await loa.engine.handle(incoming)
        assert replies, f"no reply to {body!r}"
        assert all(r.text.strip() for r in replies)
        assert all("49" not in r.text for r in replies if "7*7" in body)


def test_terminal_demo_answers_every_hostile_line(tmp_path: Path) -> None:
    lines = [line.replace("\n", " ") for line in inputs(1000)]
    piped = "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n\xff\xfe ch\xe0o \xc3\n"
    lines.append("invalid UTF-8")
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.db")],
        input=piped,
        capture_output=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # strict decoding, as on most desktops
    )
    result = subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8", "replace"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert APOLOGY not in result.stdout
    answers = [block for block in result.stdout.split("\n\n") if block.strip()]
    assert (
        result.stdout.count("(Gõ số hoặc tên mục để chọn)")
        + result.stdout.count("Muốn nhận tin lại")
        >= len(lines) - 5
    )
    assert len(answers) >= len(lines)
    assert "Traceback" not in result.stderr


@pytest.fixture
def admin_settings(db_path: Path) -> dict[str, str]:
    """An environment with one administrator, who may press every officer button."""
    return {"DATABASE_URL": f"sqlite:///{db_path}", "ADMIN_IDS": str(ADMIN)}


def mutated_ids(count: int) -> list[str]:
    """Status and broadcast buttons whose id part is random hostile digits."""
    rng = random.Random(7)
    ids = ["²", "³", "٣", "１", "0", "-5", "9" * 19, "9" * 24, "9" * 309, "1e3", "\ud800", ""]
    out = []
    for _ in range(count):
        body = "".join(rng.choice(ids) for _ in range(rng.randint(1, 3)))
        kind = rng.choice(["status:{}:contacted", "status:{}:x", "bc:pause:{}", "bc:report:{}"])
        out.append("off:" + kind.format(body))
    return out


async def test_officer_buttons_with_hostile_ids_are_refused_politely(
    admin_settings: dict[str, str], clock: FixedClock
) -> None:
    settings = load_settings(admin_settings, env_file=None)
    async with open_loa(settings, clock=clock) as loa:
        admin = actor(ADMIN, "Lan")
        for payload in [*OFFICER_BUTTONS, *mutated_ids(500)]:
            pressed = Incoming("telegram", str(ADMIN), Kind.BUTTON, text=payload)  # as channels do
            answer = await loa.officers.button(admin, pressed.text, clock.now())
            shown = answer.toast or (answer.reply.text if answer.reply else "")
            assert shown.strip(), payload
            assert APOLOGY not in shown


async def test_officer_buttons_with_hostile_ids_over_telegram(
    admin_settings: dict[str, str], clock: FixedClock
) -> None:
    async with FakeTelegram() as server:
        env = {**admin_settings, "TELEGRAM_BOT_TOKEN": server.token, "TELEGRAM_API_URL": server.url}
        settings = load_settings(env, env_file=None)
        async with open_loa(settings, clock=clock) as loa, telegram_running(loa, poll_timeout=1):
            server.push_text(ADMIN, "/start")
            await server.wait_for("sendMessage")
            for count, payload in enumerate(OFFICER_BUTTONS[:5], start=1):
                server.push_callback(ADMIN, payload, user_id=ADMIN)
                await server.wait_for("answerCallbackQuery", count=count)
            toasts = [c.params.get("text") for c in server.calls("answerCallbackQuery")]
            assert toasts == [loa.renderer.text("officer/not_found")] * 5
            assert not [m for m in server.sent(ADMIN) if APOLOGY in (m.text or "")]


async def test_zalo_answers_hostile_texts(db_path: Path, clock: FixedClock) -> None:
    async with FakeZalo() as zalo:
        env = {"ZALO_BOT_TOKEN": zalo.token, "ZALO_API_URL": zalo.url}
        settings = load_settings({**env, "DATABASE_URL": f"sqlite:///{db_path}"}, env_file=None)
        async with open_loa(settings, clock=clock) as loa, zalo_running(loa, poll_timeout=1):
            for text in [*CRASHERS, *OFFICER_BUTTONS]:
                count = len(zalo.sent("u1")) + 1
                zalo.push_text("u1", text, name="Hoa\udfff")
                await zalo.wait_for(
                    "sendMessage", lambda c: c.params["chat_id"] == "u1", count=count
                )
            texts = [sent.text for sent in zalo.sent("u1")]
            assert not [text for text in texts if APOLOGY in text]
            contact = await find_contact(loa.store.db, "zalo", "u1")
            assert contact is not None
            assert contact.display_name == "Hoa\ufffd"
