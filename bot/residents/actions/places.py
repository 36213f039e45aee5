"""Place-question effects: the villages the communes' lists know, and recording an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.effects import ListPlaces, PlaceSaved, SetPlace, Who
from bot.core.places import Place, PlaceBook, PlaceSource
from bot.store import Store

__all__ = ["PlaceActions"]


@dataclass(frozen=True, slots=True)
class PlaceActions:
    """Runs the look-up and the write that the place question asks for."""

    store: Store

    async def known(self, who: Who, effect: ListPlaces, now: datetime) -> PlaceBook:
        """Return the villages of the communes' lists, the most populous first."""
        return PlaceBook(tuple(await self.store.residents.known_places()))

    async def save(self, who: Who, effect: SetPlace, now: datetime) -> PlaceSaved:
        """Record the place the person gave (a surer one stays unless they changed it)."""
        place = Place(effect.commune, effect.village)
        await self.store.contacts.set_place(
            who.contact_id, place, PlaceSource.ANSWER, now, explicit=effect.explicit
        )
        return PlaceSaved(place.commune, place.village)
