-- 便民服务点: the small public services the city keeps adding — after-school rooms (四点半学校), mothers'
-- rooms (妈妈小屋), rest stops for sanitation workers (环卫工人休息点) and others. Owned by
-- internal/servicepoints.
--
-- A point is never deleted or edited in place: what it is (type, name, place, hours, operator,
-- capacity) is its newest revision, each with a reason; whether it is open is its newest status
-- change by date (opened on / closed on, with a reason). Both histories refuse UPDATE and DELETE.
-- Its subdistrict and community are not stored: the published view derives them from the point
-- by the rule of every located row (admin_unit_by_largest_overlap), so a moved boundary never
-- leaves a point placed by the old one.

-- The kinds of point. An administrator adds kinds and retires them (a retired kind takes no new
-- points and leaves the gap report); a kind is never deleted, since points of it keep their history.
CREATE TABLE service_point_type (
    code            text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh         text NOT NULL CHECK (name_zh <> '' AND length(name_zh) <= 40),
    name_en         text NOT NULL CHECK (name_en <> '' AND length(name_en) <= 60),
    -- How far a residential compound may lie from the nearest open point of the kind before the gap
    -- report lists it (its default: a request may ask for another distance).
    gap_distance_m  integer NOT NULL CHECK (gap_distance_m BETWEEN 50 AND 20000),
    colour          text NOT NULL CHECK (colour ~ '^#[0-9a-f]{6}$'),
    sort_order      integer NOT NULL DEFAULT 100,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    retired_at      timestamptz,
    retired_by      text,
    retire_reason   text CHECK (length(retire_reason) BETWEEN 1 AND 500),
    CONSTRAINT service_point_type_retire_complete CHECK ((retired_at IS NULL) = (retire_reason IS NULL)
        AND (retired_at IS NULL) = (retired_by IS NULL))
);

-- A kind changes only by being retired, once.
CREATE FUNCTION service_point_type_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'service point types are never deleted; retire one instead' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.retired_at IS NOT NULL OR NEW.retired_at IS NULL OR (to_jsonb(NEW) - '{retired_at,retired_by,retire_reason}'::text[])
            IS DISTINCT FROM (to_jsonb(OLD) - '{retired_at,retired_by,retire_reason}'::text[]) THEN
        RAISE EXCEPTION 'a service point type changes only by being retired, once' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER service_point_type_guard BEFORE UPDATE OR DELETE ON service_point_type
    FOR EACH ROW EXECUTE FUNCTION service_point_type_guard();

INSERT INTO service_point_type (code, name_zh, name_en, gap_distance_m, colour, sort_order, created_by) VALUES
    ('after_school', '四点半学校', 'After-school room', 1000, '#2f7bd6', 10, 'migration'),
    ('mothers_room', '妈妈小屋', 'Mothers'' room', 1000, '#d6457a', 20, 'migration'),
    ('sanitation_rest', '环卫工人休息点', 'Sanitation workers'' rest stop', 800, '#2e9e57', 30, 'migration'),
    ('love_station', '爱心驿站', 'Care station', 1500, '#e08a1e', 40, 'migration'),
    ('public_toilet', '公厕', 'Public toilet', 500, '#7a5bc9', 50, 'migration');

-- The point itself: an identity its revisions and status changes hang on.
CREATE TABLE service_point (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);

-- What a point is, from the time the revision was recorded (the first one from the point's opening).
CREATE TABLE service_point_revision (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    point_id       bigint NOT NULL REFERENCES service_point (id),
    type_code      text NOT NULL REFERENCES service_point_type (code),
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    location       geometry(Point, 4326) NOT NULL CHECK (ST_SRID(location) = 4326),
    address        text NOT NULL DEFAULT '' CHECK (length(address) <= 300),
    -- Weekday windows in Beijing time, the shape of the vendor zones' hours:
    -- [{"weekdays": [1,2,3,4,5], "opens": "16:30", "closes": "18:30"}]; checked in Go.
    hours          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(hours) = 'array' AND jsonb_array_length(hours) <= 14),
    operator_org   text NOT NULL DEFAULT '' CHECK (length(operator_org) <= 200),
    -- Personal data: answered only in the caller's scope, never in public answers or tiles.
    contact_name   text NOT NULL DEFAULT '' CHECK (length(contact_name) <= 100),
    contact_phone  text NOT NULL DEFAULT '' CHECK (length(contact_phone) <= 40),
    capacity       integer CHECK (capacity BETWEEN 0 AND 100000),
    reason         text NOT NULL CHECK (reason <> '' AND length(reason) <= 500),
    revised_by     text NOT NULL,
    revised_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_point_revision_point ON service_point_revision (point_id, id);
CREATE INDEX service_point_revision_location ON service_point_revision USING gist (location);

-- Opened on, closed on (Beijing dates), each with its reason; the newest by date, then by id, rules.
CREATE TABLE service_point_status (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    point_id    bigint NOT NULL REFERENCES service_point (id),
    status      text NOT NULL CHECK (status IN ('open', 'closed')),
    since       date NOT NULL,
    reason      text NOT NULL CHECK (reason <> '' AND length(reason) <= 500),
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX service_point_status_point ON service_point_status (point_id, since, id);

CREATE FUNCTION service_point_history_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is history: never changed or deleted; record a new revision or status instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER service_point_no_change BEFORE UPDATE OR DELETE ON service_point
    FOR EACH ROW EXECUTE FUNCTION service_point_history_only();
CREATE TRIGGER service_point_revision_no_change BEFORE UPDATE OR DELETE ON service_point_revision
    FOR EACH ROW EXECUTE FUNCTION service_point_history_only();
CREATE TRIGGER service_point_status_no_change BEFORE UPDATE OR DELETE ON service_point_status
    FOR EACH ROW EXECUTE FUNCTION service_point_history_only();
CREATE TRIGGER service_point_revision_no_truncate BEFORE TRUNCATE ON service_point_revision
    FOR EACH STATEMENT EXECUTE FUNCTION service_point_history_only();
CREATE TRIGGER service_point_status_no_truncate BEFORE TRUNCATE ON service_point_status
    FOR EACH STATEMENT EXECUTE FUNCTION service_point_history_only();

-- internal/servicepoints' read interface for the gap report: every revision of every point with the
-- moment it applies from (the first from its point's earliest status date), and every status change.
-- No contacts. A point's state at a moment is its revision and status in force then.
CREATE VIEW service_point_history AS
    SELECT r.point_id, r.id AS revision_id, r.type_code, r.name, r.location,
           CASE WHEN r.id = (SELECT min(f.id) FROM service_point_revision f WHERE f.point_id = r.point_id)
                THEN '-infinity'::timestamptz ELSE r.revised_at END AS applies_from
      FROM service_point_revision r;
COMMENT ON VIEW service_point_history IS 'read interface of internal/servicepoints to service_point_revision (no contacts)';

CREATE VIEW service_point_status_history AS
    SELECT point_id, id, status, since FROM service_point_status;
COMMENT ON VIEW service_point_status_history IS 'read interface of internal/servicepoints to service_point_status';

CREATE VIEW service_point_type_directory AS
    SELECT code, name_zh, name_en, gap_distance_m, retired_at, sort_order FROM service_point_type;
COMMENT ON VIEW service_point_type_directory IS 'read interface of internal/servicepoints to service_point_type';
