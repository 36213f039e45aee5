"""What every webhook does first: compare the platform's secret header, then read the JSON.

A call without the right secret gets 403 and its body is never read; a body that is not a
JSON object gets 400. Both Telegram's and Zalo's webhooks use it.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiohttp import web

__all__ = ["checked_body"]

log = logging.getLogger(__name__)


async def checked_body(
    request: web.Request, header: str, secret: str, platform: str
) -> dict[str, Any] | web.Response:
    """Return the call's JSON object, or the refusal to answer with (403 or 400)."""
    given = request.headers.get(header, "").encode()
    if not hmac.compare_digest(given, secret.encode()):
        log.warning("%s webhook call with a wrong secret from %s", platform, request.remote)
        return web.json_response({"ok": False, "description": "forbidden"}, status=403)
    try:
        payload = await request.json()
    except ValueError:
        return web.json_response({"ok": False, "description": "not JSON"}, status=400)
    if not isinstance(payload, dict):
        return web.json_response({"ok": False, "description": "not an update"}, status=400)
    return payload
