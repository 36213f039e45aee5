-- Residents who asked to be called back ("Đăng ký tư vấn"), given with their consent.
-- Phones are E.164; places keep the typed display form and a matching key (place_key).
-- An erased registration keeps only anonymous facts (interest, commune, status, dates).
CREATE TABLE registrations (
    id                INTEGER PRIMARY KEY,
    contact_id        INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    interest          TEXT NOT NULL
                      CHECK (interest IN ('household', 'voluntary', 'student', 'sponsor', 'other')),
    full_name         TEXT NOT NULL,
    phone             TEXT NOT NULL,
    commune           TEXT NOT NULL,
    commune_key       TEXT NOT NULL,
    village           TEXT NOT NULL,
    village_key       TEXT NOT NULL,
    household_size    INTEGER,
    call_time         TEXT NOT NULL CHECK (call_time IN ('morning', 'afternoon', 'evening', 'any')),
    status            TEXT NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'contacted', 'joined', 'declined')),
    consent_at        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    status_changed_at TEXT,
    erased_at         TEXT
);
CREATE INDEX registrations_by_phone ON registrations (phone, interest, updated_at)
    WHERE erased_at IS NULL;
CREATE INDEX registrations_by_contact ON registrations (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX registrations_by_commune ON registrations (commune_key, created_at);

-- What happened to a registration: created, merged (a duplicate within 30 days), status.
CREATE TABLE registration_events (
    id              INTEGER PRIMARY KEY,
    registration_id INTEGER NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX registration_events_by_registration ON registration_events (registration_id);

-- Officers: Telegram users who follow up the registrations of one commune.
CREATE TABLE officers (
    telegram_id  INTEGER PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL,
    commune_key  TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL
);

-- One-time invitations for an officer of a commune; only a hash of the code is kept.
CREATE TABLE officer_invites (
    code_hash    TEXT PRIMARY KEY,
    commune      TEXT NOT NULL,
    commune_key  TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_by      INTEGER,
    used_at      TEXT
);

-- The Telegram chat where a commune's new registrations are posted.
CREATE TABLE commune_chats (
    commune_key  TEXT PRIMARY KEY,
    commune      TEXT NOT NULL,
    chat_id      TEXT NOT NULL,
    set_at       TEXT NOT NULL
);

-- Every officer action and every refused attempt: who, what, when.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- People who asked Loa to erase their data (/xoa). Their profile name is never kept again:
-- the trigger blanks it whenever a later message would store it.
CREATE TABLE erasures (
    contact_id  INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    erased_at   TEXT NOT NULL
);
CREATE TRIGGER erased_contacts_stay_nameless AFTER UPDATE OF display_name ON contacts
WHEN NEW.display_name <> '' AND EXISTS (SELECT 1 FROM erasures WHERE contact_id = NEW.id)
BEGIN
    UPDATE contacts SET display_name = '' WHERE id = NEW.id;
END;
