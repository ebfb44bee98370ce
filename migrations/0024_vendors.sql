-- 流动摊贩: the mobile vendors a subdistrict registers and assigns to a night market or vendor-guidance
-- zone (临时夜市疏导点: an area of kind night_market), the zone's opening hours, and the sightings lane
-- chiefs record in the field. Owned by internal/merchants. History is kept: a vendor's registration
-- changes by ending its range and starting a new one, a zone's hours by a new row from a date, and
-- a mistaken sighting is voided with a reason. No identity-card number is stored anywhere.

-- A zone's opening hours in Beijing time: the ISO weekdays (1 Monday … 7 Sunday) on which a window
-- opens, and the window; closes before opens crosses midnight, the late hours belonging to the day
-- it opened. A zone may have several windows (weekdays and weekends apart). They apply from a date;
-- changed hours end the old rows and add new ones.
CREATE TABLE vendor_zone_hours (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id            bigint NOT NULL REFERENCES area (id) ON DELETE RESTRICT,
    weekdays           smallint[] NOT NULL CHECK (weekdays <> '{}' AND weekdays <@ '{1,2,3,4,5,6,7}'),
    opens              time NOT NULL,
    closes             time NOT NULL,
    valid              daterange NOT NULL CHECK (NOT lower_inf(valid) AND NOT isempty(valid)),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_user_id bigint REFERENCES app_user (id) ON DELETE SET NULL,
    CONSTRAINT vendor_zone_hours_window CHECK (opens <> closes)
);
CREATE INDEX vendor_zone_hours_area ON vendor_zone_hours (area_id);

-- A registered vendor: who they are and what they sell. The contact is personal data, answered only
-- in the caller's scope.
CREATE TABLE vendor (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (name <> '' AND length(name) <= 100),
    goods              text NOT NULL DEFAULT '' CHECK (length(goods) <= 200),
    contact_name       text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 100),
    contact_phone      text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    photo_sha256       bytea REFERENCES merchant_photo (sha256) ON DELETE RESTRICT,
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_user_id bigint REFERENCES app_user (id) ON DELETE SET NULL
);

-- A vendor's registration over time: active in a zone, suspended, or ended. One range at a time.
CREATE TABLE vendor_registration (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id          bigint NOT NULL REFERENCES vendor (id) ON DELETE RESTRICT,
    zone_area_id       bigint NOT NULL REFERENCES area (id) ON DELETE RESTRICT,
    status             text NOT NULL CHECK (status IN ('active', 'suspended', 'ended')),
    valid              tstzrange NOT NULL CHECK (NOT lower_inf(valid) AND NOT isempty(valid)),
    reason             text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by_user_id bigint REFERENCES app_user (id) ON DELETE SET NULL,
    CONSTRAINT vendor_registration_one_at_a_time EXCLUDE USING gist (vendor_id WITH =, valid WITH &&)
);
CREATE INDEX vendor_registration_zone ON vendor_registration (zone_area_id);

-- A sighting of a vendor, registered (vendor_id) or not, with the verdict it was judged by: inside
-- its zone (or, unregistered, inside some zone) and inside the zone's hours, else outside — and an
-- outside sighting names the 占道经营 incident it became or was added to.
CREATE TABLE vendor_sighting (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    vendor_id           bigint REFERENCES vendor (id) ON DELETE RESTRICT,
    user_id             bigint REFERENCES app_user (id) ON DELETE SET NULL,
    person_id           bigint REFERENCES person (id) ON DELETE RESTRICT,
    at                  timestamptz NOT NULL,
    day                 date NOT NULL,
    received_at         timestamptz NOT NULL DEFAULT now(),
    position            geometry(Point, 4326) NOT NULL,
    accuracy_m          real NOT NULL CHECK (accuracy_m >= 0),
    zone_area_id        bigint REFERENCES area (id) ON DELETE RESTRICT,
    in_zone             boolean NOT NULL,
    in_hours            boolean NOT NULL,
    registered          boolean NOT NULL,
    outside             boolean NOT NULL,
    repeat_offender     boolean NOT NULL DEFAULT false,
    incident_id         bigint REFERENCES incident (id) ON DELETE RESTRICT,
    subdistrict_id      bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    community_id        bigint REFERENCES admin_unit (id) ON DELETE SET NULL,
    note                text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    photo_sha256        bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    idempotency_key     text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_sha256      bytea NOT NULL CHECK (octet_length(request_sha256) = 32),
    voided_at           timestamptz,
    voided_by_user_id   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    void_reason         text CHECK (length(void_reason) <= 500),
    CONSTRAINT vendor_sighting_position_srid CHECK (ST_SRID(position) = 4326),
    CONSTRAINT vendor_sighting_void_complete CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
    CONSTRAINT vendor_sighting_verdict CHECK (outside = NOT (in_zone AND in_hours AND (registered OR vendor_id IS NULL))),
    CONSTRAINT vendor_sighting_incident CHECK (outside OR incident_id IS NULL),
    CONSTRAINT vendor_sighting_idempotent UNIQUE (user_id, idempotency_key)
);
CREATE INDEX vendor_sighting_vendor_at ON vendor_sighting (vendor_id, at DESC);
CREATE INDEX vendor_sighting_day ON vendor_sighting (day);
CREATE INDEX vendor_sighting_position_gist ON vendor_sighting USING gist (position);

-- A sighting belongs to the community where it was seen, by the rule of shops and areas.
CREATE FUNCTION vendor_sighting_locate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.community_id := admin_unit_by_largest_overlap(NEW.position, 'community');
    IF NEW.community_id IS NOT NULL THEN
        SELECT parent_id INTO NEW.subdistrict_id FROM admin_unit WHERE id = NEW.community_id;
    ELSE
        NEW.subdistrict_id := admin_unit_by_largest_overlap(NEW.position, 'subdistrict');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER vendor_sighting_locate_on_insert BEFORE INSERT ON vendor_sighting
    FOR EACH ROW EXECUTE FUNCTION vendor_sighting_locate();
