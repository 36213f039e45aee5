"""Settings from the environment and an optional .env file; the environment is injected."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.accounts import Account, AccountError
from bot.core.hours import SendingHours
from bot.core.office import Office
from bot.core.rates import default_rates_path
from bot.core.shipped import checkout_folder
from bot.core.zns import STAGE_KINDS, parse_field_map

__all__ = [
    "ENV_FILE_VARIABLE",
    "ConfigError",
    "Settings",
    "ZnsState",
    "find_env_file",
    "home_folder",
    "load_settings",
    "require_channels",
    "require_telegram_token",
    "require_zalo_token",
    "require_zns",
    "webhook_path",
    "zns_or_off",
]

ENV_FILE_VARIABLE = "LOA_ENV_FILE"
_NOT_FROM_ENVIRONMENT = {"base_folder"}
_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_ZALO_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_LOG_LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_RENAMED = {"ZALO_WEBHOOK_HOST": "WEB_HOST", "ZALO_WEBHOOK_PORT": "WEB_PORT"}
"""Settings that were renamed: the old name stops `loa` with one line naming the new one."""


def home_folder() -> Path:
    """Return Loa's folder: the checkout it runs from, else (installed) the current folder.

    A checkout's `loa` reads the same settings from anywhere; an installed one has no folder
    of its own, so it is started in the office's folder (a service's WorkingDirectory) or is
    told where the settings are by LOA_ENV_FILE.
    """
    return checkout_folder() or Path.cwd()


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable in one line."""


