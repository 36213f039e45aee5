-- Residents from the communes' lists (source 'import') or typed by themselves ('self').
-- Dates are ISO YYYY-MM-DD text; timestamps UTC ISO text.
CREATE TABLE residents (
    id                INTEGER PRIMARY KEY,
    full_name         TEXT NOT NULL,
    birth_date        TEXT,
    birth_year        INTEGER,
    bhxh_number       TEXT UNIQUE,
    card_code         TEXT,
    id_number         TEXT UNIQUE,
    phone             TEXT,
    commune           TEXT NOT NULL DEFAULT '',
    commune_key       TEXT NOT NULL DEFAULT '',
    village           TEXT NOT NULL DEFAULT '',
    village_key       TEXT NOT NULL DEFAULT '',
    household_code    TEXT,
    gender            TEXT,
    expiry_date       TEXT NOT NULL,
    contact_id        INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    source            TEXT NOT NULL CHECK (source IN ('import', 'self')),
    reminders_enabled INTEGER NOT NULL DEFAULT 1 CHECK (reminders_enabled IN (0, 1)),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (source = 'self' OR bhxh_number IS NOT NULL OR id_number IS NOT NULL)
);
CREATE INDEX residents_by_phone ON residents (phone) WHERE phone IS NOT NULL;
CREATE INDEX residents_by_contact ON residents (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX residents_by_expiry ON residents (expiry_date);

-- A card renewed: a later list moved the resident's expiry date later.
CREATE TABLE renewals (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    old_expiry  TEXT NOT NULL,
    new_expiry  TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX renewals_by_resident ON renewals (resident_id);

-- One row per reminder stage decided for a card (resident, expiry date, offset in days):
-- 'queued' handed to the outbox, or 'cancelled' by a renewal. The unique key makes a stage
-- fire at most once, however often the planner runs. Stages that passed unsent are not
-- stored: the planner only ever offers the latest stage whose day has come.
CREATE TABLE reminders (
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    expiry_date TEXT NOT NULL,
    stage       INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'cancelled')),
    due_on      TEXT NOT NULL,
    not_before  TEXT,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (resident_id, expiry_date, stage)
) WITHOUT ROWID;
