"""A small typed async client for ZNS (Zalo Notification Service): template messages by phone.

What it relies on (public clients agree on it; Zalo's own pages were not reachable, README):

- `POST {api}/message/template`, header `access_token`, JSON `{"phone": "84…", "template_id",
  "template_data", "tracking_id"}`; the answer is `{"error": 0, "message", "data": {"msg_id",
  "sent_time", "quota": {"dailyQuota", "remainingQuota"}}}`, or a negative `error` with its
  `message` (HTTP 200 either way).
- `GET {api}{quota_path}` (default `/message/quota`) answers the OA's `dailyQuota` and
  `remainingQuota` in `data`.
- `POST {oauth}/v4/oa/access_token`, header `secret_key`, form `app_id`, `refresh_token`,
  `grant_type=refresh_token`, answers `access_token`, a **new** `refresh_token` (the old one
  is spent) and `expires_in` seconds; a refusal carries `error` and `error_description`.

Tokens come from a `TokenKeeper` (the store): a refresh's answer is saved there before
anything else happens (bot/store/zns_tokens.py explains the order). The access token is
refreshed when it expires within `refresh_margin`, and once when the API calls it invalid.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Protocol, Self

import httpx

from bot.clock import Clock, SystemClock
from bot.core.zns import ZnsTokens, zns_phone

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OAUTH_URL",
    "ERROR_KINDS",
    "TokenKeeper",
    "ZnsClient",
    "ZnsError",
    "ZnsNetworkError",
    "ZnsNotAuthorised",
    "ZnsQuota",
    "ZnsQuotaExceeded",
    "ZnsRateLimited",
    "ZnsSent",
    "ZnsTokenInvalid",
    "ZnsUnreachable",
]

DEFAULT_API_URL = "https://business.openapi.zalo.me"
DEFAULT_OAUTH_URL = "https://oauth.zaloapp.com"
ErrorKind = Literal["token", "quota", "unreachable", "rate"]
ERROR_KINDS: Mapping[int, ErrorKind] = MappingProxyType(
    {
        -124: "token",  # access token invalid (ZNS)
        -216: "token",  # access token invalid (OA)
        -220: "token",  # access token expired (OA)
        -211: "quota",  # the OA is out of quota
        -144: "quota",  # the OA passed its daily ZNS quota (public clients; unconfirmed)
        -32: "rate",  # the app passed its rate limit
        -108: "unreachable",  # the phone number is invalid
        -118: "unreachable",  # no Zalo account for the phone, or it is disabled
        -119: "unreachable",  # the account cannot receive ZNS
        -139: "unreachable",  # the user refused this kind of notification
        -213: "unreachable",  # the user does not follow the OA
        -217: "unreachable",  # the user blocked invitations
        -218: "unreachable",  # the quota of messages to this user is spent
        -227: "unreachable",  # the account is banned or inactive > 45 days
        -244: "unreachable",  # the user restricted this message type
    }
)
"""What a ZNS/OA error code means to Loa (platforms.md; [S] sources: keep it data). A code not
here is a plain ZnsError with the platform's code and message, for the caller to record."""

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class ZnsError(Exception):
    """ZNS refused a call: `code` is the platform's error code (or the HTTP status)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zns error {code}: {message}")
        self.code = code
        self.message = message


class ZnsQuotaExceeded(ZnsError):
    """The OA's quota is spent: hold ZNS until the next day."""


class ZnsUnreachable(ZnsError):
    """The phone has no Zalo account, blocked or rejected notifications: mark it."""


class ZnsRateLimited(ZnsError):
    """Too many requests: wait `retry_after` seconds."""

    def __init__(self, code: int, message: str, retry_after: float) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after


class ZnsTokenInvalid(ZnsError):
    """The access token was refused even after a refresh."""


class ZnsNotAuthorised(ZnsError):
    """No refresh token works: the OA must be authorised again by hand (README)."""


class ZnsNetworkError(ZnsError):
    """No usable answer: connection error, timeout or 5xx (code 0 or the HTTP status)."""


@dataclass(frozen=True, slots=True)
class ZnsQuota:
    """The OA's daily ZNS quota and what is left of it today."""

    daily: int
    remaining: int


@dataclass(frozen=True, slots=True)
class ZnsSent:
    """A sent notification: its id, when ZNS sent it (if said) and the quota after it."""

    msg_id: str
    sent_time: datetime | None
    quota: ZnsQuota | None


class TokenKeeper(Protocol):
    """Where the tokens live durably (bot.store.ZnsTokenStore)."""

    async def get(self) -> ZnsTokens | None:
        """Return the stored tokens (None: not seeded)."""

    async def save(self, tokens: ZnsTokens, now: datetime) -> None:
        """Store the tokens a refresh returned, durably, in one transaction."""


