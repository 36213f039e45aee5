"""The effects the engine runs for the core: look-ups and writes with an outcome."""

from __future__ import annotations

from dataclasses import dataclass

from bot.residents.actions.places import PlaceActions
from bot.residents.actions.registration import Announcer, RegistrationActions
from bot.residents.actions.reminders import ReminderActions

__all__ = ["Actions", "Announcer", "PlaceActions", "RegistrationActions", "ReminderActions"]


@dataclass(frozen=True, slots=True)
class Actions:
    """Everything the engine can run for the residents' core, one object per conversation."""

    registration: RegistrationActions
    reminders: ReminderActions
    places: PlaceActions
