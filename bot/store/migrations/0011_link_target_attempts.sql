-- Failed card-linking attempts per claimed phone or BHXH number and day, from anyone: so
-- many accounts together cannot guess one resident's birth date. The claim is kept only
-- as a SHA-256 digest and only for the day; older rows are deleted as new ones come.
CREATE TABLE link_target_attempts (
    target      TEXT NOT NULL,
    day         TEXT NOT NULL,
    failures    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (target, day)
);
