"""Officers for tests: add one by Telegram id (or any account) and build the actor they act as."""

from __future__ import annotations

from datetime import datetime

from bot.core.accounts import Account
from bot.core.officer import Commune, Officer
from bot.core.places import display_place, place_key
from bot.officers.desk import Actor
from bot.store import Store


def commune(name: str) -> Commune:
    """Return a commune as an operator would type it."""
    shown = display_place(name)
    return Commune(place_key(shown), shown)


async def add_officer(
    store: Store, who: int | str, name: str, commune_name: str, now: datetime
) -> Officer:
    """Make `who` (a Telegram id, or `zalo:abc`) an officer of a commune."""
    account = Account.parse(str(who))
    return await store.officers.add([account], name, commune(commune_name), "test", now)


def actor(who: int | str, name: str = "", chat: int | str | None = None) -> Actor:
    """Return the actor `who` is in a chat (their own chat by default)."""
    account = Account.parse(str(who))
    return Actor(account, name, Account.parse(str(chat)) if chat is not None else account)