def _number(value: object) -> int | None:
    """Read a count sent as a number or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _quota(data: object) -> ZnsQuota | None:
    """Read `dailyQuota`/`remainingQuota` from a reply's data (or its `quota`)."""
    if not isinstance(data, Mapping):
        return None
    inner = data.get("quota")
    fields = inner if isinstance(inner, Mapping) else data
    daily, remaining = _number(fields.get("dailyQuota")), _number(fields.get("remainingQuota"))
    if daily is None or remaining is None:
        return None
    return ZnsQuota(daily, remaining)


def _sent_time(value: object) -> datetime | None:
    """Read `sent_time` (milliseconds since the epoch, as text or number)."""
    millis = _number(value)
    return datetime.fromtimestamp(millis / 1000, UTC) if millis is not None else None


def _retry_after(headers: httpx.Headers, default: float) -> float:
    """Return the wait a rate limit asks for (Retry-After, else `default`)."""
    try:
        return max(0.0, float(headers.get("retry-after", "")))
    except ValueError:
        return default


def _error(status: int, body: Mapping[str, Any], headers: httpx.Headers, wait: float) -> ZnsError:
    """Map a refused call to the right ZnsError by ERROR_KINDS (and the HTTP status)."""
    code = _number(body.get("error"))
    message = str(body.get("message") or body.get("error_description") or f"HTTP {status}")
    if code is None or code == 0:
        code = status
    kind = ERROR_KINDS.get(code)
    if kind == "rate" or status == 429:
        return ZnsRateLimited(code, message, _retry_after(headers, wait))
    if kind == "quota":
        return ZnsQuotaExceeded(code, message)
    if kind == "unreachable":
        return ZnsUnreachable(code, message)
    if kind == "token":
        return ZnsTokenInvalid(code, message)
    if status >= 500:
        return ZnsNetworkError(code, message)
    return ZnsError(code, message)


