-- An officer's broadcast being written step by step (/broadcast): one draft per officer, so a
-- restart in the middle of the flow keeps their place. Drafts untouched for a day are ignored
-- and removed. `token` is written into the draft's buttons: a button of an older draft (or of
-- someone else's) no longer matches.
CREATE TABLE broadcast_drafts (
    user_id     INTEGER PRIMARY KEY,
    token       TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    step        TEXT NOT NULL CHECK (step IN ('communes', 'audience', 'audience_text',
                'message', 'preview', 'when', 'when_text', 'confirm')),
    audience    TEXT NOT NULL DEFAULT '',   -- the audience in the text syntax (audience.py)
    template    TEXT NOT NULL DEFAULT '',   -- the checked message template, '' until typed
    send_at     TEXT,                       -- the chosen start (UTC ISO); NULL = now
    urgent      INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX broadcast_drafts_by_update ON broadcast_drafts (updated_at);

-- The villages of a commune, for the audience buttons, without reading the whole registry.
CREATE INDEX residents_by_place ON residents (commune_key, village_key, village);
