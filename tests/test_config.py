from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import (
    ConfigError,
    home_folder,
    load_settings,
    require_channels,
    require_telegram_token,
    require_zns,
    zns_or_off,
)
from bot.core.hours import SendingHours

GOOD_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


def test_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == home_folder() / "data" / "loa.db"  # never the cwd's
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.admin_ids == frozenset()


def test_environment_overrides_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "ADMIN_IDS=1, 2\nLOG_LEVEL=debug\nTELEGRAM_API_URL=http://127.0.0.1:8081/\n"
    )
    settings = load_settings({"LOG_LEVEL": "warning"}, env_file=env_file)
    assert settings.admin_ids == frozenset({"telegram:1", "telegram:2"})
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
        ({"PUBLIC_URL": "loa.example.vn"}, "PUBLIC_URL"),
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


def test_loa_rates_prints_the_table_in_force_on_a_date() -> None:
    def rates(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "rates", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    before = rates("--on", "30/06/2026")
    after = rates("--on", "01/07/2026")
    assert before.returncode == after.returncode == 0
    assert "2.340.000 đồng/tháng, từ 01/07/2024" in before.stdout
    assert "Người thứ 1 (100%): 113.850 đồng" in after.stdout
    assert "hộ cận nghèo: 40% = 132.000 đồng/tháng" in after.stdout
    bad = rates("--on", "31/02/2026")
    assert bad.returncode == 2
    assert "31/02/2026" in bad.stderr


def test_reminder_and_sending_settings() -> None:
    settings = load_settings(
        {"REMINDER_OFFSETS": "7,-30, 0", "SENDING_HOURS": "07:00-21:00", "TELEGRAM_RATE": "25"},
        env_file=None,
    )
    assert settings.reminder_offsets == (-30, 0, 7)
    assert settings.sending_hours == (7, 21)
    assert settings.hours == SendingHours(7, 21, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert settings.telegram_rate == 25.0
    defaults = load_settings({}, env_file=None)
    assert defaults.reminder_offsets == (-30, -7, 0, 30, 80)
    assert defaults.sending_hours == (8, 20)
    assert defaults.message_log_days == 365


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"REMINDER_OFFSETS": "a,b"}, "REMINDER_OFFSETS"),
        ({"SENDING_HOURS": "21-7"}, "SENDING_HOURS"),
        ({"PLANNER_HOUR": "25"}, "PLANNER_HOUR"),
        ({"TELEGRAM_RATE": "0"}, "TELEGRAM_RATE"),
        ({"OUTBOX_MAX_ATTEMPTS": "0"}, "OUTBOX_MAX_ATTEMPTS"),
        ({"MESSAGE_LOG_DAYS": "-1"}, "MESSAGE_LOG_DAYS"),
        ({"MESSAGE_LOG_DAYS": "a year"}, "MESSAGE_LOG_DAYS"),
    ],
)
def test_bad_sending_settings_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        load_settings(environ, env_file=None)


def test_the_office_identity_comes_from_the_env_file(tmp_path: Path) -> None:
    assert load_settings({}, env_file=None).office.is_set is False
    env_file = tmp_path / ".env"
    env_file.write_text(
        "OFFICE_NAME=  UBND xã  Tân Phú \nOFFICE_ADDRESS=Ấp 2, xã Tân Phú\n"
        "OFFICE_PHONE=0275 3812 345\nOFFICE_WEBSITE=tanphu.gov.vn\n",
        encoding="utf-8",
    )
    office = load_settings({}, env_file=env_file).office
    assert office.is_set
    assert office.name == "UBND xã Tân Phú"  # spaces tidied as a resident will read it
    assert (office.address, office.phone, office.website) == (
        "Ấp 2, xã Tân Phú",
        "0275 3812 345",
        "tanphu.gov.vn",
    )


def test_env_example_names_every_office_setting() -> None:
    example = (home_folder() / ".env.example").read_text(encoding="utf-8")
    for name in ("OFFICE_NAME=", "OFFICE_ADDRESS=", "OFFICE_PHONE=", "OFFICE_WEBSITE="):
        assert f"\n{name}\n" in example


def test_files_on_zalo_take_a_public_address_and_event_names() -> None:
    settings = load_settings(
        {
            "PUBLIC_URL": " https://loa.example.vn/ ",
            "ZALO_FILE_EVENTS": "message.file.received, message.attachment.received,",
        },
        env_file=None,
    )
    assert settings.public_url == "https://loa.example.vn"
    assert settings.zalo_file_events == {"message.file.received", "message.attachment.received"}
    unset = load_settings({}, env_file=None)
    assert (unset.public_url, unset.zalo_file_events) == ("", frozenset())


def test_the_web_server_listens_on_localhost_by_default() -> None:
    settings = load_settings({}, env_file=None)
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8443)
    assert settings.telegram_webhook is False
    chosen = load_settings({"WEB_HOST": "0.0.0.0", "WEB_PORT": "9000"}, env_file=None)
    assert (chosen.web_host, chosen.web_port) == ("0.0.0.0", 9000)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"WEB_PORT": "70000"}, "WEB_PORT"),
        ({"WEB_PORT": "http"}, "WEB_PORT"),
        ({"WEB_HOST": " "}, "WEB_HOST"),
        ({"TELEGRAM_WEBHOOK_URL": "http://loa.example.vn/hook"}, "TELEGRAM_WEBHOOK_URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces in it"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "x" * 257}, "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_bad_web_settings_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        load_settings(environ, env_file=None)


