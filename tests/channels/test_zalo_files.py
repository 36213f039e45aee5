"""Files on Zalo: the shapes a file event may come in, and downloading one within a limit."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo import to_incoming
from bot.channels.zalo_client import (
    ZaloClient,
    ZaloFile,
    ZaloNetworkError,
    parse_file,
    parse_update,
)
from bot.core.officer import FileTooLarge
from bot.core.types import FileRef, Kind
from tests.fakes.zalo_server import FakeZalo

URL = "https://f21-zfcloud.zdn.vn/abc/ds%20H%C3%B2a%20Ph%C3%BA.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API on 127.0.0.1."""
    async with FakeZalo() as fake:
        yield fake


def _event(message: dict[str, Any], event_name: str = "message.file.received") -> dict[str, Any]:
    base = {
        "from": {"id": "u1", "display_name": "Lan"},
        "chat": {"id": "u1", "chat_type": "PRIVATE"},
        "message_id": "m1",
        "date": 1750316131602,
    }
    return {"event_name": event_name, "message": {**base, **message}}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (  # `file` as an object
            {"file": {"url": URL, "name": "ds.xlsx", "size": 2048, "mime_type": XLSX}},
            ZaloFile(URL, "ds.xlsx", XLSX, 2048),
        ),
        (  # `document` as a bare URL, the rest beside it; a size as text
            {"document": URL, "file_name": "ds.csv", "file_size": "512", "mime_type": "text/csv"},
            ZaloFile(URL, "ds.csv", "text/csv", 512),
        ),
        (  # the Official Account shape; its `type` is no MIME type
            {
                "attachments": [
                    {"type": "file", "payload": {"url": URL, "name": "a.xlsx", "size": 9}}
                ]
            },
            ZaloFile(URL, "a.xlsx", "", 9),
        ),
        (  # flat fields
            {"attachment_url": URL, "attachment_name": "b.xlsx"},
            ZaloFile(URL, "b.xlsx", "", None),
        ),
        (  # no name: the URL's last segment, decoded
            {"file": {"url": URL, "size": -5}},
            ZaloFile(URL, "ds Hòa Phú.xlsx", "", None),
        ),
    ],
)
def test_a_file_is_found_in_every_shape_public_clients_use(
    fields: dict[str, Any], expected: ZaloFile
) -> None:
    assert parse_file(fields) == expected


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"file": {"name": "ds.xlsx"}},  # no address
        {"file": {"url": "file:///etc/passwd", "name": "x.csv"}},  # only http(s)
        {"document": "javascript:alert(1)"},
        {"attachments": ["not an object"]},
        {"file": 42, "url": None},
    ],
)
def test_anything_else_is_no_file(fields: dict[str, Any]) -> None:
    assert parse_file(fields) is None


def test_a_file_event_becomes_a_document_with_its_caption() -> None:
    payload = _event({"file": {"url": URL, "name": "ds.xlsx", "size": 2048}, "caption": "xã"})
    update = parse_update({"ok": True, "result": payload})
    assert update is not None
    incoming = to_incoming(update)
    assert incoming is not None
    assert (incoming.kind, incoming.sender_id, incoming.text) == (Kind.DOCUMENT, "u1", "xã")
    assert incoming.file == FileRef(URL, "ds.xlsx", "", 2048)


def test_only_the_configured_events_carry_files(caplog: pytest.LogCaptureFixture) -> None:
    fields = {"file": {"url": URL, "name": "ds.xlsx"}}
    text = parse_update(_event({**fields, "text": "chào"}, "message.text.received"))
    assert text is not None
    assert text.message is not None
    assert text.message.file is None  # a text is a text, whatever else it holds
    custom = frozenset({"message.attachment.received"})
    renamed = _event(fields, "message.attachment.received")
    found = parse_update(renamed, custom)
    assert found is not None
    assert found.message is not None
    assert found.message.file is not None
    with caplog.at_level(logging.INFO, logger="bot.channels.zalo_client"):
        unknown = parse_update(renamed)  # not configured: an unsupported message
    assert unknown is not None
    incoming = to_incoming(unknown)
    assert incoming is not None
    assert incoming.kind is Kind.UNSUPPORTED
    logged = caplog.text
    assert "message.attachment.received" in logged
    assert "file" in logged  # the field names, for the operator to configure
    assert URL not in logged  # never the values


async def test_a_file_is_downloaded_over_http(zalo: FakeZalo, tmp_path: Path) -> None:
    update = zalo.file_update("u1", b"a,b\n1,2\n", "ds.csv")
    url = update["message"]["file"]["url"]
    target = tmp_path / "ds.csv"
    async with ZaloClient(zalo.token, zalo.url) as client:
        await client.download(url, target, 1000)
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert zalo.file_fetches == 1


@pytest.mark.parametrize("announced", [True, False])
async def test_a_file_past_the_limit_is_refused_and_nothing_of_it_is_kept(
    zalo: FakeZalo, tmp_path: Path, announced: bool
) -> None:
    content = b"x" * 300_000
    update = zalo.file_update("u1", content, "big.csv", announce_length=announced)
    target = tmp_path / "big.csv"
    async with ZaloClient(zalo.token, zalo.url) as client:
        with pytest.raises(FileTooLarge) as refused:
            await client.download(update["message"]["file"]["url"], target, 100_000)
    assert refused.value.limit == 100_000
    assert refused.value.size > 100_000
    assert not target.exists()


async def test_a_file_that_cannot_be_fetched_is_a_network_error(
    zalo: FakeZalo, tmp_path: Path
) -> None:
    target = tmp_path / "gone.csv"
    async with ZaloClient(zalo.token, zalo.url) as client:
        with pytest.raises(ZaloNetworkError):
            await client.download(f"{zalo.url}/files/nothing-here", target, 1000)
    assert not target.exists()
