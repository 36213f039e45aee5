-- Every proactive message (reminders, broadcasts, notices): one row from queued to its end.
-- queued → sending → sent, or failed (last_error says why), or skipped (contact stopped/blocked).
-- A row left in `sending` by a crash goes back to `queued` when the sender starts again.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    text            TEXT NOT NULL,
    buttons         TEXT NOT NULL DEFAULT '[]',
    priority        INTEGER NOT NULL DEFAULT 100,
    status          TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    dedupe_key      TEXT UNIQUE,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT
);
-- Due queued rows, most urgent first.
CREATE INDEX outbox_due ON outbox (priority, next_attempt_at, id) WHERE status = 'queued';
-- Counts by status, the latest failures, and crash recovery of `sending` rows.
CREATE INDEX outbox_by_status ON outbox (status, updated_at);
CREATE INDEX outbox_by_contact ON outbox (contact_id);
