-- Where a contact lives, however it became known: a leaflet's code, the resident's own
-- answer, a registration or a linked registry card. Places keep the display form and a
-- matching key (place_key); '' is "not known". /xoa deletes the row.
CREATE TABLE contact_places (
    contact_id   INTEGER PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    commune      TEXT NOT NULL,
    commune_key  TEXT NOT NULL,
    village      TEXT NOT NULL DEFAULT '',
    village_key  TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL CHECK (source IN ('leaflet', 'answer', 'registration', 'card')),
    set_at       TEXT NOT NULL
);
CREATE INDEX contact_places_by_commune ON contact_places (commune_key, village_key);

-- Contacts already known through a linked card (the latest card), else their latest
-- registration.
INSERT INTO contact_places (contact_id, commune, commune_key, village, village_key, source, set_at)
SELECT r.contact_id, r.commune, r.commune_key, r.village, r.village_key, 'card', r.updated_at
FROM residents r
WHERE r.contact_id IS NOT NULL AND r.commune_key <> ''
  AND r.id = (SELECT r2.id FROM residents r2 WHERE r2.contact_id = r.contact_id
              AND r2.commune_key <> '' ORDER BY r2.expiry_date DESC, r2.id LIMIT 1);

INSERT OR IGNORE INTO contact_places
    (contact_id, commune, commune_key, village, village_key, source, set_at)
SELECT g.contact_id, g.commune, g.commune_key, g.village, g.village_key, 'registration',
       g.updated_at
FROM registrations g
WHERE g.contact_id IS NOT NULL AND g.erased_at IS NULL AND g.commune_key <> ''
  AND g.id = (SELECT MAX(g2.id) FROM registrations g2 WHERE g2.contact_id = g.contact_id
              AND g2.erased_at IS NULL AND g2.commune_key <> '');

-- The place question groups the registry by place: this index covers it (~3 times faster).
CREATE INDEX residents_by_place_names ON residents (commune_key, village_key, commune, village);
