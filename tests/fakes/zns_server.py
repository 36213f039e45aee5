"""A fake ZNS API and Zalo OAuth server on 127.0.0.1 that the ZNS client talks to over HTTP.

In a test, inside the test's event loop::

    async with FakeZns() as server:
        client = ZnsClient(server.app_id, server.secret_key, keeper,
                           api_url=server.url, oauth_url=server.url)
        server.no_zalo("84905123456")

Behaviour worth knowing (modelled on what public clients of the platform show):

- ``POST /message/template`` and ``GET /message/quota`` take the header ``access_token``;
  answers are HTTP 200 with ``{"error": 0, "message": "Success", "data": …}`` or a negative
  ``error`` and its ``message``. An unknown access token answers -124, an expired one -216.
- ``POST /v4/oa/access_token`` (form ``app_id``, ``refresh_token``,
  ``grant_type=refresh_token``; header ``secret_key``) answers a new access token, a **new**
  refresh token and ``expires_in``; the refresh token used is spent: using it again answers
  error -14014. `expire_access` makes the current access token expired.
- A phone marked `no_zalo` answers -118, `reject` -139; the daily quota (`daily_quota`)
  falls with every message sent and answers -144 once spent.
- `fail_next` makes the next calls of a path fail (an error code, or an HTTP status such as
  429 with Retry-After); `slow` delays the next answers.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = ["FakeZns", "Sent"]

JSON = dict[str, Any]
TEMPLATE = "/message/template"
QUOTA = "/message/quota"
TOKEN = "/v4/oa/access_token"
NO_ZALO, REJECTED, OUT_OF_QUOTA = -118, -139, -144
TOKEN_UNKNOWN, TOKEN_EXPIRED, REFRESH_REFUSED = -124, -216, -14014


@dataclass(frozen=True)
class Sent:
    """A notification the fake accepted."""

    phone: str
    template_id: str
    data: JSON
    tracking_id: str
    msg_id: str


@dataclass
class _Fault:
    status: int
    error: int
    retry_after: float | None


@dataclass
class FakeZns:
    """The fake server; start it with `async with`."""

    app_id: str = "1234567890123456789"
    secret_key: str = "fake-oa-secret-key"
    daily_quota: int = 500
    expires_in: int = 90000
    sent: list[Sent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.access_token = self._new_token("access")
        self.refresh_token = self._new_token("refresh")
        self.spent_refresh_tokens: list[str] = []
        self._expired: set[str] = set()
        self._no_zalo: set[str] = set()
        self._rejected: set[str] = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: deque[float] = deque()
        self._ids = itertools.count(1)
        self.used_today = 0
        self.token_called = asyncio.Event()  # set at the first refresh call
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post(TEMPLATE, self._template)
        app.router.add_get(QUOTA, self._quota)
        app.router.add_post(TOKEN, self._token)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do ------------------------------------------------------------------------

    def expire_access(self) -> None:
        """Make the current access token expired (answers -216 until refreshed)."""
        self._expired.add(self.access_token)

    def no_zalo(self, phone: str) -> None:
        """Make `phone` (84…) a number without a Zalo account."""
        self._no_zalo.add(phone)

    def reject(self, phone: str) -> None:
        """Make `phone` (84…) an account that rejected ZNS notifications."""
        self._rejected.add(phone)

    def fail_next(
        self,
        path: str,
        *,
        error: int = 0,
        status: int = 200,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` calls of `path` with ZNS `error` or HTTP `status`."""
        queue = self._faults.setdefault(path, deque())
        queue.extend(_Fault(status, error, retry_after) for _ in range(times))

    def slow(self, seconds: float, *, times: int = 1) -> None:
        """Delay the next `times` answers by `seconds`."""
        self._delays.extend(seconds for _ in range(times))

    # --- the API ------------------------------------------------------------------------------

    def _new_token(self, kind: str) -> str:
        """Return a long random token, as the OA's are (a few hundred characters)."""
        return f"{kind}-{secrets.token_urlsafe(96)}"

    async def _delay(self) -> None:
        if self._delays:
            await asyncio.sleep(self._delays.popleft())

    def _fault(self, path: str) -> web.Response | None:
        queue = self._faults.get(path)
        if not queue:
            return None
        fault = queue.popleft()
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.status != 200:
            body = {"error": fault.error or -1, "message": f"HTTP {fault.status}"}
            return web.json_response(body, status=fault.status, headers=headers)
        return web.json_response({"error": fault.error, "message": "fault"}, headers=headers)

    def _refused_token(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("access_token", "")
        if token in self._expired:
            return web.json_response({"error": TOKEN_EXPIRED, "message": "Access token expired"})
        if token != self.access_token:
            return web.json_response({"error": TOKEN_UNKNOWN, "message": "Invalid access token"})
        return None

    def _quota_data(self) -> JSON:
        return {
            "dailyQuota": str(self.daily_quota),
            "remainingQuota": str(max(0, self.daily_quota - self.used_today)),
        }

    async def _template(self, request: web.Request) -> web.Response:
        self.calls.append(TEMPLATE)
        await self._delay()
        refused = self._fault(TEMPLATE) or self._refused_token(request)
        if refused is not None:
            return refused
        body = await request.json()
        phone = str(body.get("phone", ""))
        if not phone.startswith("84") or not phone.isdigit():
            return web.json_response({"error": -108, "message": "Phone number is invalid"})
        if phone in self._no_zalo:
            return web.json_response({"error": NO_ZALO, "message": "User is not a Zalo user"})
        if phone in self._rejected:
            return web.json_response({"error": REJECTED, "message": "User refused ZNS"})
        if self.used_today >= self.daily_quota:
            return web.json_response({"error": OUT_OF_QUOTA, "message": "Out of daily quota"})
        self.used_today += 1
        msg_id = f"zns-{next(self._ids)}"
        self.sent.append(
            Sent(phone, body["template_id"], body["template_data"], body["tracking_id"], msg_id)
        )
        data = {
            "msg_id": msg_id,
            "sent_time": str(int(time.time() * 1000)),
            "quota": self._quota_data(),
        }
        return web.json_response({"error": 0, "message": "Success", "data": data})

    async def _quota(self, request: web.Request) -> web.Response:
        self.calls.append(QUOTA)
        await self._delay()
        refused = self._fault(QUOTA) or self._refused_token(request)
        if refused is not None:
            return refused
        return web.json_response({"error": 0, "message": "Success", "data": self._quota_data()})

    async def _token(self, request: web.Request) -> web.Response:
        self.calls.append(TOKEN)
        self.token_called.set()
        await self._delay()
        fault = self._fault(TOKEN)
        if fault is not None:
            return fault
        form = await request.post()
        if (
            request.headers.get("secret_key") != self.secret_key
            or form.get("app_id") != self.app_id
            or form.get("grant_type") != "refresh_token"
        ):
            return web.json_response({"error": -14002, "error_description": "Invalid app"})
        if form.get("refresh_token") != self.refresh_token:
            return web.json_response(
                {"error": REFRESH_REFUSED, "error_description": "Invalid refresh token"}
            )
        self.spent_refresh_tokens.append(self.refresh_token)
        self.access_token = self._new_token("access")
        self.refresh_token = self._new_token("refresh")
        return web.json_response(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_in": str(self.expires_in),
            }
        )
