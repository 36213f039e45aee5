"""Files by link, for a channel that cannot carry a file itself (Zalo): `GET /files/<token>`.

`FileServer.offer` keeps an attachment's bytes in the store under a long random token for
`LINK_LIFETIME` and returns its public address (`PUBLIC_URL/files/<token>`); the route answers
it with the file until then, and a polite 404 for an unknown or expired token. The links
carry residents' data: tokens are 256-bit `secrets.token_urlsafe`, the store keeps only their
digest, and logs show only their first characters.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from urllib.parse import quote

from aiohttp import web

from bot.clock import Clock
from bot.core.types import Attachment
from bot.store.file_links import FileLinks, LinkedFile

__all__ = ["LINK_LIFETIME", "ROUTE", "FileServer", "IssuedLink", "content_type", "shown_token"]

LINK_LIFETIME = timedelta(hours=24)
ROUTE = "/files/{token}"
_TOKEN_BYTES = 32
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_TYPES = {
    ".png": "image/png",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A link handed out: its public address and when it stops working."""

    url: str
    expires_at: datetime


def content_type(name: str) -> str:
    """Return the content type a file name implies (application/octet-stream if unknown)."""
    return _TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")


def shown_token(token: str) -> str:
    """Return a token as logs may show it: its first six characters."""
    return f"{token[:6]}…"


def _disposition(name: str, *, inline: bool) -> str:
    """Return Content-Disposition for `name`: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback or 'file'}\"; filename*=UTF-8''{quote(name, safe='')}"


class FileServer:
    """Hands out short-lived links to files and serves them."""

    def __init__(
        self,
        store: FileLinks,
        clock: Clock,
        public_url: str,
        *,
        gone_text: str,
        lifetime: timedelta = LINK_LIFETIME,
    ) -> None:
        self.store = store
        self.clock = clock
        self.base = public_url.rstrip("/")
        self.gone_text = gone_text
        self.lifetime = lifetime

    async def offer(self, attachment: Attachment, for_account: str) -> IssuedLink:
        """Keep `attachment` under a new token for `lifetime`; return its link."""
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        now = self.clock.now()
        expires_at = now + self.lifetime
        kept = LinkedFile(
            attachment.name,
            content_type(attachment.name),
            attachment.content,
            for_account,
            expires_at,
        )
        await self.store.add(token, kept, now)
        log.info("file link %s for %s until %s", shown_token(token), for_account, expires_at)
        return IssuedLink(f"{self.base}/files/{token}", expires_at)

    async def purge(self) -> int:
        """Remove expired links (at start; they are also removed when used or on a new link)."""
        return await self.store.purge(self.clock.now())

    def add_routes(self, app: web.Application) -> None:
        """Serve `GET /files/<token>` (and HEAD) from `app`."""
        app.router.add_get(ROUTE, self._serve)

    async def _serve(self, request: web.Request) -> web.Response:
        """Answer a link: the file while it is valid, else a polite 404."""
        token = request.match_info["token"]
        found = await self.store.get(token, self.clock.now()) if _TOKEN.match(token) else None
        if found is None:
            log.info("file link %s: unknown or expired", shown_token(token))
            return web.Response(
                status=404, text=self.gone_text, content_type="text/plain", headers=_HEADERS
            )
        log.info("file link %s fetched", shown_token(token))
        headers = {
            **_HEADERS,
            "Content-Type": found.content_type,
            "Content-Disposition": _disposition(
                found.name, inline=found.content_type.startswith("image/")
            ),
        }
        return web.Response(body=found.content, headers=headers)
