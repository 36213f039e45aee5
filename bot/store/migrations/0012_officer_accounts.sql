-- Officers become people with accounts on any channel (Telegram, Zalo) and any number of
-- communes: since the 2025 mergers one officer often covers several. Today's officers keep
-- their Telegram account and their commune.
CREATE TABLE officer_people (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    added_by  TEXT NOT NULL,
    added_at  TEXT NOT NULL
);

-- One person, many accounts: ("telegram", "12345"), ("zalo", "a1b2c3").
CREATE TABLE officer_accounts (
    channel      TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    officer_id   INTEGER NOT NULL REFERENCES officer_people (id) ON DELETE CASCADE,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX officer_accounts_by_officer ON officer_accounts (officer_id);

CREATE TABLE officer_communes (
    officer_id   INTEGER NOT NULL REFERENCES officer_people (id) ON DELETE CASCADE,
    commune_key  TEXT NOT NULL,
    commune      TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (officer_id, commune_key)
);
CREATE INDEX officer_communes_by_commune ON officer_communes (commune_key);

INSERT INTO officer_people (id, name, added_by, added_at)
    SELECT ROW_NUMBER() OVER (ORDER BY telegram_id), name, added_by, added_at FROM officers;
INSERT INTO officer_accounts (channel, external_id, officer_id, added_at)
    SELECT 'telegram', CAST(telegram_id AS TEXT), ROW_NUMBER() OVER (ORDER BY telegram_id),
           added_at
    FROM officers;
INSERT INTO officer_communes (officer_id, commune_key, commune, added_by, added_at)
    SELECT ROW_NUMBER() OVER (ORDER BY telegram_id), commune_key, commune, added_by, added_at
    FROM officers;
DROP TABLE officers;

-- An invitation is redeemed by an account (`telegram:123`); one made by an officer for
-- themselves (`for_officer`) adds another app to that officer instead of a commune.
CREATE TABLE officer_invites_new (
    code_hash    TEXT PRIMARY KEY,
    commune      TEXT NOT NULL DEFAULT '',
    commune_key  TEXT NOT NULL DEFAULT '',
    for_officer  INTEGER REFERENCES officer_people (id) ON DELETE CASCADE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_by      TEXT,
    used_at      TEXT,
    CHECK (commune_key != '' OR for_officer IS NOT NULL)
);
INSERT INTO officer_invites_new (code_hash, commune, commune_key, created_by, created_at,
                                 expires_at, used_by, used_at)
    SELECT code_hash, commune, commune_key, created_by, created_at, expires_at,
           CASE WHEN used_by IS NULL THEN NULL ELSE 'telegram:' || used_by END, used_at
    FROM officer_invites;
DROP TABLE officer_invites;
ALTER TABLE officer_invites_new RENAME TO officer_invites;

-- Broadcast drafts belong to an account, not to a Telegram id.
CREATE TABLE broadcast_drafts_new (
    actor       TEXT PRIMARY KEY,
    token       TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('communes', 'audience', 'audience_text',
                'message', 'preview', 'when', 'when_text', 'confirm')),
    audience    TEXT NOT NULL DEFAULT '',
    template    TEXT NOT NULL DEFAULT '',
    send_at     TEXT,
    urgent      INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
INSERT INTO broadcast_drafts_new
    SELECT 'telegram:' || user_id, token, chat_id, step, audience, template, send_at, urgent,
           created_at, updated_at
    FROM broadcast_drafts;
DROP TABLE broadcast_drafts;
ALTER TABLE broadcast_drafts_new RENAME TO broadcast_drafts;
CREATE INDEX broadcast_drafts_by_update ON broadcast_drafts (updated_at);

-- On a channel without buttons (Zalo) an officer answers a numbered list by typing its
-- number: the payloads of the last list shown in each chat, kept for a day.
CREATE TABLE officer_choices (
    channel   TEXT NOT NULL,
    chat_id   TEXT NOT NULL,
    payloads  TEXT NOT NULL,   -- JSON array of button payloads, in the order shown
    labels    TEXT NOT NULL,   -- JSON array of their labels
    shown_at  TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
);

-- Where a broadcast's end report goes, as an account (`telegram:-100…`).
UPDATE broadcasts SET notify_chat = 'telegram:' || notify_chat
    WHERE notify_chat != '' AND instr(notify_chat, ':') = 0;

-- A commune's notice chat is a Telegram group today (Zalo has no groups yet).
ALTER TABLE commune_chats ADD COLUMN channel TEXT NOT NULL DEFAULT 'telegram';
