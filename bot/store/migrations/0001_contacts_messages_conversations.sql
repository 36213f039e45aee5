-- People who wrote to Loa, one row per channel address (a Telegram chat, a Zalo user…).
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    channel           TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    display_name      TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'vi',
    status            TEXT NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'stopped', 'blocked')),
    source            TEXT NOT NULL DEFAULT 'chat',
    first_seen        TEXT NOT NULL,
    last_seen         TEXT NOT NULL,
    status_changed_at TEXT,
    UNIQUE (channel, external_id)
);

-- Every message in and out, as plain text.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    direction   TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX messages_by_contact ON messages (contact_id, id);

-- Where each person is in a conversation, and the buttons they were last shown.
CREATE TABLE conversations (
    contact_id  INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    flow        TEXT,
    step        TEXT,
    data        TEXT NOT NULL DEFAULT '{}',
    buttons     TEXT NOT NULL DEFAULT '[]',
    updated_at  TEXT NOT NULL
);
