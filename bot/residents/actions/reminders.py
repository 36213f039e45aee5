"""Actions of the reminder-linking conversation: find a card, link it, switch reminders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import local_date
from bot.residents.engine import Action, Who
from bot.store import Store
from bot.store.residents import Resident

__all__ = ["MAX_CLAIM_FAILURES_A_DAY", "MAX_FAILURES_A_DAY", "ReminderActions"]

MAX_FAILURES_A_DAY = 5
"""Failed look-ups one person may make a day, by typed phone and by BHXH number together."""
MAX_CLAIM_FAILURES_A_DAY = 10
"""Failed look-ups of one phone or number a day, by everyone together."""


@dataclass(frozen=True, slots=True)
class ReminderActions:
    """Runs the look-ups and writes that the reminder conversation asks for."""

    store: Store
    tz: ZoneInfo
    offsets: Sequence[int]

    def actions(self) -> dict[str, Action]:
        """Return the actions by the effect names the core uses."""
        return {
            "link_own_phone": self.link_own_phone,
            "link_phone": self.link_phone,
            "link_identity": self.link_identity,
            "self_report": self.self_report,
            "reminder_overview": self.overview,
            "set_reminders": self.set_reminders,
        }

    async def link_own_phone(
        self, who: Who, args: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Link every card listed with the phone the channel checked is the sender's own."""
        found = await self.store.residents.find_by_phone(str(args["phone"]))
        if not found:
            return {"status": "not_found"}
        return await self._link(who, found, now)

    async def link_phone(self, who: Who, args: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Link the cards listed with this typed phone and birth date, a few tries a day."""
        phone = str(args["phone"])
        born = date.fromisoformat(str(args["birth_date"]))
        residents = self.store.residents
        return await self._link_claim(
            who, f"phone:{phone}", now, lambda: residents.find_by_phone_and_birth(phone, born)
        )

    async def link_identity(
        self, who: Who, args: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Link the card with this BHXH number or CCCD and birth date, a few tries a day."""
        number = str(args["number"])
        born = date.fromisoformat(str(args["birth_date"]))
        residents = self.store.residents
        return await self._link_claim(
            who, f"id:{number}", now, lambda: _listed(residents.find_by_identity(number, born))
        )

    async def _link_claim(
        self, who: Who, claim: str, now: datetime, look_up: Callable[[], Awaitable[list[Resident]]]
    ) -> dict[str, Any]:
        """Run a typed claim's look-up within the daily limits; never tell why it failed."""
        today = local_date(now, self.tz)
        attempts = self.store.link_attempts
        if (
            await attempts.failures(who.contact_id, today) >= MAX_FAILURES_A_DAY
            or await attempts.target_failures(claim, today) >= MAX_CLAIM_FAILURES_A_DAY
        ):
            return {"status": "too_many"}
        found = await look_up()
        if not found:
            await attempts.add_failure(who.contact_id, today, claim)
            return {"status": "no_match"}
        return await self._link(who, found, now)

    async def _link(self, who: Who, found: list[Resident], now: datetime) -> dict[str, Any]:
        for resident in found:
            await self.store.residents.link(resident.id, who.contact_id, now)
        return {"status": "linked", "cards": [_card(r) for r in found]}

    async def self_report(self, who: Who, args: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Remember a card the person typed in themselves (no list entry)."""
        expiry = date.fromisoformat(str(args["expiry_date"]))
        name = str(args.get("name") or "")[:100]
        resident = await self.store.residents.add_self_reported(who.contact_id, name, expiry, now)
        return {"status": "linked", "cards": [_card(resident)]}

    async def overview(self, who: Who, args: Mapping[str, Any], now: datetime) -> dict[str, Any]:
        """Return the person's cards, whether reminders are on, and the next reminder dates."""
        today = local_date(now, self.tz)
        residents = await self.store.residents.for_contact(who.contact_id)
        enabled = any(r.reminders_enabled for r in residents)
        dates = sorted(
            (r.expiry_date + timedelta(days=offset), offset)
            for r in residents
            if r.reminders_enabled
            for offset in self.offsets
            if r.expiry_date + timedelta(days=offset) >= today
        )
        planned = [{"when": when, "offset": offset} for when, offset in dates]
        return {"cards": [_card(r) for r in residents], "enabled": enabled, "planned": planned}

    async def set_reminders(
        self, who: Who, args: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Turn the person's reminders on or off."""
        enabled = bool(args["enabled"])
        await self.store.residents.set_reminders(who.contact_id, enabled, now)
        return {"enabled": enabled}


async def _listed(found: Awaitable[Resident | None]) -> list[Resident]:
    resident = await found
    return [resident] if resident else []


def _card(resident: Resident) -> dict[str, Any]:
    place = ", ".join(p for p in (resident.village, resident.commune) if p)
    return {"name": resident.full_name, "expiry": resident.expiry_date, "place": place}
