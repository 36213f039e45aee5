"""Place-question effects: the villages the communes' lists know, and recording an answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.effects import LeafletPlace, ListPlaces, PlaceSaved, SetPlace, UseLeaflet, Who
from bot.core.places import Place, PlaceBook, PlaceSource
from bot.store import Store

__all__ = ["KNOWN_PLACES_FOR", "PlaceActions"]

KNOWN_PLACES_FOR = timedelta(minutes=5)
"""How long the villages of the lists are reused before they are read again: grouping a large
registry takes tens of milliseconds (~70 ms for 100,000 residents in 18,000 villages), and a
list imported meanwhile shows in the place question this much later at most."""


class PlaceActions:
    """Runs the look-up and the write that the place question asks for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._known: tuple[datetime, PlaceBook] | None = None

    async def known(self, who: Who, effect: ListPlaces, now: datetime) -> PlaceBook:
        """Return the villages of the communes' lists, the most populous first."""
        if self._known is not None and now - self._known[0] < KNOWN_PLACES_FOR:
            return self._known[1]
        book = PlaceBook(tuple(await self.store.residents.known_places()))
        self._known = (now, book)
        return book

    async def use_leaflet(self, who: Who, effect: UseLeaflet, now: datetime) -> LeafletPlace:
        """Record the village of a live leaflet code; an unknown or revoked one records nothing."""
        code = await self.store.leaflets.live(effect.code)
        if code is None:
            return LeafletPlace()
        place = Place(code.commune, code.village)
        await self.store.contacts.set_place(
            who.contact_id, place, PlaceSource.LEAFLET, now, leaflet_code=code.code
        )
        return LeafletPlace(code.commune, code.village)

    async def save(self, who: Who, effect: SetPlace, now: datetime) -> PlaceSaved:
        """Record the place the person gave (a surer one stays unless they changed it)."""
        place = Place(effect.commune, effect.village)
        await self.store.contacts.set_place(
            who.contact_id, place, PlaceSource.ANSWER, now, explicit=effect.explicit
        )
        return PlaceSaved(place.commune, place.village)
