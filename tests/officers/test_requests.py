"""Who may do what on the officers' side, decided purely from who asks and where."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.accounts import Account
from bot.core.audience import Scope
from bot.core.officer import Officer
from bot.officers.requests import (
    Broadcasting,
    Denied,
    Export,
    Import,
    InviteOfficer,
    InviteSelf,
    InviteUsage,
    LeafletChoice,
    Leaflets,
    ListLeafletCodes,
    NotFound,
    RevokeLeafletCode,
    SetStatus,
    Stats,
    Who,
    decide_choice,
    decide_command,
    decide_import,
    may_set_status,
)
from bot.store.registrations import RegistrationStatus
from tests.officer_helpers import commune

TWO_COMMUNES = Officer(
    7,
    "Chị Lan",
    (Account("zalo", "lan"),),
    (commune("An Phú"), commune("Hòa Bình")),
    "test",
    datetime(2026, 12, 1, tzinfo=UTC),
)
OFFICER = Who(admin=False, officer=TWO_COMMUNES)
ADMIN = Who(admin=True, officer=None)
STRANGER = Who(admin=False, officer=None)


def test_a_stranger_is_refused_everything_and_a_wrong_chat_is_named() -> None:
    for command in ("export", "stats", "moi", "broadcast", "broadcasts"):
        assert decide_command(STRANGER, command, "", chat_allowed=True) == Denied(command)
        assert decide_command(OFFICER, command, "", chat_allowed=False) == Denied(
            command, here=True
        )
    assert decide_import(STRANGER, chat_allowed=True) == Denied("import")
    assert decide_choice(STRANGER, "off:status:1:joined") == Denied("status")


def test_an_officer_exports_exactly_their_communes_or_one_of_them() -> None:
    both = decide_command(OFFICER, "export", "", chat_allowed=True)
    assert both == Export("xlsx", ("an phu", "hoa binh"), "An Phú, Hòa Bình")
    one = decide_command(OFFICER, "export", "csv hoà bình", chat_allowed=True)
    assert one == Export("csv", ("hoa binh",), "Hòa Bình")
    other = decide_command(OFFICER, "export", "Tân Lập", chat_allowed=True)
    assert isinstance(other, Denied)
    assert other.what == "export tan lap"


def test_an_administrator_exports_every_commune_or_the_one_named() -> None:
    assert decide_command(ADMIN, "export", "", chat_allowed=True) == Export("xlsx", None, "")
    assert decide_command(ADMIN, "export", "csv Tân Lập", chat_allowed=True) == Export(
        "csv", ("tan lap",), "Tân Lập"
    )


def test_stats_broadcasts_and_imports_cover_the_officers_communes() -> None:
    scope = Scope(frozenset({"an phu", "hoa binh"}))
    assert decide_command(OFFICER, "stats", "", chat_allowed=True) == Stats(scope, TWO_COMMUNES)
    assert decide_command(ADMIN, "stats", "", chat_allowed=True) == Stats(Scope(None), None)
    assert decide_command(OFFICER, "broadcast", "*", chat_allowed=True) == Broadcasting(
        "broadcast", "*", scope
    )
    assert decide_import(OFFICER, chat_allowed=True) == Import(TWO_COMMUNES.communes)
    assert decide_import(ADMIN, chat_allowed=True) == Import(None)


def test_invitations_new_officers_by_administrators_and_the_other_app_by_officers() -> None:
    assert decide_command(ADMIN, "moi", "  An   Phú ", chat_allowed=True) == InviteOfficer(
        commune("An Phú")
    )
    assert decide_command(OFFICER, "moi", "", chat_allowed=True) == InviteSelf(7)
    assert decide_command(OFFICER, "moi", "Tân Lập", chat_allowed=True) == InviteUsage()
    assert decide_command(ADMIN, "moi", "", chat_allowed=True) == InviteUsage()


def test_status_choices_are_read_strictly_and_checked_against_the_commune() -> None:
    assert decide_choice(OFFICER, "off:status:12:joined") == SetStatus(
        12, RegistrationStatus.JOINED
    )
    for bad in ("off:status:12:new", "off:status:x:joined", "off:status:12", "off:other:1:joined"):
        assert decide_choice(OFFICER, bad) == NotFound()
    assert may_set_status(OFFICER, "hoa binh")
    assert not may_set_status(OFFICER, "tan lap")
    assert may_set_status(ADMIN, "tan lap")


def test_leaflets_are_offered_for_the_persons_own_communes_only() -> None:
    assert decide_command(OFFICER, "qr", "", chat_allowed=True) == Leaflets(TWO_COMMUNES.communes)
    assert decide_command(ADMIN, "qr", "", chat_allowed=True) == Leaflets(None)
    assert decide_command(STRANGER, "qr", "", chat_allowed=True) == Denied("qr")
    chosen = decide_choice(OFFICER, "off:qr:ab12cd34:*")
    assert chosen == LeafletChoice("ab12cd34", "*", TWO_COMMUNES.communes)
    assert decide_choice(STRANGER, "off:qr:ab12cd34:*") == Denied("leaflet")
    assert decide_choice(OFFICER, "off:qr:") == NotFound()


def test_leaflet_codes_are_listed_and_revoked_within_the_persons_communes() -> None:
    listed = decide_choice(OFFICER, "off:qr:ab12cd34:=")
    assert listed == ListLeafletCodes("ab12cd34", TWO_COMMUNES.communes)
    revoked = decide_choice(OFFICER, "off:qr:ab12cd34:-l-Ab3_x9Zq")
    assert revoked == RevokeLeafletCode("ab12cd34", "l-Ab3_x9Zq", TWO_COMMUNES.communes)
    assert decide_choice(ADMIN, "off:qr:ab12cd34:=") == ListLeafletCodes("ab12cd34", None)
    assert decide_choice(STRANGER, "off:qr:ab12cd34:-l-Ab3_x9Zq") == Denied("leaflet")
