-- The leaflet code a contact came through (a place whose source is 'leaflet'), for the
-- per-code funnel; '' for places known another way.
ALTER TABLE contact_places ADD COLUMN leaflet_code TEXT NOT NULL DEFAULT '';
