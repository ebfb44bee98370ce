-- Before the cases: the places and categories a synthetic case picks from, numbered so that a random
-- number is a join, not a sort. No server listens while the province is generated, so the per-row
-- pg_notify of incident is switched off (make bench-scale switches it back on, finish.sql).
\set ON_ERROR_STOP on
ALTER TABLE incident DISABLE TRIGGER incident_notify;
DROP TABLE IF EXISTS scale_pick, scale_category;
CREATE UNLOGGED TABLE scale_pick AS
SELECT row_number() OVER (ORDER BY id) AS n, id AS area_id, subdistrict_id, community_id, ST_PointOnSurface(geom) AS pt
  FROM area WHERE subdistrict_id IS NOT NULL;
CREATE UNIQUE INDEX ON scale_pick (n);
CREATE UNLOGGED TABLE scale_category AS
SELECT row_number() OVER (ORDER BY code) AS n, code FROM incident_category WHERE retired_at IS NULL;
