"""Effects the residents' core asks the engine to run, and the outcomes they come back with.

Each effect is a small frozen dataclass naming its outcome type (`Effect[Outcome]`); the
engine dispatches on the effect's class in one place and files the outcome in `Outcomes`,
which hands it back to the core typed. A misspelt effect, argument or outcome field fails
`mypy --strict` instead of a resident's conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeAlias, TypeVar, cast

from bot.core.places import PlaceBook

__all__ = [
    "Card",
    "Effect",
    "EraseMyData",
    "Erased",
    "LeafletPlace",
    "LinkIdentity",
    "LinkOwnPhone",
    "LinkPhone",
    "Linking",
    "ListPlaces",
    "ListRegistrations",
    "ListedRegistration",
    "Outcomes",
    "Overview",
    "PersonalData",
    "PlaceSaved",
    "Planned",
    "RegistrationSaved",
    "ReminderOverview",
    "RemindersSet",
    "ResidentEffect",
    "Resume",
    "SaveRegistration",
    "SelfReport",
    "SetPlace",
    "SetReminders",
    "ShowMyData",
    "ShownCard",
    "ShownRegistration",
    "Stop",
    "UseLeaflet",
    "Who",
    "as_data",
]

Out = TypeVar("Out")


class Effect(Generic[Out]):
    """Something the core asks the engine to do, whose outcome is an `Out`."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Who:
    """The person an effect is run for: their channel address and contact id."""

    channel: str
    external_id: str
    contact_id: int


# Outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistrationSaved:
    """A saved registration: its reference, and whether it updated a recent duplicate."""

    reference: str
    merged: bool


@dataclass(frozen=True, slots=True)
class ListedRegistration:
    """One of the person's registrations as /dangky lists it."""

    reference: str
    date: str  # formatted for people
    interest: str
    status: str


@dataclass(frozen=True, slots=True)
class ShownRegistration:
    """One registration with the personal data /mydata shows."""

    reference: str
    date: str
    interest: str
    full_name: str
    phone: str
    commune: str
    village: str
    household_size: int | None
    call_time: str
    status: str


@dataclass(frozen=True, slots=True)
class ShownCard:
    """A linked card as /mydata shows it."""

    full_name: str
    phone: str
    expiry: str


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about a person, ready to show (/mydata)."""

    contact: Mapping[str, Any]
    first_seen: str
    messages: int
    registrations: list[ShownRegistration]
    cards: list[ShownCard]


@dataclass(frozen=True, slots=True)
class Erased:
    """How much of a person's data /xoa erased."""

    registrations: int
    messages: int
    cards: int


@dataclass(frozen=True, slots=True)
class Card:
    """A card Loa reminds about: the holder's name, its expiry and where they live."""

    name: str
    expiry: date
    place: str


@dataclass(frozen=True, slots=True)
class Linking:
    """The outcome of linking a card; a failed look-up never tells why beyond its status."""

    status: Literal["linked", "not_found", "no_match", "too_many"]
    cards: list[Card] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Planned:
    """A reminder to come: its date and its offset in days from the card's expiry."""

    when: date
    offset: int


@dataclass(frozen=True, slots=True)
class Overview:
    """The person's cards, whether reminders are on, and the next reminder dates."""

    cards: list[Card]
    enabled: bool
    planned: list[Planned]


@dataclass(frozen=True, slots=True)
class RemindersSet:
    """Reminders were turned on or off."""

    enabled: bool


@dataclass(frozen=True, slots=True)
class PlaceSaved:
    """Where the person lives was recorded (or kept, when a surer source knew it already)."""

    commune: str
    village: str


# Effects ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stop(Effect[None]):
    """Stop proactive messages to the person (the engine sets their status)."""


@dataclass(frozen=True, slots=True)
class Resume(Effect[None]):
    """Turn proactive messages back on (the engine sets their status)."""


