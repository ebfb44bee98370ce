-- The reporter's tracking number (查询码): twelve symbols of Crockford's base-32 alphabet, drawn at random
-- when the report is filed, so that a citizen can type it and follow the case without signing in, and
-- nobody can count through the numbers to read other people's reports (the ids are sequential).
-- Incidents filed before this have none: their reporters never got one.
ALTER TABLE incident
    ADD COLUMN tracking_number text CHECK (tracking_number ~ '^[0-9A-HJKMNP-TV-Z]{12}$');
CREATE UNIQUE INDEX incident_tracking_number ON incident (tracking_number) WHERE tracking_number IS NOT NULL;
