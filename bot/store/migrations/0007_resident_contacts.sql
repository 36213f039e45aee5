-- Every chat a resident linked from (Telegram, Zalo…): one person reached on two apps.
-- residents.contact_id stays the last linked chat; the planner sends each reminder once, to
-- the linked chat that wrote most recently.
CREATE TABLE resident_contacts (
    resident_id  INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    contact_id   INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    linked_at    TEXT NOT NULL,
    PRIMARY KEY (resident_id, contact_id)
);
CREATE INDEX resident_contacts_by_contact ON resident_contacts (contact_id);

INSERT INTO resident_contacts (resident_id, contact_id, linked_at)
SELECT id, contact_id, updated_at FROM residents WHERE contact_id IS NOT NULL;
