"""An officer of several communes sees exactly those communes: export, stats, status, import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.app import Loa
from bot.clock import FixedClock
from bot.core.accounts import Account
from tests.officer_helpers import actor, add_officer
from tests.officers.broadcasts.seed import Person, seed

OFFICER = 7001
PEOPLE = [
    Person(101, "Nguyễn Thị Lan", "Ea Tul", "Thôn 1", None, interest="household"),
    Person(102, "Trần Văn Hùng", "Cư Né", "Buôn Kmu", None, interest="voluntary"),
    Person(103, "Lê Thị Mai", "Ea Kiết", "Thôn 2", None, interest="student"),
]
HEADER = "Họ và tên,Ngày sinh,Mã số BHXH,Số điện thoại,Thôn,Xã,Hạn thẻ\n"


async def _two_communes(loa: Loa, clock: FixedClock) -> None:
    await seed(loa.store.db, PEOPLE, clock.now())
    await add_officer(loa.store, OFFICER, "Bình", "Ea Tul", clock.now())
    both = await add_officer(loa.store, OFFICER, "", "Cư Né", clock.now())
    assert {c.name for c in both.communes} == {"Ea Tul", "Cư Né"}


async def test_an_officer_of_two_communes_exports_both_and_nothing_else(
    loa: Loa, clock: FixedClock
) -> None:
    await _two_communes(loa, clock)
    answer = await loa.officers.command(actor(OFFICER, "Bình"), "export", "csv", clock.now())
    (sheet,) = answer.attachments
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    names = {row[1] for row in rows[1:]} | {row[2] for row in rows[1:]}
    assert {"Nguyễn Thị Lan", "Trần Văn Hùng"} <= names
    assert "Lê Thị Mai" not in names
    assert len(rows) == 3
    assert "Cư Né, Ea Tul" in sheet.caption or "Ea Tul, Cư Né" in sheet.caption
    one = await loa.officers.command(actor(OFFICER), "export", "csv Cư Né", clock.now())
    (only,) = one.attachments
    assert len(list(csv.reader(io.StringIO(only.content.decode("utf-8-sig"))))) == 2
    other = await loa.officers.command(actor(OFFICER), "export", "csv Ea Kiết", clock.now())
    assert other.attachments == ()
    assert other.reply is not None
    assert "không" in other.reply.text.lower()


async def test_statistics_and_statuses_cover_the_officers_communes(
    loa: Loa, clock: FixedClock
) -> None:
    await _two_communes(loa, clock)
    stats = await loa.officers.command(actor(OFFICER), "stats", "", clock.now())
    assert stats.reply is not None
    assert "Ea Tul" in stats.reply.text
    assert "Cư Né" in stats.reply.text
    (chart,) = stats.attachments
    assert chart.photo
    assert chart.content.startswith(b"\x89PNG")
    listing = await loa.store.registrations.listing()
    ids = {r.full_name: r.id for r in listing}
    for name, allowed in (("Trần Văn Hùng", True), ("Lê Thị Mai", False)):
        payload = f"off:status:{ids[name]}:contacted"
        await loa.officers.button(actor(OFFICER), payload, clock.now())
        found = await loa.store.registrations.get(ids[name])
        assert found is not None
        assert (found.status.value == "contacted") is allowed


async def test_a_list_of_an_officer_of_two_communes_needs_the_commune_column(
    loa: Loa, clock: FixedClock, tmp_path: Path
) -> None:
    await _two_communes(loa, clock)
    path = tmp_path / "ds.csv"
    path.write_text(
        HEADER
        + "Nguyễn Văn Ba,05/03/1958,0123456789,0905 123 456,Thôn 3,Cư Né,02/12/2026\n"
        + "Trần Thị Tư,07/08/1970,0123456780,0905 123 457,Thôn 1,,02/01/2027\n"
        + "Lê Văn Năm,07/08/1971,0123456781,0905 123 458,Thôn 2,Ea Kiết,02/01/2027\n",
        encoding="utf-8",
    )
    answer = await loa.officers.import_file(actor(OFFICER), path, "ds.csv", clock.now())
    assert answer.reply is not None
    text = answer.reply.text
    assert "Dòng chưa ghi xã; bạn phụ trách nhiều xã" in text
    assert "không thuộc xã của bạn" in text
    assert await loa.store.residents.count() == 1
    assert await loa.store.officers.get(Account("telegram", str(OFFICER))) is not None