@dataclass(frozen=True, slots=True)
class SaveRegistration(Effect[RegistrationSaved]):
    """Save a confirmed registration (merging a recent duplicate), then tell the officers."""

    interest: str
    name: str
    phone: str
    commune: str
    village: str
    household: int | None
    time: str
    consent_at: datetime


@dataclass(frozen=True, slots=True)
class ListRegistrations(Effect[list[ListedRegistration]]):
    """List the person's registrations (/dangky)."""


@dataclass(frozen=True, slots=True)
class ShowMyData(Effect[PersonalData]):
    """Gather everything stored about the person (/mydata)."""


@dataclass(frozen=True, slots=True)
class EraseMyData(Effect[Erased]):
    """Erase the person's personal data (/xoa, confirmed)."""


@dataclass(frozen=True, slots=True)
class LinkOwnPhone(Effect[Linking]):
    """Link every listed card with this phone, which the channel checked is the sender's."""

    phone: str


@dataclass(frozen=True, slots=True)
class LinkPhone(Effect[Linking]):
    """Link the cards listed with this typed phone and holder's birth date (limited a day)."""

    phone: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class LinkIdentity(Effect[Linking]):
    """Link the card with this BHXH number or CCCD and birth date (limited a day)."""

    number: str
    birth_date: date


@dataclass(frozen=True, slots=True)
class SelfReport(Effect[Linking]):
    """Remember a card the person typed in themselves (no list entry)."""

    expiry_date: date
    name: str


@dataclass(frozen=True, slots=True)
class ReminderOverview(Effect[Overview]):
    """Show the person's cards and planned reminders (/nhacnho)."""


@dataclass(frozen=True, slots=True)
class SetReminders(Effect[RemindersSet]):
    """Turn the person's reminders on or off."""

    enabled: bool


@dataclass(frozen=True, slots=True)
class ListPlaces(Effect[PlaceBook]):
    """Look up the villages the communes' lists know, for the place question."""


@dataclass(frozen=True, slots=True)
class LeafletPlace:
    """The village a leaflet's code names (both empty: an unknown or revoked code)."""

    commune: str = ""
    village: str = ""


@dataclass(frozen=True, slots=True)
class UseLeaflet(Effect[LeafletPlace]):
    """Record the place a leaflet's code names, as a leaflet place with its code."""

    code: str


@dataclass(frozen=True, slots=True)
class SetPlace(Effect[PlaceSaved]):
    """Record the commune and village the person said they live in (source: answer).

    `explicit`: they changed it themselves (/xa), so it replaces a place from any source.
    """

    commune: str
    village: str
    explicit: bool


ResidentEffect: TypeAlias = (
    Stop
    | Resume
    | SaveRegistration
    | ListRegistrations
    | ShowMyData
    | EraseMyData
    | LinkOwnPhone
    | LinkPhone
    | LinkIdentity
    | SelfReport
    | ReminderOverview
    | ListPlaces
    | SetPlace
    | UseLeaflet
    | SetReminders
)
"""Every effect of the residents' core: the engine handles each one (mypy checks it does)."""


@dataclass(frozen=True, slots=True)
class Outcomes:
    """The outcomes of the effects run so far in a turn, by effect class."""

    _by_effect: Mapping[type[Effect[Any]], object] = field(default_factory=dict)

    def of(self, kind: type[Effect[Out]]) -> Out | None:
        """Return the outcome of the effect of this class, None when it has not run."""
        return cast("Out | None", self._by_effect.get(kind))

    def added(self, effect: Effect[Out], outcome: Out) -> Outcomes:
        """Return these outcomes with `effect`'s outcome added."""
        return Outcomes({**self._by_effect, type(effect): outcome})


def as_data(outcome: object) -> dict[str, Any]:
    """Return an outcome's fields as template data (one level: nested values stay as they are)."""
    return {f.name: getattr(outcome, f.name) for f in fields(cast(Any, outcome))}
