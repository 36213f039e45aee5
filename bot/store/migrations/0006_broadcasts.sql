-- Broadcasts: an officer's campaign message, its audience and schedule, and where it got to.
-- Each recipient becomes one outbox row with dedupe key 'broadcast:{id}:{contact_id}', so the
-- outbox itself is the per-recipient record and the report is counted from it.
CREATE TABLE broadcasts (
    id           INTEGER PRIMARY KEY,
    created_by   TEXT NOT NULL,
    communes     TEXT NOT NULL,              -- JSON list of commune keys; '*' = every commune
    audience     TEXT NOT NULL,              -- the audience in the text syntax (audience.py)
    template     TEXT NOT NULL,
    urgent       INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    status       TEXT NOT NULL
                 CHECK (status IN ('scheduled', 'running', 'paused', 'done', 'cancelled')),
    start_at     TEXT NOT NULL,
    cursor       INTEGER NOT NULL DEFAULT 0,  -- the last contact id resolved
    resolved     INTEGER NOT NULL DEFAULT 0 CHECK (resolved IN (0, 1)),
    enqueued     INTEGER NOT NULL DEFAULT 0,
    capped       INTEGER NOT NULL DEFAULT 0,
    left_out     INTEGER NOT NULL DEFAULT 0,
    notify_chat  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    started_at   TEXT,
    finished_at  TEXT
);
CREATE INDEX broadcasts_by_status ON broadcasts (status, start_at);
