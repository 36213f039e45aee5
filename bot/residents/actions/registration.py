"""Registration and privacy effects: save (or merge) a registration, list, show and erase data."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.effects import (
    Erased,
    EraseMyData,
    ListedRegistration,
    ListRegistrations,
    PersonalData,
    RegistrationSaved,
    SaveRegistration,
    ShowMyData,
    ShownCard,
    ShownRegistration,
    Who,
)
from bot.core.phones import display_phone
from bot.core.places import Place, PlaceSource, place_key
from bot.render import format_date
from bot.store import Store
from bot.store.registrations import NewRegistration, Registration, Saved

__all__ = ["Announcer", "RegistrationActions"]

log = logging.getLogger(__name__)


class Announcer(Protocol):
    """Tells the officers of a commune about a saved registration."""

    async def announce(self, saved: Saved, now: datetime) -> None:
        """Post the registration to its commune's officer chat."""
        ...


class RegistrationActions:
    """The engine actions behind the registration flow, /dangky, /mydata and /xoa."""

    def __init__(self, store: Store, tz: ZoneInfo, announcer: Announcer | None = None) -> None:
        self.store = store
        self.tz = tz
        self.announcer = announcer

    async def save(self, who: Who, effect: SaveRegistration, now: datetime) -> RegistrationSaved:
        """Save the confirmed registration (merging a recent duplicate), then tell officers."""
        new = NewRegistration(
            interest=effect.interest,
            full_name=effect.name,
            phone=effect.phone,
            commune=effect.commune,
            commune_key=place_key(effect.commune),
            village=effect.village,
            village_key=place_key(effect.village),
            household_size=effect.household,
            call_time=effect.time,
            consent_at=effect.consent_at,
        )
        saved = await self.store.registrations.save(who.contact_id, new, now)
        place = Place(effect.commune, effect.village)
        await self.store.contacts.set_place(who.contact_id, place, PlaceSource.REGISTRATION, now)
        if self.announcer is not None:
            try:
                await self.announcer.announce(saved, now)
            except Exception:  # a failed notice must not undo the resident's registration
                log.exception("could not notify officers of %s", saved.registration.reference)
        return RegistrationSaved(saved.registration.reference, saved.merged)

    async def listing(
        self, who: Who, effect: ListRegistrations, now: datetime
    ) -> list[ListedRegistration]:
        """Return the person's registrations: reference, date, interest, status."""
        found = await self.store.registrations.for_contact(who.contact_id)
        return [
            ListedRegistration(
                reference=r.reference,
                date=self._day(r.created_at),
                interest=r.interest,
                status=r.status.value,
            )
            for r in found
        ]

    async def my_data(self, who: Who, effect: ShowMyData, now: datetime) -> PersonalData:
        """Return everything stored about the person, ready to show."""
        stored = await self.store.registrations.personal_data(who.contact_id)
        contact = stored.contact
        return PersonalData(
            contact=contact,
            first_seen=self._day(datetime.fromisoformat(contact["first_seen"])),
            messages=stored.messages,
            registrations=[self._shown(r) for r in stored.registrations],
            cards=[
                ShownCard(
                    full_name=card["full_name"],
                    phone=display_phone(card["phone"]),
                    expiry=format_date(date.fromisoformat(card["expiry_date"])),
                )
                for card in stored.cards
            ],
        )

    async def erase(self, who: Who, effect: EraseMyData, now: datetime) -> Erased:
        """Erase the person's personal data; return how much was erased."""
        erased = await self.store.registrations.erase_contact(who.contact_id, now)
        if not await self.store.db.checkpoint():
            log.warning("erased data stay in the write-ahead log until the next checkpoint")
        log.info("erased the personal data of contact %d", who.contact_id)
        return Erased(erased.registrations, erased.messages, erased.cards)

    def _shown(self, registration: Registration) -> ShownRegistration:
        return ShownRegistration(
            reference=registration.reference,
            date=self._day(registration.created_at),
            interest=registration.interest,
            full_name=registration.full_name,
            phone=display_phone(registration.phone),
            commune=registration.commune,
            village=registration.village,
            household_size=registration.household_size,
            call_time=registration.call_time,
            status=registration.status.value,
        )

    def _day(self, moment: datetime) -> str:
        return format_date(moment.astimezone(self.tz))
