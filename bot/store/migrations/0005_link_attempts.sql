-- Failed attempts to link a card by BHXH number / CCCD and date of birth, per person and day:
-- at most five a day, so nobody can probe the list for who is on it.
CREATE TABLE link_attempts (
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (contact_id, day)
);
