-- Areas loaded from an outside source remember which feature they came from ('osm:w123', or a key
-- property of a GeoJSON file), so that importing an updated extract again changes those areas in place —
-- same id, same responsible people, same incidents — instead of adding a second copy of each.
ALTER TABLE area ADD COLUMN source_key text CHECK (source_key <> '');
CREATE UNIQUE INDEX area_source_key ON area (source_key) WHERE source_key IS NOT NULL;
