-- Files sent by link where a channel cannot carry them (Zalo: the /stats chart, exports):
-- the bytes, what to call them, who they were made for and until when the link works.
-- Links are looked up by the SHA-256 digest of their token; the token itself is not kept.
CREATE TABLE file_links (
    token_digest  TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    content       BLOB NOT NULL,
    for_account   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX file_links_by_expiry ON file_links (expires_at);
