"""The Zalo OA's ZNS tokens: the access token, its expiry and the single-use refresh token.

Why the order of writes keeps a usable token through any crash:

1. The refresh token rotates: once the OAuth server answers a refresh, the old refresh token is
   dead and only the new one in that answer works. The only window where a crash can lose it
   is between the answer arriving and its row being committed.
2. So the client calls `save` with the answer's tokens first, before it uses the new access
   token, returns, or logs; `save` writes the access token, its expiry and the refresh token
   in one transaction (one UPDATE of one row): after a crash either all of the new ones are
   on disk or none, never a new access token beside a dead refresh token.
3. If the crash falls inside that window (the answer received, not yet committed), the stored
   refresh token is the dead one and the OA must be authorised again by hand; `loa zns check`
   says so. The window is one SQLite commit; nothing else happens in it. The client shields
   the exchange (the call and this write) from its caller's cancellation, and waits for it
   when it closes, so a timeout or a stop of `loa run` does not open the window wider.
4. Two processes (`loa run` and `loa zns check`) may refresh at once: the server accepts a
   refresh token once, so one of them is refused; it re-reads the store (where the other
   wrote the newest tokens) and goes on with those. The tokens of an accepted refresh are
   always written: they are the newest there are.
5. The settings (ZNS_ACCESS_TOKEN, ZNS_REFRESH_TOKEN) only seed an empty store: after the
   first refresh they are spent, and the store is the truth.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.zns import ZnsTokens
from bot.store.db import Database, iso, parse_iso

__all__ = ["ZnsTokenStore"]


class ZnsTokenStore:
    """Queries over the zns_tokens table (one row)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self) -> ZnsTokens | None:
        """Return the stored tokens, or None before the store was seeded."""
        row = await self._db.fetchone(
            "SELECT access_token, access_expires_at, refresh_token FROM zns_tokens WHERE id = 1"
        )
        if row is None:
            return None
        expires = row["access_expires_at"]
        return ZnsTokens(
            row["access_token"], parse_iso(expires) if expires else None, row["refresh_token"]
        )

    async def seed(self, tokens: ZnsTokens, now: datetime) -> bool:
        """Store `tokens` only if the store is empty; return whether they were stored."""
        written = await self._db.execute_rowcount(
            "INSERT OR IGNORE INTO zns_tokens (id, access_token, access_expires_at,"
            " refresh_token, updated_at) VALUES (1, ?, ?, ?, ?)",
            (tokens.access_token, _when(tokens.access_expires_at), tokens.refresh_token, iso(now)),
        )
        return written == 1

    async def save(self, tokens: ZnsTokens, now: datetime) -> None:
        """Store the tokens a refresh returned (all three in one transaction)."""
        async with self._db.transaction():
            await self._db.execute(
                "UPDATE zns_tokens SET access_token = ?, access_expires_at = ?,"
                " refresh_token = ?, updated_at = ? WHERE id = 1",
                (
                    tokens.access_token,
                    _when(tokens.access_expires_at),
                    tokens.refresh_token,
                    iso(now),
                ),
            )


def _when(moment: datetime | None) -> str | None:
    """Return an expiry as stored (NULL when unknown)."""
    return iso(moment) if moment is not None else None
