"""The only place with SQL: the database, its migrations and one module per table group."""

from __future__ import annotations

from pathlib import Path

from bot.store.contacts import Contact, Contacts, ContactStatus
from bot.store.conversations import Conversation, Conversations
from bot.store.db import Database
from bot.store.messages import MessageLog
from bot.store.turns import TurnRecord, TurnWriter

__all__ = [
    "Contact",
    "ContactStatus",
    "Contacts",
    "Conversation",
    "Conversations",
    "Database",
    "MessageLog",
    "Store",
    "TurnRecord",
    "TurnWriter",
]


class Store:
    """The database and the repositories over it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.contacts = Contacts(db)
        self.messages = MessageLog(db)
        self.conversations = Conversations(db)
        self.turns = TurnWriter(db)

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open and migrate the database at `path`."""
        return cls(await Database.open(path))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
