"""Who a broadcast goes to, as data, and the small text syntax officers and operators type.

Syntax: clauses separated by `;`, each `key=value`; several values of one key by `,`.

    xa=Ea Tul, Cư M'gar     communes (administrators only: `xa=*` everyone, a commune known
                            or not; `xa=?` only those whose commune is not known)
    thon=Thôn 3             villages
    the=het_han             card expired;  the=het_han>30  expired more than 30 days ago
    the=sap_het<30          card expires within 30 days;  the=chua_co  not in the registry
    quan_tam=voluntary      registered interest (household, voluntary, student, sponsor, other)
    lien_ket=co | khong     linked to a registry record or not

All clauses must hold together. An officer's audience is always limited to their commune.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.core.interests import INTERESTS
from bot.core.places import display_place, place_key

__all__ = [
    "Audience",
    "AudienceError",
    "CardRule",
    "CardStatus",
    "Scope",
    "parse_audience",
    "scoped",
]

_CARD = re.compile(r"^(het_han|sap_het|chua_co)\s*(?:([<>])\s*(\d{1,4}))?$")


class AudienceError(ValueError):
    """An audience that cannot be used; the label `key` says why, filled with `values`.

    The words are in messages/vi/labels/broadcast.toml (`audience.why.*`); the core only picks
    the reason, and the officers' side says it (`renderer.label(error.key, error.values)`).
    """

    def __init__(self, reason: str, **values: str) -> None:
        """Refuse for `reason` (the label `audience.why.<reason>`) with the label's `values`."""
        self.key = f"audience.why.{reason}"
        self.values = values
        super().__init__(self.key, values)


class CardStatus(StrEnum):
    """A card condition from the registry."""

    EXPIRED = "het_han"
    EXPIRING = "sap_het"
    NOT_IN_REGISTRY = "chua_co"


@dataclass(frozen=True, slots=True)
class CardRule:
    """A card condition: expired (more than `days` ago), expiring within `days`, or absent."""

    status: CardStatus
    days: int | None = None

    def text(self) -> str:
        """Return the rule in the text syntax."""
        if self.days is None:
            return self.status.value
        sign = ">" if self.status is CardStatus.EXPIRED else "<"
        return f"{self.status.value}{sign}{self.days}"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which communes an actor may reach: a set of commune keys, or None for all (admins)."""

    communes: frozenset[str] | None

    @classmethod
    def everywhere(cls) -> Scope:
        """The administrators' scope."""
        return cls(None)

    @classmethod
    def commune(cls, key: str) -> Scope:
        """An officer's scope: their commune only."""
        return cls(frozenset({key}))


@dataclass(frozen=True, slots=True)
class Audience:
    """The residents a broadcast targets; empty fields do not narrow."""

    communes: tuple[str, ...] = ()
    all_communes: bool = False
    unknown_commune: bool = False
    villages: tuple[str, ...] = ()
    card: CardRule | None = None
    interest: str | None = None
    linked: bool | None = None

    @property
    def commune_keys(self) -> tuple[str, ...]:
        """Return the communes as keys."""
        return tuple(place_key(name) for name in self.communes)

    @property
    def village_keys(self) -> tuple[str, ...]:
        """Return the villages as keys."""
        return tuple(place_key(name) for name in self.villages)

    def text(self) -> str:
        """Return the audience in the text syntax (parse_audience reads it back)."""
        parts = []
        if self.all_communes:
            parts.append("xa=*")
        elif self.unknown_commune:
            parts.append("xa=?")
        elif self.communes:
            parts.append("xa=" + ", ".join(self.communes))
        if self.villages:
            parts.append("thon=" + ", ".join(self.villages))
        if self.card is not None:
            parts.append("the=" + self.card.text())
        if self.interest is not None:
            parts.append("quan_tam=" + self.interest)
        if self.linked is not None:
            parts.append("lien_ket=" + ("co" if self.linked else "khong"))
        return "; ".join(parts)


def parse_audience(text: str) -> Audience:
    """Read an audience written in the text syntax; raise AudienceError with the reason."""
    audience = Audience()
    seen: set[str] = set()
    for clause in (part.strip() for part in text.split(";")):
        if not clause:
            continue
        key, equals, value = clause.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not equals or not value:
            raise AudienceError("form", clause=clause)
        if key in seen:
            raise AudienceError("twice", key=key)
        seen.add(key)
        audience = _clause(audience, key, value)
    return audience


def _clause(audience: Audience, key: str, value: str) -> Audience:
    values = tuple(display_place(v) for v in value.split(",") if v.strip())
    if key == "xa":
        if value == "*":
            return replace(audience, all_communes=True)
        if value == "?":
            return replace(audience, unknown_commune=True)
        if not values or not all(place_key(v) for v in values):
            raise AudienceError("commune")
        return replace(audience, communes=values)
    if key == "thon":
        if not values or not all(place_key(v) for v in values):
            raise AudienceError("village")
        return replace(audience, villages=values)
    if key == "the":
        return replace(audience, card=_card(value))
    if key == "quan_tam":
        if value.lower() not in INTERESTS:
            raise AudienceError("interest", value=value, codes=", ".join(INTERESTS))
        return replace(audience, interest=value.lower())
    if key == "lien_ket":
        if value.lower() not in ("co", "khong"):
            raise AudienceError("linked")
        return replace(audience, linked=value.lower() == "co")
    raise AudienceError("key", key=key)


def _card(value: str) -> CardRule:
    found = _CARD.match(value.strip().lower())
    if not found:
        raise AudienceError("card", value=value)
    status, sign, days = CardStatus(found.group(1)), found.group(2), found.group(3)
    expected = {CardStatus.EXPIRED: ">", CardStatus.EXPIRING: "<"}.get(status)
    if status is CardStatus.EXPIRING and sign is None:
        raise AudienceError("days")
    if sign is not None and sign != expected:
        if expected is None:
            raise AudienceError("no_sign", status=status.value)
        raise AudienceError("sign", status=status.value, sign=expected)
    return CardRule(status, int(days) if days is not None else None)


def scoped(audience: Audience, scope: Scope) -> tuple[str, ...] | None:
    """Return the commune keys the audience may reach in `scope` (None = every commune).

    An officer naming another commune, or every commune, is refused; an officer naming no
    commune gets their own. Administrators must name communes or write `xa=*` (everyone) or
    `xa=?` (those whose commune is not known: a condition of the audience itself).
    """
    if scope.communes is None:
        if audience.all_communes or audience.unknown_commune:
            return None
        if not audience.communes:
            raise AudienceError("no_commune")
        return audience.commune_keys
    if audience.all_communes or audience.unknown_commune:
        raise AudienceError("own_commune")
    wanted = set(audience.commune_keys) or set(scope.communes)
    if not wanted <= scope.communes:
        raise AudienceError("own_commune")
    return tuple(sorted(wanted))
