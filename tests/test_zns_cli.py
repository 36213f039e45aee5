"""`loa zns check`: one line with the OA's quota left today, or one line and exit 2."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store
from tests.fakes.zns_server import QUOTA, TOKEN, FakeZns


@pytest.fixture
def server() -> Iterator[FakeZns]:
    """A fake ZNS server on its own event loop in a thread (`loa` runs its own loop)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeZns(daily_quota=2000)
    asyncio.run_coroutine_threadsafe(fake.__aenter__(), loop).result(timeout=10)
    yield fake
    asyncio.run_coroutine_threadsafe(fake.__aexit__(None, None, None), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


@pytest.fixture(autouse=True)
def no_stray_log_handlers() -> Iterator[None]:
    """Drop root handlers other tests left on closed streams (`loa` itself adds none here)."""
    root = logging.getLogger()
    kept = root.handlers[:]
    root.handlers = []
    yield
    root.handlers = kept


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FakeZns) -> Path:
    path = tmp_path / "loa.db"
    monkeypatch.setenv("LOA_ENV_FILE", str(_env(tmp_path / ".env")))
    for name, value in {
        "DATABASE_URL": f"sqlite:///{path}",
        "ZNS_APP_ID": server.app_id,
        "ZNS_SECRET_KEY": server.secret_key,
        "ZNS_ACCESS_TOKEN": server.access_token,
        "ZNS_REFRESH_TOKEN": server.refresh_token,
        "ZNS_API_URL": server.url,
        "ZNS_OAUTH_URL": server.url,
        "ZNS_TEMPLATE_ID": "301234",
        "ZNS_TEMPLATE_FIELDS": "ten=name,han_the=expiry",
    }.items():
        monkeypatch.setenv(name, value)
    asyncio.run(_create(path))
    return path


async def _create(path: Path) -> None:
    """Create the database as `loa run` would have (so no command says it created one)."""
    store = await Store.open(path)
    await store.close()


def _env(path: Path) -> Path:
    path.write_text("")  # no .env of the checkout's
    return path


def _stored_refresh(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        (token,) = conn.execute("SELECT refresh_token FROM zns_tokens").fetchone()
    return str(token)


def test_check_prints_the_quota_left_in_one_line(
    db: Path, server: FakeZns, capsys: pytest.CaptureFixture[str]
) -> None:
    server.used_today = 766
    assert main(["zns", "check"]) == 0
    out = capsys.readouterr().out
    assert out == "OK: ZNS — hạn mức hôm nay của OA còn 1.234 / 2.000 tin\n"
    assert server.calls == [QUOTA]


def test_check_refreshes_an_expired_token_and_keeps_the_new_one(
    db: Path, server: FakeZns, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.expire_access()
    assert main(["zns", "check"]) == 0
    assert server.calls == [QUOTA, TOKEN, QUOTA]
    assert _stored_refresh(db) == server.refresh_token
    server.expire_access()  # the settings' refresh token is spent: the stored one is used
    assert main(["zns", "check"]) == 0
    assert server.calls.count(TOKEN) == 2
    assert capsys.readouterr().out.count("OK: ZNS") == 2
    for secret in (server.refresh_token, server.access_token):
        assert secret not in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["ZNS_APP_ID", "ZNS_REFRESH_TOKEN", "ZNS_TEMPLATE_FIELDS"])
def test_missing_settings_say_which_in_one_line_and_exit_2(
    db: Path,
    server: FakeZns,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: str,
) -> None:
    monkeypatch.delenv(missing)
    assert main(["zns", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"loa: {missing} is not set")
    assert err.count("\n") == 1
    assert server.calls == []


def test_an_unknown_template_field_is_refused_in_one_line(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZNS_TEMPLATE_FIELDS", "ten=name,tien=amount")
    assert main(["zns", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("loa: ZNS_TEMPLATE_FIELDS: 'amount' is not a Loa field")
    assert err.count("\n") == 1


def test_a_refused_refresh_token_says_to_authorise_again_and_new_tokens_replace_it(
    db: Path, server: FakeZns, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZNS_REFRESH_TOKEN", "a-refresh-token-the-oa-never-gave")
    server.expire_access()
    assert main(["zns", "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("loa: ZNS: the refresh token was refused")
    assert "--new-tokens" in err
    assert err.count("\n") == 1
    monkeypatch.setenv("ZNS_REFRESH_TOKEN", server.refresh_token)  # authorised again
    assert main(["zns", "check"]) == 2  # the store keeps the bad one without --new-tokens
    assert main(["zns", "check", "--new-tokens"]) == 0
    assert _stored_refresh(db) == server.refresh_token


def test_an_api_error_and_an_unreachable_api_exit_2_with_one_line(
    db: Path, server: FakeZns, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.fail_next(QUOTA, error=-201)
    assert main(["zns", "check"]) == 2
    assert capsys.readouterr().err == "loa: ZNS refused the check: error -201: fault\n"
    monkeypatch.setenv("ZNS_API_URL", "http://127.0.0.1:9")  # nothing listens there
    assert main(["zns", "check"]) == 2
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err
    assert "ZNS_API_URL" in err
    assert err.count("\n") == 1
