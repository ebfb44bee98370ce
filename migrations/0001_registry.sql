-- The registry: administrative units, managed areas, people, departments, who is responsible for what
-- (with full history), and the audit trail. All geometry is SRID 4326 (WGS-84 / CGCS2000 lon/lat).

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Administrative units: city > district > subdistrict (街道) > community (社区 or 村).
CREATE TABLE admin_unit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    level       text   NOT NULL CHECK (level IN ('city', 'district', 'subdistrict', 'community')),
    parent_id   bigint REFERENCES admin_unit (id) ON DELETE RESTRICT,
    code        text   NOT NULL UNIQUE CHECK (code <> ''),
    name        text   NOT NULL CHECK (name <> ''),
    boundary    geometry(MultiPolygon, 4326) NOT NULL,
    attributes  jsonb  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admin_unit_boundary_srid  CHECK (ST_SRID(boundary) = 4326),
    CONSTRAINT admin_unit_boundary_type  CHECK (GeometryType(boundary) = 'MULTIPOLYGON'),
    CONSTRAINT admin_unit_boundary_valid CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
    CONSTRAINT admin_unit_parent_level CHECK ((level IN ('city', 'district')) OR parent_id IS NOT NULL)
);
CREATE INDEX admin_unit_boundary_gist ON admin_unit USING gist (boundary);
CREATE INDEX admin_unit_parent ON admin_unit (parent_id);
CREATE INDEX admin_unit_level ON admin_unit (level);

-- Managed public spaces. Every one of them must end up with someone responsible.
CREATE TABLE area (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text   NOT NULL CHECK (kind IN ('main_road', 'secondary_road', 'back_lane',
                        'residential_compound', 'farmers_market', 'night_market', 'commercial_street',
                        'park', 'square', 'river')),
    name            text   NOT NULL CHECK (name <> ''),
    geom            geometry(MultiPolygon, 4326) NOT NULL,
    centreline      geometry(MultiLineString, 4326),
    attributes      jsonb  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    subdistrict_id  bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    community_id    bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT area_geom_srid  CHECK (ST_SRID(geom) = 4326),
    CONSTRAINT area_geom_type  CHECK (GeometryType(geom) = 'MULTIPOLYGON'),
    CONSTRAINT area_geom_valid CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    CONSTRAINT area_centreline_valid CHECK (centreline IS NULL OR
        (ST_SRID(centreline) = 4326 AND ST_IsValid(centreline) AND NOT ST_IsEmpty(centreline)))
);
CREATE INDEX area_geom_gist ON area USING gist (geom);
CREATE INDEX area_kind ON area (kind);
CREATE INDEX area_subdistrict ON area (subdistrict_id);
CREATE INDEX area_community ON area (community_id);

