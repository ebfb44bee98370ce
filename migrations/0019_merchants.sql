-- 门前三包: every shop (商户) pledges the three guarantees for its frontage — sanitation, order and
-- greenery — has a named person who checks it (包户到人) and is inspected every day (每日巡查).
-- Owned by internal/merchants. Like every post, nothing here is deleted or edited away: a shop is
-- closed or moved with a date, a pledge is renewed by a new pledge, an inspector is relieved by ending
-- their range, and a mistaken row is voided with a reason and stays on record.

CREATE TABLE merchant (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The natural key of the register it came from, so a second import updates in place:
    -- 'uscc:<统一社会信用代码>', 'osm:node/123', or '<source>:<its own key>'.
    source_key      text UNIQUE CHECK (source_key <> '' AND length(source_key) <= 200),
    name            text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    -- 统一社会信用代码 (GB 32100-2015): 18 characters; the check digit is verified in Go.
    licence_no      text UNIQUE CHECK (licence_no ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    business_type   text NOT NULL DEFAULT '' CHECK (length(business_type) <= 100),
    address         text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    -- Personal data: answered only in the caller's scope, never in public tiles or answers.
    contact_name    text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 100),
    contact_phone   text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    location        geometry(Point, 4326) NOT NULL,
    -- The stretch of pavement the pledge covers: a line along the shop front or a polygon.
    frontage        geometry(Geometry, 4326),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'moved')),
    status_since    date NOT NULL DEFAULT (now() AT TIME ZONE 'Asia/Shanghai')::date,
    subdistrict_id  bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    community_id    bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    attributes      jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT merchant_location_srid CHECK (ST_SRID(location) = 4326),
    CONSTRAINT merchant_frontage_shape CHECK (frontage IS NULL OR (ST_SRID(frontage) = 4326
        AND GeometryType(frontage) IN ('LINESTRING', 'MULTILINESTRING', 'POLYGON', 'MULTIPOLYGON')
        AND ST_IsValid(frontage) AND NOT ST_IsEmpty(frontage)))
);
CREATE INDEX merchant_location_gist ON merchant USING gist (location);
CREATE INDEX merchant_frontage_gist ON merchant USING gist (frontage) WHERE frontage IS NOT NULL;
CREATE INDEX merchant_community ON merchant (community_id);
CREATE INDEX merchant_subdistrict ON merchant (subdistrict_id);

-- A shop belongs to the community its point lies strictly inside (a point on a boundary belongs to
-- neither unit it touches, as admin_unit_by_largest_overlap rules since 0012).
CREATE FUNCTION merchant_locate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.community_id := admin_unit_by_largest_overlap(NEW.location, 'community');
    IF NEW.community_id IS NOT NULL THEN
        SELECT parent_id INTO NEW.subdistrict_id FROM admin_unit WHERE id = NEW.community_id;
    ELSE
        NEW.subdistrict_id := admin_unit_by_largest_overlap(NEW.location, 'subdistrict');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER merchant_locate_on_insert BEFORE INSERT ON merchant
    FOR EACH ROW EXECUTE FUNCTION merchant_locate();
CREATE TRIGGER merchant_locate_on_move BEFORE UPDATE OF location ON merchant
    FOR EACH ROW WHEN (NOT ST_Equals(OLD.location, NEW.location)) EXECUTE FUNCTION merchant_locate();

-- When a boundary moves, the shops it touched or touches now are located again.
CREATE FUNCTION admin_unit_relocate_merchants() RETURNS trigger LANGUAGE plpgsql AS $$
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
    UPDATE merchant m
       SET community_id = admin_unit_by_largest_overlap(m.location, 'community'),
           subdistrict_id = COALESCE(
               (SELECT parent_id FROM admin_unit WHERE id = admin_unit_by_largest_overlap(m.location, 'community')),
               admin_unit_by_largest_overlap(m.location, 'subdistrict'))
     WHERE m.location && region;
    RETURN NULL;
END $$;

CREATE TRIGGER admin_unit_relocate_merchants_on_change
    AFTER INSERT OR DELETE OR UPDATE OF boundary, level, parent_id ON admin_unit
    FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION admin_unit_relocate_merchants();

