"""Fixtures: a store seeded with two communes of residents, the broadcast service, a sender."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.app import Loa, outbox_preparer
from bot.clock import VIETNAM, FixedClock
from bot.core.hours import SendingHours
from bot.officers.broadcasts.service import BroadcastService
from bot.outbox.sender import Pacer, Sender, Transport
from tests.officers.broadcasts.seed import Person, seed

PEOPLE = [
    Person(101, "Nguyễn Thị Lan", "Ea Tul", "Thôn 1", date(2026, 10, 1)),  # expired 55 days
    Person(102, "Trần Văn Hùng", "Ea Tul", "Thôn 1", date(2026, 12, 10)),  # expiring in 15
    Person(103, "Lê Thị Mai", "Ea Tul", "Thôn 2", date(2027, 6, 1)),
    Person(104, "Phạm Văn Nam", "Ea Tul", "Thôn 2", date(2026, 11, 20), status="stopped"),
    Person(105, "Võ Thị Hoa", "Ea Tul", "Thôn 1", date(2026, 11, 1), status="blocked"),
    Person(106, "Đỗ Văn Tâm", "Ea Tul", "Thôn 2", None, interest="voluntary"),
    Person(201, "Hồ Thị Thu", "Cư Né", "Buôn Kmu", date(2026, 10, 1)),
    Person(202, "Bùi Văn An", "Cư Né", "Buôn Kmu", date(2026, 12, 1)),
]


@pytest.fixture
async def seeded(loa: Loa, clock: FixedClock) -> Loa:
    """Loa with PEOPLE in its database."""
    await seed(loa.store.db, PEOPLE, clock.now())
    return loa


@pytest.fixture
def service(seeded: Loa) -> BroadcastService:
    """The broadcast service over the seeded store, batches of 2 to exercise the cursor."""
    return BroadcastService(
        seeded.store.broadcasts, tz=VIETNAM, hours=SendingHours(8, 20, VIETNAM), batch_size=2
    )


@pytest.fixture
def make_sender(seeded: Loa, clock: FixedClock) -> Callable[[Transport], Sender]:
    """Build senders wired as `loa run` wires them (daily cap, broadcast texts), unpaced."""

    def build(transport: Transport) -> Sender:
        return Sender(
            seeded.store.outbox,
            transport,
            Pacer(1000, 1000),
            clock,
            preparer=outbox_preparer(seeded.store, seeded.settings),
        )

    return build
