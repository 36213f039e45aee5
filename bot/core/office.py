"""Who runs this Loa: the office-identity settings residents are told when they ask."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Office"]


@dataclass(frozen=True, slots=True)
class Office:
    """The local office that operates Loa (OFFICE_* settings); empty fields are unset."""

    name: str = ""
    address: str = ""
    phone: str = ""
    website: str = ""

    @property
    def is_set(self) -> bool:
        """Tell whether the operator named the office at all."""
        return bool(self.name)
