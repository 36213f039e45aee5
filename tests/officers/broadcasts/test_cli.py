"""`loa broadcast`, `loa broadcasts` and `loa stats` on a seeded database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import SystemClock
from bot.store import OutboxItem, Store
from bot.store.broadcasts import NewBroadcast
from bot.store.outbox import OutboxReason, Outcome
from tests.officers.broadcasts.seed import Person, seed


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a seeded database, used as the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'loa.db'}")

    async def prepare() -> None:
        store = await Store.open(tmp_path / "loa.db")
        people = [
            Person(1, "Nguyễn Thị Lan", "Ea Tul", "Thôn 1", date(2020, 1, 1)),
            Person(2, "Trần Văn Hùng", "Ea Tul", "Thôn 2", date(2099, 1, 1)),
            Person(3, "Lê Văn Ba", "Cư Né", "Thôn 1", date(2020, 1, 1), status="stopped"),
        ]
        await seed(store.db, people, SystemClock().now())
        await store.close()

    asyncio.run(prepare())
    (tmp_path / "msg.txt").write_text("Chào {{ ten }} ở {{ xa }}.", encoding="utf-8")
    return tmp_path


def test_dry_run_previews_without_queueing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["broadcast", "--audience", "xa=*; the=het_han", "--message-file", "msg.txt", "--dry-run"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Sẽ gửi cho: 1 người." in out
    assert "Bỏ qua vì đã dừng nhận tin hoặc chặn bot: 1 người." in out
    assert "Chào Lan ở Ea Tul." in out
    assert main(["broadcasts", "list"]) == 0
    assert capsys.readouterr().out == ""


def test_an_administrator_reaches_chats_whose_commune_is_not_known(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def a_new_chat() -> None:
        store = await Store.open(workdir / "loa.db")
        await store.contacts.touch("telegram", "99", "Mới", SystemClock().now())
        await store.close()

    asyncio.run(a_new_chat())
    everyone = ["broadcast", "--audience", "xa=*", "--message-file", "msg.txt", "--dry-run"]
    assert main(everyone) == 0
    out = capsys.readouterr().out
    assert "Đối tượng: xa=* (mọi xã)" in out
    assert "Sẽ gửi cho: 3 người." in out  # the two of Ea Tul and the new chat
    unknown = ["broadcast", "--audience", "xa=?", "--message-file", "msg.txt", "--dry-run"]
    assert main(unknown) == 0
    out = capsys.readouterr().out
    assert "Đối tượng: xa=? (người chưa rõ xã)" in out
    assert "Sẽ gửi cho: 1 người." in out
    assert "Chào Mới" in out


def test_schedule_list_pause_cancel(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "broadcast",
                "--audience",
                "xa=Ea Tul",
                "--message-file",
                "msg.txt",
                "--at",
                "01/01/2099 09:00",
                "--yes",
            ]
        )
        == 0
    )
    assert "Broadcast 1 scheduled for 09:00 01/01/2099" in capsys.readouterr().out
    assert main(["broadcasts", "pause", "1"]) == 0
    assert "tạm dừng" in capsys.readouterr().out
    assert main(["broadcasts", "cancel", "1"]) == 0
    assert "đã hủy" in capsys.readouterr().out
    assert main(["broadcasts", "list"]) == 0
    assert "cancelled" in capsys.readouterr().out


def test_refuses_past_time_and_bad_template(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "broadcast",
                "--audience",
                "xa=Ea Tul",
                "--message-file",
                "msg.txt",
                "--at",
                "01/01/2020 09:00",
            ]
        )
        == 2
    )
    assert "đã qua" in capsys.readouterr().err
    (workdir / "msg.txt").write_text("{{ ''.__class__ }}", encoding="utf-8")
    assert main(["broadcast", "--audience", "xa=Ea Tul", "--message-file", "msg.txt"]) == 2
    assert "không dùng" in capsys.readouterr().err


def test_stats_prints_a_summary(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Người dân trong danh sách: 3, đã liên kết với bot: 3." in out
    assert "đã dừng nhận tin: 1" in out


def test_outbox_names_the_broadcast_of_a_failed_row(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def fail_one() -> None:
        store = await Store.open(workdir / "loa.db")
        now = SystemClock().now()
        made = await store.broadcasts.create(
            NewBroadcast("admin", None, "xa=*", "{{ ten }}", False, now), now
        )
        await store.outbox.enqueue(
            OutboxItem(1, "broadcast", "", dedupe_key="broadcast:1:1", broadcast_id=made.id), now
        )
        (row,) = (await store.outbox.claim("telegram", now, 10)).rows
        await store.outbox.record(
            [Outcome.failed(row.id, OutboxReason.TEMPLATE, "Không có trường “so_dt”")], now
        )
        await store.close()

    asyncio.run(fail_one())
    assert main(["outbox"]) == 0
    shown = "contact 1 broadcast 1, 1 attempt(s): mẫu tin lỗi khi soạn (Không có trường “so_dt”)"
    assert shown in capsys.readouterr().out


def _ask(answer: str | None) -> Callable[[str], str]:
    """Answer the confirmation question like a person at the terminal (None: end of input)."""

    def ask(question: str) -> str:
        assert "Queue this broadcast to 2 recipient(s)?" in question
        if answer is None:
            raise EOFError
        return answer

    return ask


@pytest.mark.parametrize(("answer", "code"), [("y", 0), ("có", 0), ("n", 1), ("", 1), (None, 1)])
def test_the_operator_confirms_before_anything_is_queued(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str | None,
    code: int,
) -> None:
    monkeypatch.setattr("builtins.input", _ask(answer))
    args = ["broadcast", "--audience", "xa=Ea Tul", "--message-file", "msg.txt"]
    assert main([*args, "--at", "01/01/2099 09:00"]) == code
    out = capsys.readouterr().out
    assert "Sẽ gửi cho" in out or "2" in out  # the preview came first
    assert ("Broadcast 1 scheduled" in out) is (code == 0)
    if answer is None:
        assert "add --yes in scripts" in out
    assert main(["broadcasts", "list"]) == 0
    assert ("scheduled" in capsys.readouterr().out) is (code == 0)


@pytest.mark.parametrize("dry", [True, False])
def test_a_past_time_is_refused_before_the_preview(
    workdir: Path, capsys: pytest.CaptureFixture[str], dry: bool
) -> None:
    args = ["broadcast", "--audience", "xa=Ea Tul", "--message-file", "msg.txt"]
    args += ["--at", "01/01/2020 09:00", *(["--dry-run"] if dry else ["--yes"])]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "--at 01/01/2020 09:00 (Vietnam time) has passed" in captured.err
    assert captured.out == ""  # no preview


def test_a_wrong_audience_is_refused_in_words(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["broadcast", "--audience", "xa=*; quan_tam=vip", "--message-file", "msg.txt"]
    assert main([*args, "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "loa: Nhu cầu “vip” không có; chọn một: household, voluntary," in err
    assert "audience.why" not in err
