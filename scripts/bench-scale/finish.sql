\set ON_ERROR_STOP on
ALTER TABLE incident ENABLE TRIGGER incident_notify;
DROP TABLE IF EXISTS scale_pick, scale_category;