@pytest.mark.parametrize("old", ["ZALO_WEBHOOK_HOST", "ZALO_WEBHOOK_PORT"])
def test_the_old_zalo_listen_settings_name_their_new_names(old: str) -> None:
    new = {"ZALO_WEBHOOK_HOST": "WEB_HOST", "ZALO_WEBHOOK_PORT": "WEB_PORT"}[old]
    with pytest.raises(ConfigError, match=f"^{old} is now {new} "):
        load_settings({old: "8443"}, env_file=None)


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({"TELEGRAM_WEBHOOK_URL": "https://loa.example.vn/hook"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({"TELEGRAM_WEBHOOK_SECRET": "s3cret"}, "TELEGRAM_WEBHOOK_URL"),
    ],
)
def test_a_half_set_telegram_webhook_names_the_missing_setting(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, **environ}, env_file=None)
    with pytest.raises(ConfigError, match=f"^{missing} is not set"):
        require_telegram_token(settings)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, **environ, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"loa: {missing} is not set")


def test_telegram_and_zalo_webhooks_need_their_own_paths() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "TELEGRAM_WEBHOOK_URL": "https://loa.example.vn/hook",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "ZALO_BOT_TOKEN": "123:abc",
            "ZALO_WEBHOOK_URL": "https://loa.example.vn/hook",
            "ZALO_WEBHOOK_SECRET": "s3cret-for-zalo",
        },
        env_file=None,
    )
    with pytest.raises(ConfigError, match=r"^TELEGRAM_WEBHOOK_URL has the same path"):
        require_channels(settings)


ZNS = {
    "ZNS_APP_ID": "1234567890",
    "ZNS_SECRET_KEY": "oa-secret-key",
    "ZNS_REFRESH_TOKEN": "refresh-token-1",
    "ZNS_TEMPLATE_ID": "301234",
    "ZNS_TEMPLATE_FIELDS": "ten=name, han_the=expiry,so_ngay=days_left",
}


def test_zns_is_off_quietly_when_nothing_is_set() -> None:
    assert zns_or_off(load_settings({}, env_file=None)) == (
        False,
        "ZNS is off (ZNS_APP_ID is not set)",
        False,
    )


def test_complete_zns_settings_turn_it_on_with_a_template_per_stage() -> None:
    settings = load_settings({**ZNS, "ZNS_TEMPLATE_LAST": "309999"}, env_file=None)
    assert zns_or_off(settings)[0]
    require_zns(settings)
    assert settings.zns_template_fields == (
        ("ten", "name"),
        ("han_the", "expiry"),
        ("so_ngay", "days_left"),
    )
    assert settings.zns_template("before") == "301234"
    assert settings.zns_template("last") == "309999"
    assert settings.zns_api_url == "https://business.openapi.zalo.me"
    assert settings.zns_oauth_url == "https://oauth.zaloapp.com"
    assert {"oa-secret-key", "refresh-token-1"} <= set(settings.secrets)


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("ZNS_APP_ID", "ZNS_APP_ID"),
        ("ZNS_SECRET_KEY", "ZNS_SECRET_KEY"),
        ("ZNS_REFRESH_TOKEN", "ZNS_REFRESH_TOKEN"),
        ("ZNS_TEMPLATE_ID", "ZNS_TEMPLATE_ID"),
        ("ZNS_TEMPLATE_FIELDS", "ZNS_TEMPLATE_FIELDS"),
    ],
)
def test_half_filled_zns_settings_name_the_missing_one_and_stay_off(
    missing: str, named: str
) -> None:
    settings = load_settings({k: v for k, v in ZNS.items() if k != missing}, env_file=None)
    on, line, mistake = zns_or_off(settings)
    assert not on
    assert mistake
    assert line.startswith(f"ZNS is off: {named} is not set")
    assert "\n" not in line
    with pytest.raises(ConfigError, match=f"^{named} is not set"):
        require_zns(settings)


def test_per_stage_templates_may_replace_the_common_one() -> None:
    stages = {f"ZNS_TEMPLATE_{kind}": "40" + kind for kind in ("BEFORE", "ON_DAY", "AFTER")}
    settings = load_settings(
        {**{k: v for k, v in ZNS.items() if k != "ZNS_TEMPLATE_ID"}, **stages}, env_file=None
    )
    with pytest.raises(ConfigError, match="ZNS_TEMPLATE_LAST"):
        require_zns(settings)
    require_zns(settings.model_copy(update={"zns_template_last": "40LAST"}))


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ("ten=name,dia_chi=address", "'address' is not a Loa field"),
        ("ten", "must look like parameter=field"),
        ("ten=name,ten=commune", "named twice"),
        ("tên=name", "not a template parameter name"),
    ],
)
def test_a_template_mapping_naming_an_unknown_field_is_refused_in_one_line(
    fields: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({**ZNS, "ZNS_TEMPLATE_FIELDS": fields}, env_file=None)
    assert str(raised.value).startswith("ZNS_TEMPLATE_FIELDS: ")
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)
