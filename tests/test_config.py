from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, require_telegram_token

GOOD_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


def test_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/loa.db")
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.admin_ids == frozenset()


def test_environment_overrides_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "ADMIN_IDS=1, 2\nLOG_LEVEL=debug\nTELEGRAM_API_URL=http://127.0.0.1:8081/\n"
    )
    settings = load_settings({"LOG_LEVEL": "warning"}, env_file=env_file)
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.log_level == "WARNING"
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"TIMEZONE": "Mars/Base"}, "TIMEZONE"),
        ({"DATABASE_URL": "postgres://x"}, "DATABASE_URL"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        load_settings(environ, env_file=None)


@pytest.mark.parametrize("token", ["", "   ", "abc", "123:short", "notdigits:" + "a" * 35])
def test_missing_or_malformed_token_is_refused(token: str) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": token}, env_file=None)
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN "):
        require_telegram_token(settings)
    assert require_telegram_token(load_settings({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN}, None))


@pytest.mark.parametrize("token", ["", "malformed"])
def test_loa_run_without_a_good_token_exits_2_with_one_line(tmp_path: Path, token: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"TELEGRAM_BOT_TOKEN": token, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_help_describes_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("run", "demo"):
        assert command in result.stdout
    demo = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--help"], capture_output=True, text=True, check=True
    )
    assert "offline" in demo.stdout