class ZnsClient:
    """Sends ZNS template messages and reads the quota, keeping the OA's tokens fresh.

    Rate limits asking to wait at most `max_rate_wait` seconds are waited out (`retries`
    times); network errors are retried for the quota only, never for a send (a send that
    timed out may have gone: the outbox decides).
    """

    def __init__(
        self,
        app_id: str,
        secret_key: str,
        keeper: TokenKeeper,
        *,
        api_url: str = DEFAULT_API_URL,
        oauth_url: str = DEFAULT_OAUTH_URL,
        quota_path: str = "/message/quota",
        clock: Clock | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        retry_base: float = 0.5,
        max_rate_wait: float = 5.0,
        refresh_margin: timedelta = timedelta(minutes=30),
        http: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app_id = app_id
        self._secret_key = secret_key
        self._keeper = keeper
        self.api_url = api_url.rstrip("/")
        self.oauth_url = oauth_url.rstrip("/")
        self.quota_path = quota_path
        self._clock = clock or SystemClock()
        self.timeout = timeout
        self.retries = retries
        self.retry_base = retry_base
        self.max_rate_wait = max_rate_wait
        self.refresh_margin = refresh_margin
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._own_http = http is None
        self._sleep = sleep
        self._tokens: ZnsTokens | None = None
        self._refreshing = asyncio.Lock()
        self._exchanges: set[asyncio.Future[ZnsTokens]] = set()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Let a token refresh under way finish, then close the HTTP connections it opened."""
        if self._exchanges:
            await asyncio.gather(*self._exchanges, return_exceptions=True)
        if self._own_http:
            await self._http.aclose()

    async def send(
        self, phone_e164: str, template_id: str, data: Mapping[str, str], tracking_id: str
    ) -> ZnsSent:
        """Send template `template_id` filled with `data` to a +84… number; raise a ZnsError.

        `tracking_id` is Loa's own id for the message (the outbox row), echoed in ZNS's
        reports. A number that is not Vietnamese E.164 raises ValueError before any call.
        """
        body = {
            "phone": zns_phone(phone_e164),
            "template_id": template_id,
            "template_data": {key: str(value) for key, value in data.items()},
            "tracking_id": tracking_id,
        }
        reply = await self._call("POST", "/message/template", body, network_retries=0)
        msg_id = reply.get("msg_id") if isinstance(reply, Mapping) else None
        if msg_id in (None, ""):
            raise ZnsError(0, "the answer carries no msg_id")
        assert isinstance(reply, Mapping)
        return ZnsSent(str(msg_id), _sent_time(reply.get("sent_time")), _quota(reply))

    async def quota(self) -> ZnsQuota:
        """Return the OA's daily quota and what is left of it; raise a ZnsError."""
        reply = await self._call("GET", self.quota_path, None, network_retries=self.retries)
        found = _quota(reply)
        if found is None:
            raise ZnsError(0, "the answer carries no dailyQuota/remainingQuota")
        return found

    async def _call(
        self, verb: str, path: str, body: Mapping[str, Any] | None, *, network_retries: int
    ) -> Any:
        """Make one API call with a fresh token, refreshing once if it is refused."""
        tokens = await self._fresh_tokens()
        refreshed = False
        attempt = 0
        while True:
            try:
                return await self._once(verb, path, body, tokens.access_token)
            except ZnsTokenInvalid:
                if refreshed:
                    raise
                log.info("zns access token refused; refreshing it")
                tokens = await self._refresh(tokens)
                refreshed = True
                continue
            except ZnsRateLimited as exc:
                if attempt >= self.retries or exc.retry_after > self.max_rate_wait:
                    raise
                wait = exc.retry_after
            except ZnsNetworkError as exc:
                if attempt >= network_retries:
                    raise
                wait = self.retry_base * 2**attempt
                log.warning("zns %s failed (%s); retrying in %.1f s", path, exc.code, wait)
            attempt += 1
            await self._sleep(wait)

    async def _once(
        self, verb: str, path: str, body: Mapping[str, Any] | None, access_token: str
    ) -> Any:
        """Make one request and return its `data`, or raise the mapped ZnsError."""
        try:
            response = await self._http.request(
                verb,
                f"{self.api_url}{path}",
                headers={"access_token": access_token},
                json=dict(body) if body is not None else None,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise ZnsNetworkError(0, type(exc).__name__) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, Mapping) else {}
        if response.status_code == 200 and _number(answer.get("error")) == 0:
            return answer.get("data")
        raise _error(response.status_code, answer, response.headers, self.retry_base)

    async def _fresh_tokens(self) -> ZnsTokens:
        """Return tokens whose access token is not about to expire (refreshing if needed)."""
        if self._tokens is None:
            self._tokens = await self._keeper.get()
        if self._tokens is None:
            raise ZnsNotAuthorised(0, "no ZNS tokens are stored (ZNS_REFRESH_TOKEN seeds them)")
        expires = self._tokens.access_expires_at
        stale = not self._tokens.access_token or (
            expires is not None and expires - self.refresh_margin <= self._clock.now()
        )
        return await self._refresh(self._tokens) if stale else self._tokens

    async def _refresh(self, spent: ZnsTokens) -> ZnsTokens:
        """Trade `spent`'s refresh token for new tokens, stored before they are used.

        One refresh at a time; if the store already holds another refresh token (another
        task or process refreshed), those tokens are used instead of refreshing again. The
        exchange itself is shielded: a caller cancelled meanwhile (a timeout, a stop) does
        not cut it between the server's answer and the store.
        """
        async with self._refreshing:
            stored = await self._keeper.get()
            if stored is not None and stored.refresh_token != spent.refresh_token:
                self._tokens = stored
                return stored
            exchange = asyncio.ensure_future(self._exchange(spent))
            self._exchanges.add(exchange)
            exchange.add_done_callback(self._exchanges.discard)
            return await asyncio.shield(exchange)

    async def _exchange(self, spent: ZnsTokens) -> ZnsTokens:
        """Make the refresh call and store its answer at once (see bot/store/zns_tokens.py)."""
        now = self._clock.now()
        try:
            response = await self._http.post(
                f"{self.oauth_url}/v4/oa/access_token",
                headers={"secret_key": self._secret_key},
                data={
                    "app_id": self.app_id,
                    "refresh_token": spent.refresh_token,
                    "grant_type": "refresh_token",
                },
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise ZnsNetworkError(0, f"token refresh: {type(exc).__name__}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        answer = answer if isinstance(answer, Mapping) else {}
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            seconds = _number(answer.get("expires_in"))
            expires = now + timedelta(seconds=seconds) if seconds is not None else None
            fresh = ZnsTokens(access, expires, refresh)
            await self._keeper.save(fresh, now)  # first: the old refresh token is spent
            self._tokens = fresh
            log.info("zns access token refreshed")
            return fresh
        return await self._refused(response.status_code, answer, spent)

    async def _refused(self, status: int, answer: Mapping[str, Any], spent: ZnsTokens) -> ZnsTokens:
        """Handle a refused refresh: another process's newer tokens, else ZnsNotAuthorised."""
        stored = await self._keeper.get()
        if stored is not None and stored.refresh_token != spent.refresh_token:
            self._tokens = stored
            return stored
        if status >= 500:
            raise ZnsNetworkError(status, "token refresh: the OAuth server failed")
        code = _number(answer.get("error")) or status
        message = str(
            answer.get("error_description") or answer.get("error_name") or f"HTTP {status}"
        )
        raise ZnsNotAuthorised(code, f"the refresh token was refused: {message}")
