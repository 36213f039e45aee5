"""The only place with SQL: the database, its migrations and one module per table group."""

from __future__ import annotations

from pathlib import Path

from bot.store.broadcasts import Broadcasts
from bot.store.contacts import Contact, Contacts, ContactStatus
from bot.store.conversations import Conversation, Conversations
from bot.store.db import Database, DatabaseTooNew, MissingDatabase
from bot.store.drafts import Drafts
from bot.store.file_links import FileLinks, LinkedFile
from bot.store.inbound import SeenInbound
from bot.store.leaflets import LeafletCodes
from bot.store.link_attempts import LinkAttempts
from bot.store.messages import MessageLog
from bot.store.metrics import Metrics
from bot.store.officers import Officers
from bot.store.outbox import Outbox, OutboxItem, OutboxStatus
from bot.store.registrations import Registrations
from bot.store.reminders import Reminders
from bot.store.residents import Resident, Residents
from bot.store.stats import Statistics
from bot.store.turns import TurnRecord, TurnWriter
from bot.store.zns_tokens import ZnsTokenStore

__all__ = [
    "Broadcasts",
    "Contact",
    "ContactStatus",
    "Contacts",
    "Conversation",
    "Conversations",
    "Database",
    "DatabaseTooNew",
    "Drafts",
    "FileLinks",
    "LinkAttempts",
    "LinkedFile",
    "MessageLog",
    "Metrics",
    "MissingDatabase",
    "Officers",
    "Outbox",
    "OutboxItem",
    "OutboxStatus",
    "Registrations",
    "Reminders",
    "Resident",
    "Residents",
    "SeenInbound",
    "Statistics",
    "Store",
    "TurnRecord",
    "TurnWriter",
    "ZnsTokenStore",
]


class Store:
    """The database and the repositories over it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.contacts = Contacts(db)
        self.messages = MessageLog(db)
        self.conversations = Conversations(db)
        self.turns = TurnWriter(db)
        self.registrations = Registrations(db)
        self.officers = Officers(db)
        self.outbox = Outbox(db)
        self.link_attempts = LinkAttempts(db)
        self.residents = Residents(db)
        self.reminders = Reminders(db)
        self.broadcasts = Broadcasts(db, self.outbox)
        self.stats = Statistics(db)
        self.drafts = Drafts(db)
        self.inbound = SeenInbound(db)
        self.file_links = FileLinks(db)
        self.metrics = Metrics(db)
        self.leaflets = LeafletCodes(db)
        self.zns_tokens = ZnsTokenStore(db)

    @classmethod
    async def open(cls, path: Path, *, create: bool = True, migrate: bool = True) -> Store:
        """Open and migrate the database at `path` (with `create=False`, only an existing one).

        With `migrate=False` pending migrations are left to the caller; a database newer than
        the code raises DatabaseTooNew either way.
        """
        return cls(await Database.open(path, create=create, migrate=migrate))

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
