"""Actions of the reminder-linking conversation: find a card, link it, switch reminders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import local_date
from bot.core.effects import (
    Card,
    LinkIdentity,
    Linking,
    LinkOwnPhone,
    LinkPhone,
    Overview,
    Planned,
    ReminderOverview,
    RemindersSet,
    SelfReport,
    SetReminders,
    Who,
)
from bot.core.places import Place, PlaceSource
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

    async def link_own_phone(self, who: Who, effect: LinkOwnPhone, now: datetime) -> Linking:
        """Link every card listed with the phone the channel checked is the sender's own."""
        found = await self.store.residents.find_by_phone(effect.phone)
        if not found:
            return Linking("not_found")
        return await self._link(who, found, now)

    async def link_phone(self, who: Who, effect: LinkPhone, now: datetime) -> Linking:
        """Link the cards listed with this typed phone and birth date, a few tries a day."""
        phone, born = effect.phone, effect.birth_date
        residents = self.store.residents
        return await self._link_claim(
            who, f"phone:{phone}", now, lambda: residents.find_by_phone_and_birth(phone, born)
        )

    async def link_identity(self, who: Who, effect: LinkIdentity, now: datetime) -> Linking:
        """Link the card with this BHXH number or CCCD and birth date, a few tries a day."""
        number, born = effect.number, effect.birth_date
        residents = self.store.residents
        return await self._link_claim(
            who, f"id:{number}", now, lambda: _listed(residents.find_by_identity(number, born))
        )

    async def _link_claim(
        self, who: Who, claim: str, now: datetime, look_up: Callable[[], Awaitable[list[Resident]]]
    ) -> Linking:
        """Run a typed claim's look-up within the daily limits; never tell why it failed."""
        today = local_date(now, self.tz)
        attempts = self.store.link_attempts
        if (
            await attempts.failures(who.contact_id, today) >= MAX_FAILURES_A_DAY
            or await attempts.target_failures(claim, today) >= MAX_CLAIM_FAILURES_A_DAY
        ):
            return Linking("too_many")
        found = await look_up()
        if not found:
            await attempts.add_failure(who.contact_id, today, claim)
            return Linking("no_match")
        return await self._link(who, found, now)

    async def _link(self, who: Who, found: list[Resident], now: datetime) -> Linking:
        for resident in found:
            await self.store.residents.link(resident.id, who.contact_id, now)
        listed = [r for r in found if r.commune]
        if listed:  # the commune's own list knows where the card's holder lives
            place = Place(listed[0].commune, listed[0].village)
            await self.store.contacts.set_place(who.contact_id, place, PlaceSource.CARD, now)
        return Linking("linked", [_card(r) for r in found])

    async def self_report(self, who: Who, effect: SelfReport, now: datetime) -> Linking:
        """Remember a card the person typed in themselves (no list entry)."""
        name = effect.name[:100]
        resident = await self.store.residents.add_self_reported(
            who.contact_id, name, effect.expiry_date, now
        )
        return Linking("linked", [_card(resident)])

    async def overview(self, who: Who, effect: ReminderOverview, now: datetime) -> Overview:
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
        planned = [Planned(when, offset) for when, offset in dates]
        return Overview([_card(r) for r in residents], enabled, planned)

    async def set_reminders(self, who: Who, effect: SetReminders, now: datetime) -> RemindersSet:
        """Turn the person's reminders on or off."""
        await self.store.residents.set_reminders(who.contact_id, effect.enabled, now)
        return RemindersSet(effect.enabled)


async def _listed(found: Awaitable[Resident | None]) -> list[Resident]:
    resident = await found
    return [resident] if resident else []


def _card(resident: Resident) -> Card:
    place = ", ".join(p for p in (resident.village, resident.commune) if p)
    return Card(name=resident.full_name, expiry=resident.expiry_date, place=place)
