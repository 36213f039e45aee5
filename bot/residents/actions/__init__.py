"""Named effects the engine runs for the core: look-ups and writes with an outcome."""

from __future__ import annotations

from bot.residents.actions.registration import Announcer, RegistrationActions

__all__ = ["Announcer", "RegistrationActions"]