-- Photos of pledges, inspections, vendors and sightings, stored once by content.
CREATE TABLE merchant_photo (
    sha256        bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    width         integer NOT NULL DEFAULT 0,
    height        integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- 门前三包责任书: signed on a date for a period, its duties as items, the scan of the signed paper and
-- who witnessed it. A renewal is a new pledge; two standing pledges of one shop never overlap.
CREATE TABLE merchant_pledge (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id        bigint NOT NULL REFERENCES merchant (id) ON DELETE RESTRICT,
    signed_on          date NOT NULL,
    valid              daterange NOT NULL CHECK (NOT lower_inf(valid) AND NOT isempty(valid)),
    items              text[] NOT NULL DEFAULT '{sanitation,order,greenery}'
                           CHECK (items <> '{}' AND items <@ '{sanitation,order,greenery}'),
    signer_name        text NOT NULL DEFAULT '' CHECK (length(signer_name) <= 100),
    witness_person_id  bigint REFERENCES person (id) ON DELETE RESTRICT,
    scan_sha256        bytea REFERENCES merchant_photo (sha256) ON DELETE RESTRICT,
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_user_id bigint REFERENCES app_user (id) ON DELETE SET NULL,
    voided_at          timestamptz,
    voided_by_user_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    void_reason        text CHECK (length(void_reason) <= 500),
    CONSTRAINT merchant_pledge_void_complete CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT merchant_pledge_signed_first CHECK (signed_on <= lower(valid)),
    CONSTRAINT merchant_pledge_no_overlap EXCLUDE USING gist (merchant_id WITH =, valid WITH &&)
        WHERE (voided_at IS NULL)
);
CREATE INDEX merchant_pledge_merchant ON merchant_pledge (merchant_id);

-- 包户到人: the person who checks a shop, over time, by the rules of every post: one primary holder
-- at a time, a range that is ended rather than deleted, a void for a mistake.
CREATE TABLE merchant_inspector (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id        bigint NOT NULL REFERENCES merchant (id) ON DELETE RESTRICT,
    person_id          bigint NOT NULL REFERENCES person (id) ON DELETE RESTRICT,
    is_primary         boolean NOT NULL DEFAULT true,
    valid              tstzrange NOT NULL CHECK (NOT lower_inf(valid) AND NOT isempty(valid)),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_user_id bigint REFERENCES app_user (id) ON DELETE SET NULL,
    voided_at          timestamptz,
    voided_by_user_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    void_reason        text CHECK (length(void_reason) <= 500),
    CONSTRAINT merchant_inspector_void_complete CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT merchant_inspector_one_primary EXCLUDE USING gist (merchant_id WITH =, valid WITH &&)
        WHERE (is_primary AND voided_at IS NULL)
);
CREATE INDEX merchant_inspector_merchant ON merchant_inspector (merchant_id);
CREATE INDEX merchant_inspector_person ON merchant_inspector (person_id);
CREATE INDEX merchant_inspector_valid ON merchant_inspector USING gist (valid);

-- 每日巡查: one check of one shop. Sent from the field, perhaps long after (an offline phone sends its
-- queue later), so `at` is when it was done and received_at when it arrived; the idempotency key makes a
-- resend the same record. A check-in far from the shop is kept and flagged off-site, never dropped.
-- Two checks of one shop by one person on one Beijing day are one visit (visit_day).
CREATE TABLE merchant_inspection (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id         bigint NOT NULL REFERENCES merchant (id) ON DELETE RESTRICT,
    inspector_person_id bigint REFERENCES person (id) ON DELETE RESTRICT,
    user_id             bigint REFERENCES app_user (id) ON DELETE SET NULL,
    at                  timestamptz NOT NULL,
    visit_day           date NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    position            geometry(Point, 4326) NOT NULL,
    accuracy_m          real NOT NULL CHECK (accuracy_m >= 0),
    -- Metres from the shop's point or frontage, whichever is nearer, and the limit it was judged by.
    distance_m          real NOT NULL CHECK (distance_m >= 0),
    off_site_limit_m    real NOT NULL CHECK (off_site_limit_m > 0),
    off_site            boolean NOT NULL,
    -- One entry per pledge item: {"item": "sanitation", "ok": true} or
    -- {"item": "order", "ok": false, "category": "<incident category code>"}.
    results             jsonb NOT NULL CHECK (jsonb_typeof(results) = 'array' AND jsonb_array_length(results) > 0),
    violations          smallint NOT NULL CHECK (violations >= 0),
    -- The shopkeeper refused to correct a violation (屡教不改 at once).
    refused             boolean NOT NULL DEFAULT false,
    note                text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    photo_sha256        bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    idempotency_key     text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    voided_at           timestamptz,
    voided_by_user_id   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    void_reason         text CHECK (length(void_reason) <= 500),
    CONSTRAINT merchant_inspection_position_srid CHECK (ST_SRID(position) = 4326),
    CONSTRAINT merchant_inspection_void_complete CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT merchant_inspection_off_site_rule CHECK (off_site = (distance_m > off_site_limit_m)),
    CONSTRAINT merchant_inspection_idempotent UNIQUE (user_id, idempotency_key)
);
CREATE INDEX merchant_inspection_merchant_at ON merchant_inspection (merchant_id, at DESC);
CREATE INDEX merchant_inspection_day ON merchant_inspection (visit_day, merchant_id);
CREATE INDEX merchant_inspection_person_day ON merchant_inspection (inspector_person_id, visit_day);
