-- 履职: deputies and committee members (两代表一委员) and party members, their pledges (承诺书), their
-- duty records (履职记录) confirmed by their community, and party members' yearly evaluation
-- (《龙岩市共产党员文明建设履职考评办法》). Owned by internal/duties.
--
-- Nothing here is deleted or edited in place: a membership is ended by a row of duty_member_end, a
-- pledge renewed by a newer pledge, a record confirmed, returned or voided by an event, an evaluation
-- corrected by a new revision with a reason. Triggers refuse UPDATE and DELETE on every table below
-- but duty_kind, the configurable list of kinds (a setting, not history).

-- A new account role: the member who signs in to enter their own records. app_user is
-- internal/auth's; the role list is internal/access's, whose Roles this CHECK must equal.
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check CHECK (role IN ('admin', 'district_leader', 'street_chief',
    'lane_chief', 'department_liaison', 'inspector', 'assessor', 'participant'));

-- Pledge scans (an image or a PDF) and record photos, by content hash.
CREATE TABLE duty_file (
    sha256        bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type  text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    bytes         bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The configurable list of what a duty record may be (入户走访, 文明劝导, …); a retired kind stays for
-- the records that name it.
CREATE TABLE duty_kind (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh     text NOT NULL CHECK (name_zh <> '' AND length(name_zh) <= 40),
    name_en     text NOT NULL CHECK (name_en <> '' AND length(name_en) <= 60),
    position    integer NOT NULL DEFAULT 0,
    retired     boolean NOT NULL DEFAULT false
);
INSERT INTO duty_kind (code, name_zh, name_en, position) VALUES
    ('home_visit', '入户走访', 'Home visits', 1),
    ('civility_advice', '文明劝导', 'Civility advice', 2),
    ('environment', '环境整治', 'Environment clean-up', 3),
    ('volunteering', '志愿服务', 'Volunteer service', 4),
    ('policy_outreach', '政策宣传', 'Policy outreach', 5),
    ('motion', '议案建议', 'Motions and proposals', 6);

-- A member: a registry person as a deputy, committee member or party member, linked to a community
-- (a party member may instead belong to a unit, 单位, named here) from a day.
CREATE TABLE duty_member (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id     bigint NOT NULL REFERENCES person (id),
    member_type   text NOT NULL CHECK (member_type IN ('party_congress_deputy', 'peoples_congress_deputy', 'cppcc_member', 'party_member')),
    level         text NOT NULL CHECK (level IN ('province', 'city', 'district', 'subdistrict')),
    community_id  bigint REFERENCES admin_unit (id),
    subdistrict_id bigint REFERENCES admin_unit (id),
    unit_name     text NOT NULL DEFAULT '' CHECK (length(unit_name) <= 100),
    valid_from    date NOT NULL,
    valid_until   date,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_member_period CHECK (valid_until IS NULL OR valid_until > valid_from),
    CONSTRAINT duty_member_place CHECK (community_id IS NOT NULL OR (member_type = 'party_member' AND unit_name <> ''))
);
CREATE INDEX duty_member_person ON duty_member (person_id);
CREATE INDEX duty_member_community ON duty_member (community_id);

-- The end of a membership before its planned until (or of an open-ended one), with the reason.
CREATE TABLE duty_member_end (
    member_id   bigint PRIMARY KEY REFERENCES duty_member (id),
    ended_on    date NOT NULL,
    reason      text NOT NULL CHECK (reason <> '' AND length(reason) <= 1000),
    ended_by    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);

-- A signed pledge for a period; the newest pledge whose period holds a day is the one in force then.
CREATE TABLE duty_pledge (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint NOT NULL REFERENCES duty_member (id),
    signed_on     date NOT NULL,
    valid_from    date NOT NULL,
    valid_until   date NOT NULL,
    items         text[] NOT NULL CHECK (cardinality(items) BETWEEN 1 AND 20),
    body          text NOT NULL DEFAULT '' CHECK (length(body) <= 4000),
    scan_sha256   bytea REFERENCES duty_file (sha256),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_pledge_period CHECK (valid_until > valid_from AND valid_from >= signed_on)
);
CREATE INDEX duty_pledge_member ON duty_pledge (member_id, id);

-- A duty record: what a member did on a Beijing day, where (a point, or an area of the registry) and
-- for how long. community_id and subdistrict_id are the member's, whose community confirms it.
CREATE TABLE duty_record (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id        bigint NOT NULL REFERENCES duty_member (id),
    community_id     bigint REFERENCES admin_unit (id),
    subdistrict_id   bigint REFERENCES admin_unit (id),
    day              date NOT NULL,
    kind             text NOT NULL REFERENCES duty_kind (code),
    location         geometry(Point, 4326),
    area_id          bigint REFERENCES area (id),
    description      text NOT NULL CHECK (description <> '' AND length(description) <= 2000),
    photo_sha256     bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    hours            numeric(4, 2) NOT NULL CHECK (hours > 0 AND hours <= 24),
    entered_as       text NOT NULL CHECK (entered_as IN ('member', 'community')),
    entered_by       text NOT NULL,
    entered_by_user_id bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_record_place CHECK ((location IS NULL) <> (area_id IS NULL))
);
CREATE INDEX duty_record_member ON duty_record (member_id, day);
CREATE INDEX duty_record_community ON duty_record (community_id, day);
CREATE INDEX duty_record_location ON duty_record USING gist (location);

-- What the community said of a record (confirm, return with a reason) and its voiding (with a reason).
-- A record is pending until confirmed or returned, once; any record may be voided, once.
CREATE TABLE duty_record_event (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id     bigint NOT NULL REFERENCES duty_record (id),
    kind          text NOT NULL CHECK (kind IN ('confirm', 'return', 'void')),
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    by_label      text NOT NULL,
    by_user_id    bigint,
    at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_record_event_reason CHECK (kind = 'confirm' OR reason <> '')
);
CREATE UNIQUE INDEX duty_record_event_decided ON duty_record_event (record_id) WHERE kind IN ('confirm', 'return');
CREATE UNIQUE INDEX duty_record_event_voided ON duty_record_event (record_id) WHERE kind = 'void';

-- The party members' evaluation template, versioned: the newest version effective in a year scores it.
CREATE TABLE duty_template (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    effective_year  integer NOT NULL CHECK (effective_year BETWEEN 2000 AND 2100),
    -- Grade bands: 优秀 ≥ excellent_min, 合格 ≥ qualified_min, 基本合格 ≥ basic_min, else 不合格.
    excellent_min   numeric(5, 2) NOT NULL,
    qualified_min   numeric(5, 2) NOT NULL,
    basic_min       numeric(5, 2) NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT duty_template_bands CHECK (100 >= excellent_min AND excellent_min > qualified_min AND qualified_min > basic_min AND basic_min > 0)
);
CREATE UNIQUE INDEX duty_template_year ON duty_template (effective_year);

CREATE TABLE duty_template_item (
    template_id  bigint NOT NULL REFERENCES duty_template (id),
    n            integer NOT NULL CHECK (n BETWEEN 1 AND 50),
    code         text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    name_zh      text NOT NULL CHECK (name_zh <> '' AND length(name_zh) <= 200),
    name_en      text NOT NULL CHECK (name_en <> '' AND length(name_en) <= 200),
    max_points   numeric(5, 2) NOT NULL CHECK (max_points > 0 AND max_points <= 100),
    PRIMARY KEY (template_id, n),
    UNIQUE (template_id, code)
);

-- A member's evaluation of a year; a correction is the next revision, with its reason.
CREATE TABLE duty_evaluation (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id     bigint NOT NULL REFERENCES duty_member (id),
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    revision      integer NOT NULL CHECK (revision >= 1),
    template_id   bigint NOT NULL REFERENCES duty_template (id),
    scores        jsonb NOT NULL,
    total         numeric(5, 2) NOT NULL CHECK (total BETWEEN 0 AND 100),
    grade         text NOT NULL CHECK (grade IN ('excellent', 'qualified', 'basically_qualified', 'unqualified')),
    evaluator     text NOT NULL CHECK (evaluator <> '' AND length(evaluator) <= 100),
    notes         text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (member_id, year, revision),
    CONSTRAINT duty_evaluation_reason CHECK (revision = 1 OR reason <> '')
);

CREATE FUNCTION duty_history_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is history: rows are never changed or deleted (end, renew, void or revise instead)', TG_TABLE_NAME
        USING ERRCODE = 'P0001';
END $$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['duty_file', 'duty_member', 'duty_member_end', 'duty_pledge', 'duty_record', 'duty_record_event',
        'duty_template', 'duty_template_item', 'duty_evaluation'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION duty_history_is_kept()', t || '_kept', t);
    END LOOP;
END $$;

-- internal/duties' read interface for reports' silent_deputies gap: every membership with its
-- community and its period as ended (empty for one ended on its first day: entered by mistake), and
-- every record not voided with whether it is confirmed.
CREATE VIEW duty_member_standing AS
    SELECT m.id, m.person_id, m.member_type, m.community_id, m.subdistrict_id,
           daterange(m.valid_from, CASE WHEN LEAST(e.ended_on, m.valid_until) IS NULL THEN NULL
               ELSE GREATEST(m.valid_from, LEAST(e.ended_on, m.valid_until)) END) AS valid
      FROM duty_member m LEFT JOIN duty_member_end e ON e.member_id = m.id;
COMMENT ON VIEW duty_member_standing IS 'read interface of internal/duties to duty_member (periods as ended)';

CREATE VIEW duty_record_standing AS
    SELECT r.id, r.member_id, r.day, r.hours,
           EXISTS (SELECT 1 FROM duty_record_event c WHERE c.record_id = r.id AND c.kind = 'confirm') AS confirmed
      FROM duty_record r
     WHERE NOT EXISTS (SELECT 1 FROM duty_record_event v WHERE v.record_id = r.id AND v.kind = 'void');
COMMENT ON VIEW duty_record_standing IS 'read interface of internal/duties to duty_record (voided ones left out)';

-- The default evaluation template, after 《龙岩市共产党员文明建设履职考评办法》's headings; a district
-- replaces it by a new version from a year on (POST /api/v1/duty-templates).
WITH t AS (
    INSERT INTO duty_template (name, effective_year, excellent_min, qualified_min, basic_min, created_by)
    VALUES ('党员文明建设履职考评表', 2000, 90, 60, 50, 'migration 0040') RETURNING id)
INSERT INTO duty_template_item (template_id, n, code, name_zh, name_en, max_points)
SELECT t.id, v.n, v.code, v.name_zh, v.name_en, v.max_points FROM t, (VALUES
    (1, 'example', '带头践行文明行为', 'Leading by civil example', 25),
    (2, 'creation', '参与文明创建活动', 'Taking part in civilised-city work', 25),
    (3, 'service', '联系服务群众、志愿服务', 'Serving residents and volunteering', 20),
    (4, 'outreach', '宣传引导与文明劝导', 'Outreach and civility advice', 15),
    (5, 'conduct', '遵守社会公德与纪律', 'Public morality and discipline', 15)) AS v(n, code, name_zh, name_en, max_points);
