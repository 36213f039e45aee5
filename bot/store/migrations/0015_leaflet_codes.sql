-- Leaflet codes: the opaque token in a village leaflet's QR code (`/start l-…`) that tells
-- Loa which commune and village a resident who scans it lives in. A code holds no name,
-- phone or id; it is kept as typed (it is printed on paper, not a secret). One live code per
-- village: printing again reuses it; a revoked code is kept for the statistics.
CREATE TABLE leaflet_codes (
    code         TEXT PRIMARY KEY,
    commune_key  TEXT NOT NULL,
    commune      TEXT NOT NULL,
    village_key  TEXT NOT NULL,
    village      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX leaflet_codes_live ON leaflet_codes (commune_key, village_key)
    WHERE revoked_at IS NULL;