class Settings(BaseModel):
    """Every setting Loa reads; see .env.example for the meaning of each."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str = ""
    telegram_webhook_secret: str = ""
    web_host: str = "127.0.0.1"
    web_port: int = 8443  # 0: any free port (tests)
    metrics_cache_seconds: int = 30  # /metrics counts rows at most this often (0: every scrape)
    database_url: str = "sqlite:///data/loa.db"
    admin_ids: frozenset[str] = frozenset()  # accounts: `telegram:123`, `zalo:abc`
    officer_chat_id: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    log_debug: tuple[str, ...] = ()
    reminder_offsets: tuple[int, ...] = (-30, -7, 0, 30, 80)
    sending_hours: tuple[int, int] = (8, 20)
    planner_hour: int = 7
    telegram_rate: float = 30.0
    telegram_per_chat_rate: float = 1.0
    outbox_max_attempts: int = 5
    daily_message_cap: int = 2
    message_log_days: int = 365
    zalo_bot_token: str = ""
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str = ""
    zalo_webhook_secret: str = ""
    zalo_rate: float = 10.0
    zalo_per_chat_rate: float = 1.0
    zalo_proactive: bool = True
    zalo_file_events: frozenset[str] = frozenset()  # empty: the names Loa knows
    public_url: str = ""
    office_name: str = ""
    office_address: str = ""
    office_phone: str = ""
    office_website: str = ""
    rates_file: str = ""  # empty: the rates shipped with Loa
    zns_app_id: str = ""
    zns_secret_key: str = ""
    zns_access_token: str = ""  # only seeds the token store (then Loa refreshes it itself)
    zns_refresh_token: str = ""  # idem
    zns_api_url: str = "https://business.openapi.zalo.me"
    zns_oauth_url: str = "https://oauth.zaloapp.com"
    zns_quota_path: str = "/message/quota"
    zns_template_id: str = ""  # for every stage without its own
    zns_template_before: str = ""
    zns_template_on_day: str = ""
    zns_template_after: str = ""
    zns_template_last: str = ""
    zns_template_fields: tuple[tuple[str, str], ...] = ()  # (parameter, Loa field)
    zns_rate: float = 5.0  # notices a second (the OA's rate limit is not published)
    zns_field_max_length: int = Field(30, ge=5, le=400)  # a parameter's longest value
    zns_monthly_budget: int = Field(0, ge=0)  # notices a calendar month (0: no limit)
    zns_price: int = Field(0, ge=0)  # đồng per notice, for the cost in `loa stats` (0: unknown)
    base_folder: Path = Field(default_factory=home_folder)
    """What relative paths in the settings are relative to: the .env file's folder, else
    Loa's folder (`home_folder`); set by load_settings, never from the environment."""

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _split_offsets(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                offsets = sorted({int(p) for p in parts})
            except ValueError:
                raise ValueError("must be whole numbers of days, e.g. -30,-7,0,30,80") from None
            if not offsets:
                raise ValueError("needs at least one offset in days, e.g. -30,-7,0,30,80")
            return tuple(offsets)
        return value

    @field_validator("sending_hours", mode="before")
    @classmethod
    def _split_hours(cls, value: object) -> object:
        if isinstance(value, str):
            start, sep, end = value.replace(":00", "").partition("-")
            if not sep or not start.strip().isdigit() or not end.strip().isdigit():
                raise ValueError("must look like 08:00-20:00")
            value = (int(start), int(end))
        if isinstance(value, tuple) and (not 0 <= value[0] < value[1] <= 24):
            raise ValueError("must be a window within one day, e.g. 08:00-20:00")
        return value

    @field_validator("planner_hour")
    @classmethod
    def _check_hour(cls, value: int) -> int:
        if not 0 <= value <= 23:
            raise ValueError("must be an hour from 0 to 23")
        return value

    @field_validator("office_name", "office_address", "office_phone", "office_website")
    @classmethod
    def _strip_office(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator(
        "telegram_rate", "telegram_per_chat_rate", "zalo_rate", "zalo_per_chat_rate", "zns_rate"
    )
    @classmethod
    def _check_rate(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of messages per second")
        return value

    @field_validator("outbox_max_attempts")
    @classmethod
    def _check_attempts(cls, value: int) -> int:
        if not 1 <= value <= 20:
            raise ValueError("must be from 1 to 20")
        return value

    @field_validator("daily_message_cap")
    @classmethod
    def _check_cap(cls, value: int) -> int:
        if not 1 <= value <= 50:
            raise ValueError("must be from 1 to 50 messages per resident per day")
        return value

    @field_validator("message_log_days")
    @classmethod
    def _check_log_days(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be a number of days (0 keeps every message)")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                return frozenset(str(Account.parse(part)) for part in parts)
            except AccountError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("log_debug", mode="before")
    @classmethod
    def _split_loggers(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(p.strip() for p in value.split(",") if p.strip())
        return value

    @field_validator("officer_chat_id")
    @classmethod
    def _check_chat(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                return str(Account.parse(value))
            except AccountError as exc:
                raise ValueError(f"{exc} (a Telegram group id starts with -)") from None
        return value

    @field_validator("zns_template_fields", mode="before")
    @classmethod
    def _split_fields(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_field_map(value)
        return value

    @field_validator("zns_quota_path")
    @classmethod
    def _check_quota_path(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("/"):
            raise ValueError("must be a path on ZNS_API_URL, e.g. /message/quota")
        return value

    @field_validator("telegram_api_url", "zalo_api_url", "zns_api_url", "zns_oauth_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database(cls, value: str) -> str:
        if not value.startswith("sqlite:///"):
            raise ValueError(
                "must look like sqlite:///data/loa.db (relative) or sqlite:////abs/loa.db"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(sorted(_LOG_LEVELS))}")
        return level

    @field_validator("zalo_file_events", mode="before")
    @classmethod
    def _split_events(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (the address people open files at)")
        return value

    @field_validator("zalo_webhook_url", "telegram_webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith("https://"):
            raise ValueError("must be an https:// address (webhooks are called over HTTPS only)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_telegram_secret(cls, value: str) -> str:
        value = value.strip()
        if value and not _TELEGRAM_SECRET.match(value):
            raise ValueError("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _check_secret(cls, value: str) -> str:
        value = value.strip()
        if value and not 8 <= len(value) <= 256:
            raise ValueError("must be 8 to 256 characters long")
        return value

    @field_validator("web_port")
    @classmethod
    def _check_port(cls, value: int) -> int:
        if not 0 <= value <= 65535:
            raise ValueError("must be a TCP port from 1 to 65535 (0: any free port)")
        return value

    @field_validator("web_host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must be an address to listen on, e.g. 127.0.0.1 or 0.0.0.0")
        return value

    @property
    def admins(self) -> frozenset[Account]:
        """Return the administrators' accounts (ADMIN_IDS)."""
        return frozenset(Account.parse(value) for value in self.admin_ids)

    @property
    def officer_chat(self) -> Account | None:
        """Return the chat that gets notices of communes without their own (OFFICER_CHAT_ID)."""
        return Account.parse(self.officer_chat_id) if self.officer_chat_id else None

    @property
    def zalo_webhook(self) -> bool:
        """Tell whether Zalo updates come by webhook (URL and secret set) rather than polling."""
        return bool(self.zalo_webhook_url)

    @property
    def telegram_webhook(self) -> bool:
        """Tell whether Telegram updates come by webhook (TELEGRAM_WEBHOOK_URL) or polling."""
        return bool(self.telegram_webhook_url)

    @property
    def office(self) -> Office:
        """Return the office that runs this Loa, as residents are told it (fields may be empty)."""
        return Office(
            name=self.office_name,
            address=self.office_address,
            phone=self.office_phone,
            website=self.office_website,
        )

    @property
    def database_path(self) -> Path:
        """Return the SQLite file named by DATABASE_URL, a relative one under `base_folder`."""
        return self.resolve(Path(self.database_url.removeprefix("sqlite:///")))

    @property
    def rates_path(self) -> Path:
        """Return the rates file Loa computes with: RATES_FILE, else the one shipped with Loa."""
        named = self.rates_file.strip()
        return self.resolve(Path(named).expanduser()) if named else default_rates_path()

    def resolve(self, path: Path) -> Path:
        """Return `path` made absolute against `base_folder` (never the current folder)."""
        return path if path.is_absolute() else self.base_folder / path

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the configured values no log line may show (tokens, the webhook secret)."""
        values = (
            self.telegram_bot_token,
            self.telegram_webhook_secret,
            self.zalo_bot_token,
            self.zalo_webhook_secret,
            self.zns_secret_key,
            self.zns_access_token,
            self.zns_refresh_token,
        )
        return tuple(v.strip() for v in values if v.strip())

    def zns_template(self, kind: str) -> str:
        """Return the ZNS template of a reminder stage's kind: its own, else ZNS_TEMPLATE_ID."""
        own: str = getattr(self, f"zns_template_{kind}") if kind in STAGE_KINDS else ""
        return own.strip() or self.zns_template_id.strip()

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def hours(self) -> SendingHours:
        """Return the sending hours (SENDING_HOURS) in the configured time zone."""
        return SendingHours(*self.sending_hours, self.tz)


def find_env_file(environ: Mapping[str, str]) -> Path | None:
    """Return the .env file to read: LOA_ENV_FILE if set, else `home_folder()/.env` if any."""
    named = environ.get(ENV_FILE_VARIABLE, "").strip()
    if named:
        path = Path(named).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(f"{ENV_FILE_VARIABLE}: no such file: {path}")
        return path
    default = home_folder() / ".env"
    return default if default.is_file() else None


def load_settings(environ: Mapping[str, str], env_file: Path | None = None) -> Settings:
    """Build settings from `env_file` (if given and it exists) overridden by `environ`.

    Relative paths in them are taken against the folder of `env_file`, or `home_folder()` when
    there is none.
    """
    values: dict[str, str] = {}
    base = home_folder()
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        base = env_file.resolve().parent
    values.update(environ)
    for old, new in _RENAMED.items():
        if values.get(old, "").strip():
            raise ConfigError(f"{old} is now {new} (one web server serves every route): rename it")
    fields = Settings.model_fields
    chosen: dict[str, object] = {
        key.lower(): value
        for key, value in values.items()
        if key.lower() in fields and key.lower() not in _NOT_FROM_ENVIRONMENT
    }
    chosen["base_folder"] = base
    try:
        return Settings.model_validate(chosen)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None


def require_telegram_token(settings: Settings) -> str:
    """Return the Telegram token, or raise ConfigError naming TELEGRAM_BOT_TOKEN."""
    token = settings.telegram_bot_token.strip()
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in the environment "
            "or in .env (see .env.example)"
        )
    if not _TOKEN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a Bot API token (expected 123456789:AA…)"
        )
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set: TELEGRAM_WEBHOOK_URL needs it (1 to 256 "
            "characters of A-Z, a-z, 0-9, _ and -); unset both to poll"
        )
    if settings.telegram_webhook_secret and not settings.telegram_webhook_url:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_URL is not set: TELEGRAM_WEBHOOK_SECRET is, and goes with it "
            "(https://…); unset both to poll"
        )
    return token


def require_zalo_token(settings: Settings) -> str:
    """Return the Zalo token, or raise ConfigError naming the wrong ZALO_* setting."""
    token = settings.zalo_bot_token.strip()
    if not token:
        raise ConfigError("ZALO_BOT_TOKEN is not set: put the token from Zalo Bot Creator in .env")
    if not _ZALO_TOKEN.match(token):
        raise ConfigError(
            "ZALO_BOT_TOKEN does not look like a Zalo bot token (expected 12345:abc…)"
        )
    if bool(settings.zalo_webhook_url) != bool(settings.zalo_webhook_secret):
        raise ConfigError(
            "ZALO_WEBHOOK_URL and ZALO_WEBHOOK_SECRET go together: set both (webhook) or neither"
        )
    return token


def require_channels(settings: Settings) -> tuple[str, ...]:
    """Return the channels `loa run` serves (telegram, zalo); raise ConfigError if none or wrong."""
    channels: list[str] = []
    if settings.telegram_bot_token.strip():
        require_telegram_token(settings)
        channels.append("telegram")
    if settings.zalo_bot_token.strip():
        require_zalo_token(settings)
        channels.append("zalo")
    if not channels:
        raise ConfigError(
            "neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set: `loa run` needs at least one "
            "(see .env.example)"
        )
    if (
        len(channels) == 2
        and settings.telegram_webhook
        and settings.zalo_webhook
        and webhook_path(settings.telegram_webhook_url) == webhook_path(settings.zalo_webhook_url)
    ):
        raise ConfigError(
            "TELEGRAM_WEBHOOK_URL has the same path as ZALO_WEBHOOK_URL: give each its own "
            "(e.g. /telegram/hook and /zalo/hook)"
        )
    return tuple(channels)


def webhook_path(url: str) -> str:
    """Return the path a webhook URL is served at on Loa's web server ("/" when it has none)."""
    return urlsplit(url).path or "/"


_ZNS_REQUIRED = ("zns_app_id", "zns_secret_key", "zns_refresh_token")
_ZNS_ANY = (
    *_ZNS_REQUIRED,
    "zns_access_token",
    "zns_template_id",
    "zns_template_fields",
    *(f"zns_template_{kind}" for kind in STAGE_KINDS),
)


def require_zns(settings: Settings) -> None:
    """Check the ZNS settings are complete; raise ConfigError naming the first one missing.

    ZNS needs the app id and secret, the refresh token (the access token is optional: Loa
    gets one by refreshing), a template for every stage (ZNS_TEMPLATE_ID or one per stage)
    and ZNS_TEMPLATE_FIELDS.
    """
    for name in _ZNS_REQUIRED:
        if not str(getattr(settings, name)).strip():
            raise ConfigError(f"{name.upper()} is not set: ZNS needs it (see .env.example)")
    for kind in STAGE_KINDS:
        if not settings.zns_template(kind):
            raise ConfigError(
                f"ZNS_TEMPLATE_ID is not set and ZNS_TEMPLATE_{kind.upper()} neither: every "
                "reminder stage needs an approved ZNS template"
            )
    if not settings.zns_template_fields:
        raise ConfigError(
            "ZNS_TEMPLATE_FIELDS is not set: name the template's parameters, e.g. "
            "ten=name,han_the=expiry"
        )


class ZnsState(NamedTuple):
    """Whether ZNS is on, the one line that says so, and whether it is off by a mistake."""

    on: bool
    line: str
    mistake: bool


def zns_or_off(settings: Settings) -> ZnsState:
    """Tell whether ZNS is on; off with a mistake when some ZNS_* settings are but not all."""
    if not any(getattr(settings, name) for name in _ZNS_ANY):
        return ZnsState(False, "ZNS is off (ZNS_APP_ID is not set)", mistake=False)
    try:
        require_zns(settings)
    except ConfigError as exc:
        return ZnsState(False, f"ZNS is off: {exc}", mistake=True)
    return ZnsState(True, f"ZNS is on ({settings.zns_api_url})", mistake=False)
