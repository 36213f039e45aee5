"""Officers (people, their accounts, their communes), invitations, commune chats, the audit log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.core.accounts import Account
from bot.core.officer import Commune, Officer
from bot.core.types import Button
from bot.store.db import Database, iso, parse_iso

__all__ = ["OfficerConflict", "Officers", "hash_code"]

CHOICES_LIFETIME = timedelta(days=1)


class OfficerConflict(Exception):
    """The accounts given as one person already belong to two different officers."""


def hash_code(code: str) -> str:
    """Return the stored form of an invitation code (its SHA-256, hex)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class Officers:
    """Queries over officers, invitations, commune chats, shown choices and the audit log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        accounts: Sequence[Account],
        name: str,
        commune: Commune | None,
        by: str,
        now: datetime,
    ) -> Officer:
        """Make these accounts one officer, adding `commune` to the communes they cover.

        An account that is already an officer's keeps that officer: the other accounts join
        them and the commune is added (never moved). Raises OfficerConflict when the accounts
        belong to two officers already.
        """
        async with self._db.transaction():
            officer_id = await self._add(accounts, name, by, now)
            if commune is not None:
                await self._add_commune(officer_id, commune, by, now)
            detail = " ".join(str(a) for a in accounts) + (f" {commune.key}" if commune else "")
            await self._audit(by, "officer_add", detail, now)
        found = await self.by_id(officer_id)
        assert found is not None
        return found

    async def _add(self, accounts: Sequence[Account], name: str, by: str, now: datetime) -> int:
        """Return the officer these accounts are (creating them), inside a transaction."""
        owners = {
            owner for account in accounts if (owner := await self._owner(account)) is not None
        }
        if len(owners) > 1:
            raise OfficerConflict(", ".join(str(a) for a in accounts))
        if owners:
            officer_id = owners.pop()
            if name:
                await self._db.execute(
                    "UPDATE officer_people SET name = ? WHERE id = ?", (name, officer_id)
                )
        else:
            officer_id = await self._db.execute(
                "INSERT INTO officer_people (name, added_by, added_at) VALUES (?, ?, ?)",
                (name, by, iso(now)),
            )
        await self._db.executemany(
            "INSERT INTO officer_accounts (channel, external_id, officer_id, added_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(a.channel, a.id, officer_id, iso(now)) for a in accounts],
        )
        return officer_id

    async def _owner(self, account: Account) -> int | None:
        """Return the id of the officer who has this account, if any."""
        row = await self._db.fetchone(
            "SELECT officer_id FROM officer_accounts WHERE channel = ? AND external_id = ?",
            (account.channel, account.id),
        )
        return None if row is None else int(row["officer_id"])

    async def _add_commune(self, officer_id: int, commune: Commune, by: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO officer_communes (officer_id, commune_key, commune, added_by, added_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (officer_id, commune_key) DO UPDATE SET"
            " commune = excluded.commune",
            (officer_id, commune.key, commune.name, by, iso(now)),
        )

    async def remove(
        self, account: Account, by: str, now: datetime, *, commune_key: str | None = None
    ) -> bool:
        """Remove the officer with this account (or only one of their communes); False if none."""
        async with self._db.transaction():
            owner = await self._owner(account)
            if owner is None:
                return False
            if commune_key is None:
                removed = await self._db.execute_rowcount(
                    "DELETE FROM officer_people WHERE id = ?", (owner,)
                )
            else:
                removed = await self._db.execute_rowcount(
                    "DELETE FROM officer_communes WHERE officer_id = ? AND commune_key = ?",
                    (owner, commune_key),
                )
            if removed:
                detail = str(account) + (f" {commune_key}" if commune_key else "")
                await self._audit(by, "officer_remove", detail, now)
        return removed > 0

    async def get(self, account: Account) -> Officer | None:
        """Return the officer with this account, if any."""
        owner = await self._owner(account)
        return None if owner is None else await self.by_id(owner)

    async def by_id(self, officer_id: int) -> Officer | None:
        """Return the officer with this id, with their accounts and communes."""
        person = await self._db.fetchone("SELECT * FROM officer_people WHERE id = ?", (officer_id,))
        if person is None:
            return None
        accounts = await self._db.fetchall(
            "SELECT channel, external_id FROM officer_accounts WHERE officer_id = ?"
            " ORDER BY channel, external_id",
            (officer_id,),
        )
        communes = await self._db.fetchall(
            "SELECT commune_key, commune FROM officer_communes WHERE officer_id = ?"
            " ORDER BY commune_key",
            (officer_id,),
        )
        return Officer(
            id=officer_id,
            name=person["name"],
            accounts=tuple(Account(r["channel"], r["external_id"]) for r in accounts),
            communes=tuple(Commune(r["commune_key"], r["commune"]) for r in communes),
            added_by=person["added_by"],
            added_at=parse_iso(person["added_at"]),
        )

    async def all(self) -> list[Officer]:
        """Return every officer, by id."""
        rows = await self._db.fetchall("SELECT id FROM officer_people ORDER BY id")
        found = [await self.by_id(int(row["id"])) for row in rows]
        return [officer for officer in found if officer is not None]

    async def of_commune(self, commune_key: str) -> list[Officer]:
        """Return the officers who cover a commune, by id."""
        rows = await self._db.fetchall(
            "SELECT officer_id FROM officer_communes WHERE commune_key = ? ORDER BY officer_id",
            (commune_key,),
        )
        found = [await self.by_id(int(row["officer_id"])) for row in rows]
        return [officer for officer in found if officer is not None]

    async def create_invite(
        self,
        code: str,
        commune: Commune | None,
        by: str,
        now: datetime,
        expires: datetime,
        *,
        for_officer: int | None = None,
    ) -> None:
        """Store a one-time invitation to a commune, or to another app for `for_officer`.

        Only the code's hash is kept.
        """
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO officer_invites (code_hash, commune, commune_key, for_officer,"
                " created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    hash_code(code),
                    commune.name if commune else "",
                    commune.key if commune else "",
                    for_officer,
                    by,
                    iso(now),
                    iso(expires),
                ),
            )
            what = commune.key if commune else f"officer {for_officer}"
            await self._audit(by, "invite_create", what, now)

    async def redeem_invite(
        self, code: str, account: Account, name: str, now: datetime
    ) -> Officer | None:
        """Use an unexpired, unused invitation for `account`; None if there is none.

        A commune invitation makes the account an officer of that commune (added to the
        communes they already cover); an officer's own invitation adds the account to them.
        """
        async with self._db.transaction():
            row = await self._db.fetchone(
                "UPDATE officer_invites SET used_by = ?, used_at = ?"
                " WHERE code_hash = ? AND used_by IS NULL AND expires_at > ?"
                " RETURNING commune, commune_key, for_officer, created_by",
                (str(account), iso(now), hash_code(code), iso(now)),
            )
            if row is None:
                await self._audit(str(account), "invite_refused", "", now)
                return None
            owner = await self._owner(account)
            if row["for_officer"] is not None:
                officer_id = int(row["for_officer"])
                if owner is not None and owner != officer_id:
                    await self._audit(str(account), "invite_refused", "another officer", now)
                    return None
                await self._db.execute(
                    "INSERT INTO officer_accounts (channel, external_id, officer_id, added_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (account.channel, account.id, officer_id, iso(now)),
                )
                await self._audit(str(account), "invite_redeem", f"officer {officer_id}", now)
            else:
                officer_id = await self._add([account], name, row["created_by"], now)
                commune = Commune(row["commune_key"], row["commune"])
                await self._add_commune(officer_id, commune, row["created_by"], now)
                await self._audit(str(account), "invite_redeem", commune.key, now)
        return await self.by_id(officer_id)

    async def set_chat(self, commune: Commune, chat: Account, by: str, now: datetime) -> None:
        """Post a commune's new registrations to the group `chat`."""
        async with self._db.transaction():
            await self._db.execute(
                "INSERT INTO commune_chats (commune_key, commune, channel, chat_id, set_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (commune_key) DO UPDATE SET"
                " commune = excluded.commune, channel = excluded.channel,"
                " chat_id = excluded.chat_id, set_at = excluded.set_at",
                (commune.key, commune.name, chat.channel, chat.id, iso(now)),
            )
            await self._audit(by, "chat_set", f"{commune.key} {chat}", now)

    async def chat_for(self, commune_key: str) -> Account | None:
        """Return the officers' group configured for a commune, if any."""
        row = await self._db.fetchone(
            "SELECT channel, chat_id FROM commune_chats WHERE commune_key = ?", (commune_key,)
        )
        return Account(row["channel"], str(row["chat_id"])) if row else None

    async def show_choices(self, chat: Account, buttons: Sequence[Button], now: datetime) -> None:
        """Remember the numbered choices last shown in a chat without buttons."""
        await self._db.execute(
            "INSERT INTO officer_choices (channel, chat_id, payloads, labels, shown_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel, chat_id) DO UPDATE SET"
            " payloads = excluded.payloads, labels = excluded.labels,"
            " shown_at = excluded.shown_at",
            (
                chat.channel,
                chat.id,
                json.dumps([b.payload for b in buttons]),
                json.dumps([b.label for b in buttons], ensure_ascii=False),
                iso(now),
            ),
        )

    async def shown_choices(self, chat: Account, now: datetime) -> tuple[Button, ...]:
        """Return the choices shown in a chat within the last day (none if older)."""
        row = await self._db.fetchone(
            "SELECT payloads, labels FROM officer_choices WHERE channel = ? AND chat_id = ?"
            " AND shown_at >= ?",
            (chat.channel, chat.id, iso(now - CHOICES_LIFETIME)),
        )
        if row is None:
            return ()
        pairs = zip(json.loads(row["labels"]), json.loads(row["payloads"]), strict=True)
        return tuple(Button(label, payload) for label, payload in pairs)

    async def forget_choices(self, chat: Account) -> None:
        """Forget a chat's shown choices (the person moved on to something else)."""
        await self._db.execute(
            "DELETE FROM officer_choices WHERE channel = ? AND chat_id = ?",
            (chat.channel, chat.id),
        )

    async def audit(self, actor: str, action: str, detail: str, now: datetime) -> None:
        """Record one action in the audit log."""
        await self._audit(actor, action, detail, now)

    async def _audit(self, actor: str, action: str, detail: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (actor, action, detail, at) VALUES (?, ?, ?, ?)",
            (actor, action, detail, iso(now)),
        )
