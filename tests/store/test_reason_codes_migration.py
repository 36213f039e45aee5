"""Migration 0014: reasons stored as free text before it become codes where they are recognized."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, Migration
from tests.store_queries import outbox_rows

BEFORE = [m for m in Migration.discover() if m.version < 14]
STAMP = "2026-11-25T09:00:00+07:00"

# (status, last_error before) → (last_error, last_detail) after
OLD_ROWS = {
    ("skipped", "daily cap"): ("daily_cap", None),
    ("skipped", "stopped"): ("stopped", None),
    ("skipped", "cancelled"): ("cancelled", None),
    ("skipped", "renewed"): ("renewed", None),
    ("skipped", "blocked"): ("blocked", None),
    ("skipped", "blocked: Forbidden: bot was blocked by the user"): (
        "blocked",
        "Forbidden: bot was blocked by the user",
    ),
    ("queued", "rate limited: retry after 3 s"): ("rate_limited", "retry after 3 s"),
    ("queued", "timed out: Timed out"): ("transient", "timed out: Timed out"),
    ("queued", "Bad Gateway"): ("transient", "Bad Gateway"),
    ("queued", "could not prepare: RuntimeError('x')"): ("not_prepared", "RuntimeError('x')"),
    ("queued", "unexpected error: ValueError('boom')"): ("unexpected", "ValueError('boom')"),
    ("failed", "gave up after 5 attempts: Bad Gateway"): ("gave_up", "5 attempts: Bad Gateway"),
    ("failed", "bad request: Message is too long"): (
        "refused",
        "bad request: Message is too long",
    ),
    ("failed", "chat moved to -100123"): ("refused", "chat moved to -100123"),
    ("failed", "zalo 404: user not found"): ("refused", "zalo 404: user not found"),
    ("failed", "proactive messages are off on Zalo (ZALO_PROACTIVE=false)"): (
        "proactive_off",
        "proactive messages are off on Zalo (ZALO_PROACTIVE=false)",
    ),
    ("failed", "mẫu tin lỗi khi soạn: Không có trường “so_dt”"): (
        "template",
        "Không có trường “so_dt”",
    ),
    ("failed", "người nhận không còn trong hệ thống"): ("recipient_gone", None),
    ("failed", "không có đợt gửi số 7"): ("no_broadcast", "không có đợt gửi số 7"),
    ("failed", "something nobody wrote down"): ("something nobody wrote down", None),
    ("sent", None): (None, None),
}


async def test_old_reason_texts_become_codes_and_unknown_ones_stay(db_path: Path) -> None:
    db = await Database.open(db_path, migrations=BEFORE)
    try:
        await db.execute(
            "INSERT INTO contacts (channel, external_id, first_seen, last_seen)"
            " VALUES ('telegram', '1', ?, ?)",
            (STAMP, STAMP),
        )
        await db.executemany(
            "INSERT INTO outbox (contact_id, kind, text, status, last_error, next_attempt_at,"
            " created_at, updated_at) VALUES (1, 'notice', 't', ?, ?, ?, ?, ?)",
            [(status, error, STAMP, STAMP, STAMP) for status, error in OLD_ROWS],
        )
    finally:
        await db.close()
    db = await Database.open(db_path)
    try:
        rows = await outbox_rows(db)
    finally:
        await db.close()
    assert [(row.last_error, row.last_detail) for row in rows] == list(OLD_ROWS.values())