-- The admin unit of the given level that overlaps g the most. Most areas lie inside one unit, so the
-- expensive intersection is computed only when several units touch g.
CREATE FUNCTION admin_unit_by_largest_overlap(g geometry, want_level text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    candidates bigint[];
BEGIN
    SELECT array_agg(u.id) INTO candidates
      FROM admin_unit u
     WHERE u.level = want_level AND u.boundary && g AND ST_Intersects(u.boundary, g);
    IF candidates IS NULL THEN
        RETURN NULL;
    END IF;
    IF array_length(candidates, 1) = 1 THEN
        RETURN candidates[1];
    END IF;
    RETURN (SELECT u.id FROM admin_unit u WHERE u.id = ANY (candidates)
             ORDER BY ST_Area(ST_Intersection(u.boundary, g)) DESC, u.id LIMIT 1);
END $$;

CREATE FUNCTION area_locate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.community_id := admin_unit_by_largest_overlap(NEW.geom, 'community');
    IF NEW.community_id IS NOT NULL THEN
        SELECT parent_id INTO NEW.subdistrict_id FROM admin_unit WHERE id = NEW.community_id;
    ELSE
        NEW.subdistrict_id := admin_unit_by_largest_overlap(NEW.geom, 'subdistrict');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER area_locate_on_insert BEFORE INSERT ON area
    FOR EACH ROW EXECUTE FUNCTION area_locate();
CREATE TRIGGER area_locate_on_move BEFORE UPDATE OF geom ON area
    FOR EACH ROW WHEN (NOT ST_Equals(OLD.geom, NEW.geom)) EXECUTE FUNCTION area_locate();

-- When a subdistrict or community boundary moves (or a unit appears or goes), the areas it touched or
-- touches now are located again, so area.subdistrict_id/community_id never go stale.
CREATE FUNCTION admin_unit_relocate_areas() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    region geometry;
BEGIN
    IF TG_OP = 'INSERT' THEN
        region := NEW.boundary;
    ELSIF TG_OP = 'DELETE' THEN
        region := OLD.boundary;
    ELSE
        region := ST_Collect(OLD.boundary, NEW.boundary);
    END IF;
    UPDATE area a
       SET community_id = admin_unit_by_largest_overlap(a.geom, 'community'),
           subdistrict_id = COALESCE(
               (SELECT parent_id FROM admin_unit WHERE id = admin_unit_by_largest_overlap(a.geom, 'community')),
               admin_unit_by_largest_overlap(a.geom, 'subdistrict'))
     WHERE a.geom && region;
    RETURN NULL;
END $$;

CREATE TRIGGER admin_unit_relocate_on_change
    AFTER INSERT OR DELETE OR UPDATE OF boundary, level, parent_id ON admin_unit
    FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION admin_unit_relocate_areas();

CREATE TABLE person (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (name <> ''),
    phone         text NOT NULL DEFAULT '',
    organisation  text NOT NULL DEFAULT '',
    active        boolean NOT NULL DEFAULT true,
    attributes    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_name ON person (name);

-- The enforcement departments a street chief coordinates in joint enforcement.
CREATE TABLE department (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code  text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name  text NOT NULL UNIQUE CHECK (name <> '')
);
INSERT INTO department (code, name) VALUES
    ('urban_management', '城管执法'),
    ('market_regulation', '市场监管(工商)'),
    ('food_drug', '食药监'),
    ('environment', '环保'),
    ('public_security', '公安'),
    ('water', '水利'),
    ('culture', '文广新'),
    ('traffic_police', '交警'),
    ('fire', '消防');

-- Who is responsible for what, and when. The target is an area or an admin unit. History is never
-- overwritten: a handover closes the old range and opens a new one.
CREATE TABLE assignment (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id         bigint REFERENCES area (id) ON DELETE CASCADE,
    admin_unit_id   bigint REFERENCES admin_unit (id) ON DELETE CASCADE,
    person_id       bigint NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    role            text   NOT NULL CHECK (role IN ('street_chief', 'lane_chief', 'area_manager',
                        'department_liaison', 'inspector', 'deputy', 'volunteer')),
    department_id   bigint REFERENCES department (id) ON DELETE RESTRICT,
    is_primary      boolean NOT NULL DEFAULT true,
    valid           tstzrange NOT NULL,
    note            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT assignment_one_target CHECK ((area_id IS NULL) <> (admin_unit_id IS NULL)),
    CONSTRAINT assignment_valid_starts CHECK (NOT lower_inf(valid) AND NOT isempty(valid)),
    CONSTRAINT assignment_liaison_department CHECK ((role = 'department_liaison') = (department_id IS NOT NULL)),
    CONSTRAINT assignment_no_overlapping_primary EXCLUDE USING gist (
        (COALESCE(area_id, 0)) WITH =,
        (COALESCE(admin_unit_id, 0)) WITH =,
        role WITH =,
        (COALESCE(department_id, 0)) WITH =,
        valid WITH &&
    ) WHERE (is_primary)
);
CREATE INDEX assignment_area ON assignment (area_id) WHERE area_id IS NOT NULL;
CREATE INDEX assignment_admin_unit ON assignment (admin_unit_id) WHERE admin_unit_id IS NOT NULL;
CREATE INDEX assignment_person ON assignment (person_id);
CREATE INDEX assignment_valid ON assignment USING gist (valid);

-- Every mutation, written in the transaction that makes it.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text   NOT NULL,
    user_id      bigint,
    token_id     bigint,
    request_id   text   NOT NULL DEFAULT '',
    action       text   NOT NULL CHECK (action IN ('create', 'update', 'delete', 'end', 'transition', 'import')),
    target_type  text   NOT NULL,
    target_id    bigint,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at DESC);
CREATE INDEX audit_log_at ON audit_log (at DESC);
