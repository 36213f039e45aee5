-- The Zalo OA's tokens for ZNS: one row. The access token lives about 25 hours (its expiry is
-- NULL when unknown: a token seeded from the settings is used until the API refuses it); the
-- refresh token is single-use and rotates at every refresh, so the newest one is stored, with
-- the access token it came with, in the same transaction, before anything else is done (see
-- bot/store/zns_tokens.py). Kept in the clear: Loa must send them; the database is 0600.
CREATE TABLE zns_tokens (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    access_token       TEXT NOT NULL,
    access_expires_at  TEXT,
    refresh_token      TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
