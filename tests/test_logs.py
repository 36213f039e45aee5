"""LOG_LEVEL=DEBUG shows no bot token and no SQL values; LOG_DEBUG opens a library by name."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import open_loa, telegram_running
from bot.config import load_settings
from bot.logs import QUIET_LOGGERS, REDACTED, configure_logging
from tests.fakes.telegram_server import FakeTelegram

TOKEN = "7654321:AAHk-secret_part-abcdefghijklmnopqrstuv"
ZALO_TOKEN = "12345689:abc-xyz"


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Where the configured handler writes; logging is put back as it was afterwards."""
    root = logging.getLogger()
    names = [*QUIET_LOGGERS, "aiosqlite", "bot.test"]
    before = (root.level, {name: logging.getLogger(name).level for name in names})
    handlers = list(root.handlers)
    stream = io.StringIO()
    yield stream
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(before[0])
    for name, level in before[1].items():
        logging.getLogger(name).setLevel(level)


def test_tokens_are_redacted_in_message_args_urls_and_exceptions(output: io.StringIO) -> None:
    configure_logging("DEBUG", secrets=[TOKEN, "my-webhook-secret"], stream=output)
    log = logging.getLogger("bot.test")
    log.info("calling %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    log.info("zalo said %s", f"https://bot-api.zaloplatforms.com/bot{ZALO_TOKEN}/getUpdates")
    log.warning("another bot's token: 1234567:%s", "B" * 35)
    log.info("webhook secret %r", "my-webhook-secret")
    try:
        raise RuntimeError(f"could not reach /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("send failed for %s", TOKEN)
    text = output.getvalue()
    for secret in (TOKEN, "AAHk-secret_part", ZALO_TOKEN, "abc-xyz", "B" * 35, "my-webhook-secret"):
        assert secret not in text
    assert f"https://api.telegram.org/bot{REDACTED}/getMe" in text
    assert f"zaloplatforms.com/bot{REDACTED}/getUpdates" in text
    assert f"send failed for {REDACTED}" in text
    assert "RuntimeError: could not reach" in text  # the traceback is kept, only redacted
    assert text.count("\n") >= 8


def test_oa_tokens_are_redacted_even_when_rotated_since_start(output: io.StringIO) -> None:
    configure_logging("DEBUG", secrets=["oa-secret-key-1"], stream=output)
    log = logging.getLogger("bot.test")
    rotated = "Xy-" + "k" * 300  # OA tokens are a few hundred characters
    log.info("oauth answered %s", {"access_token": "short-one", "refresh_token": "r-2"})
    log.info("header secret_key=%s sent", "oa-secret-key-1")
    log.info("got %s", rotated)
    text = output.getvalue()
    for secret in ("short-one", "r-2", "oa-secret-key-1", "k" * 80):
        assert secret not in text
    assert f"'access_token': '{REDACTED}'" in text


def test_noisy_libraries_stay_quiet_at_debug_unless_named(output: io.StringIO) -> None:
    configure_logging("DEBUG", stream=output)
    logging.getLogger("aiosqlite").debug("executing INSERT INTO contacts VALUES ('secret')")
    logging.getLogger("telegram.ext.ExtBot").debug("Set Bot API URL: x")
    logging.getLogger("bot.test").debug("our own debug line")
    assert "INSERT" not in output.getvalue()
    assert "Set Bot API URL" not in output.getvalue()
    assert "our own debug line" in output.getvalue()

    configure_logging("DEBUG", debug=["aiosqlite"], stream=output)
    logging.getLogger("aiosqlite").debug("executing SELECT 1")
    assert "executing SELECT 1" in output.getvalue()


def test_a_quiet_library_is_not_louder_than_log_level(output: io.StringIO) -> None:
    configure_logging("WARNING", stream=output)
    logging.getLogger("aiosqlite").info("an info line")
    assert output.getvalue() == ""


def test_log_debug_is_read_from_the_environment() -> None:
    settings = load_settings({"LOG_DEBUG": "aiosqlite, httpx"}, env_file=None)
    assert settings.log_debug == ("aiosqlite", "httpx")
    assert load_settings({}, env_file=None).log_debug == ()


async def test_loa_at_debug_over_the_bot_api_logs_no_token_and_no_sql(
    output: io.StringIO, db_path: Path
) -> None:
    async with FakeTelegram() as server:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": server.token,
                "TELEGRAM_API_URL": server.url,
                "DATABASE_URL": f"sqlite:///{db_path}",
                "LOG_LEVEL": "DEBUG",
            },
            env_file=None,
        )
        configure_logging(settings.log_level, secrets=settings.secrets, stream=output)
        async with open_loa(settings) as loa, telegram_running(loa, poll_timeout=1):
            server.push_text(7, "/start")
            await server.wait_for("sendMessage", lambda call: call.params["chat_id"] == 7)
    text = output.getvalue()
    assert "Loa is serving Telegram" in text
    assert server.token not in text
    assert server.token.split(":")[1] not in text
    assert "INSERT INTO" not in text
