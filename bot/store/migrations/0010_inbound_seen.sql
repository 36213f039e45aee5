-- Message ids a channel has already handled, so a redelivered message (a webhook retry, even
-- across a restart) is answered once. Rows older than a few days are removed as new ones come.
CREATE TABLE inbound_seen (
    channel     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (channel, message_id)
) WITHOUT ROWID;
CREATE INDEX inbound_seen_by_time ON inbound_seen (seen_at);
