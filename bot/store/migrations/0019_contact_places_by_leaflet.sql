-- The per-code funnel of /stats (came → registered → linked → renewed) looks contacts up by
-- the leaflet code they came through.
CREATE INDEX contact_places_by_leaflet ON contact_places (leaflet_code) WHERE leaflet_code <> '';
