"""Leaflet codes: one live code per village, reused; a revoked code is no longer looked up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.core.officer import Commune
from bot.store import Store
from bot.store.drafts import Place
from bot.store.leaflets import LeafletCodes
from tests.officers.broadcasts.seed import Person, seed

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
AN_PHU = Commune("an phu", "An Phú")
LONG_THUY = Place("long thuy", "Long Thủy")


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


async def test_a_village_keeps_its_live_code(store: Store) -> None:
    codes = LeafletCodes(store.db)
    first = await codes.live_or_create(AN_PHU, LONG_THUY, "l-first001", "cli", NOW)
    again = await codes.live_or_create(AN_PHU, LONG_THUY, "l-second01", "telegram:7", NOW)
    assert first == again
    assert (first.code, first.commune, first.village, first.created_by) == (
        "l-first001",
        "An Phú",
        "Long Thủy",
        "cli",
    )
    assert await codes.live("l-first001") == first
    assert await codes.live("l-second01") is None


async def test_a_revoked_code_is_not_looked_up_and_the_village_gets_a_new_one(
    store: Store,
) -> None:
    codes = LeafletCodes(store.db)
    await codes.live_or_create(AN_PHU, LONG_THUY, "l-old00001", "cli", NOW)
    later = NOW + timedelta(hours=1)
    revoked = await codes.revoke("l-old00001", later)
    assert revoked is not None
    assert revoked.revoked_at == later
    assert await codes.live("l-old00001") is None
    assert await codes.revoke("l-old00001", later) is None  # once only
    assert await codes.revoke("l-unknown1", later) is None
    fresh = await codes.live_or_create(AN_PHU, LONG_THUY, "l-new00001", "cli", later)
    assert fresh.code == "l-new00001"
    listed = await codes.for_commune("an phu")
    assert [(c.code, c.revoked_at is None) for c in listed] == [
        ("l-old00001", False),
        ("l-new00001", True),
    ]


@pytest.mark.parametrize(
    "typed",
    ["", "l-", "cb-abc", "l-abc/../x", "l-a b", "l-ằ", "l-" + "a" * 63, "' OR 1=1 --"],
)
async def test_malformed_codes_are_never_found(store: Store, typed: str) -> None:
    codes = LeafletCodes(store.db)
    await codes.live_or_create(AN_PHU, LONG_THUY, "l-" + "a" * 62, "cli", NOW)
    assert await codes.live(typed) is None


async def test_villages_come_from_the_registry_and_the_leaflets_in_natural_order(
    store: Store,
) -> None:
    people = [
        Person(100 + n, f"Người {n}", "Xã An Phú", f"Thôn {n}", date(2027, 1, 1)) for n in (10, 2)
    ]
    people.append(Person(300, "Khách", "Cư Né", "Buôn Kmu", date(2027, 1, 1)))
    await seed(store.db, people, NOW)
    codes = LeafletCodes(store.db)
    await codes.live_or_create(AN_PHU, Place("thon 1", "Thôn 1"), "l-thon0001", "cli", NOW)
    villages = await codes.villages("an phu")
    assert [v.name for v in villages] == ["Thôn 1", "Thôn 2", "Thôn 10"]
    assert await codes.commune_name("an phu") == "An Phú"  # the first spelling, by order
    assert await codes.commune_name("nowhere") is None
    assert await codes.villages("nowhere") == []
