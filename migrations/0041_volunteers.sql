-- Volunteer services (志愿服务): the organisations the district buys services from, their contracts and
-- the payments under them (each booked in the funds ledger), the volunteers and what they did. Owned by
-- internal/volunteers; no other package reads these tables.
--
-- Nothing here is edited or deleted: a contract changes by a new revision with its reason, a payment is
-- voided by a void row (and a correcting ledger entry), an activity likewise, a volunteer leaves by a
-- membership row. The triggers refuse updates, deletes and truncation.

CREATE FUNCTION volunteer_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is never changed or deleted; record a revision, a void or a new row instead', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;

CREATE TABLE volunteer_org (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
    -- 统一社会信用代码 or the civil-affairs registration number.
    registration_no text NOT NULL UNIQUE CHECK (char_length(btrim(registration_no)) BETWEEN 1 AND 40),
    contact_name    text NOT NULL DEFAULT '' CHECK (char_length(contact_name) <= 100),
    contact_phone   text NOT NULL DEFAULT '' CHECK (contact_phone ~ '^[0-9+\- ]{0,30}$'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL
);

CREATE TABLE volunteer_contract (
    id         bigserial PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES volunteer_org (id) ON DELETE RESTRICT,
    year       smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    UNIQUE (org_id, year)
);

-- A contract's terms; the one with the highest revision is in force. Revision 1 is the signing.
CREATE TABLE volunteer_contract_revision (
    contract_id  bigint NOT NULL REFERENCES volunteer_contract (id) ON DELETE RESTRICT,
    revision     integer NOT NULL CHECK (revision >= 1),
    period_from  date NOT NULL,
    period_to    date NOT NULL,
    fen          bigint NOT NULL CHECK (fen BETWEEN 1 AND 10000000000),
    hours_target integer NOT NULL CHECK (hours_target BETWEEN 0 AND 10000000),
    signed_on    date NOT NULL,
    scan_type    text NOT NULL DEFAULT '' CHECK (scan_type IN ('', 'application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
    scan         bytea CHECK (octet_length(scan) BETWEEN 1 AND 10485760),
    reason       text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    PRIMARY KEY (contract_id, revision),
    CHECK (period_from <= period_to),
    CHECK ((scan IS NULL) = (scan_type = '')),
    CHECK (revision = 1 OR char_length(btrim(reason)) > 0)
);

-- A payment under a contract; ledger_entries are the funds_entry rows that booked it (city, district).
CREATE TABLE volunteer_payment (
    id             bigserial PRIMARY KEY,
    contract_id    bigint NOT NULL REFERENCES volunteer_contract (id) ON DELETE RESTRICT,
    paid_on        date NOT NULL,
    fen            bigint NOT NULL CHECK (fen BETWEEN 1 AND 10000000000),
    note           text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    ledger_entries bigint[] NOT NULL CHECK (cardinality(ledger_entries) BETWEEN 1 AND 2),
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL
);
CREATE INDEX volunteer_payment_contract ON volunteer_payment (contract_id);

CREATE TABLE volunteer_payment_void (
    payment_id     bigint PRIMARY KEY REFERENCES volunteer_payment (id) ON DELETE RESTRICT,
    reason         text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 500),
    ledger_entries bigint[] NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL
);

CREATE TABLE volunteer (
    id           bigserial PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES volunteer_org (id) ON DELETE RESTRICT,
    community_id bigint NOT NULL REFERENCES admin_unit (id) ON DELETE RESTRICT,
    name         text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    phone        text NOT NULL DEFAULT '' CHECK (phone ~ '^[0-9+\- ]{0,30}$'),
    skills       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(skills) <= 20),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL
);
CREATE INDEX volunteer_community ON volunteer (community_id);

-- Joining and leaving, in order; a volunteer is active on a day when their last row on or before it
-- is a joining.
CREATE TABLE volunteer_membership (
    id           bigserial PRIMARY KEY,
    volunteer_id bigint NOT NULL REFERENCES volunteer (id) ON DELETE RESTRICT,
    kind         text NOT NULL CHECK (kind IN ('joined', 'left')),
    on_date      date NOT NULL,
    reason       text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL
);
CREATE INDEX volunteer_membership_volunteer ON volunteer_membership (volunteer_id, on_date);

CREATE TABLE volunteer_photo (
    sha256       bytea PRIMARY KEY CHECK (octet_length(sha256) = 32),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 5242880),
    width        integer NOT NULL DEFAULT 0,
    height       integer NOT NULL DEFAULT 0
);

CREATE TABLE volunteer_activity (
    id                bigserial PRIMARY KEY,
    org_id            bigint NOT NULL REFERENCES volunteer_org (id) ON DELETE RESTRICT,
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    -- A point or an area inside the district; the community is the one holding it (its point on surface).
    place             geometry(Geometry, 4326) NOT NULL CHECK (GeometryType(place) IN ('POINT', 'POLYGON', 'MULTIPOLYGON')),
    subdistrict_id    bigint NOT NULL REFERENCES admin_unit (id) ON DELETE RESTRICT,
    community_id      bigint NOT NULL REFERENCES admin_unit (id) ON DELETE RESTRICT,
    kind              text NOT NULL CHECK (kind IN ('environment', 'civility', 'traffic', 'elderly_care', 'publicity', 'other')),
    description       text NOT NULL CHECK (char_length(btrim(description)) BETWEEN 1 AND 2000),
    -- People who took part without being registered volunteers; the named ones are in the next table.
    head_count        integer NOT NULL DEFAULT 0 CHECK (head_count BETWEEN 0 AND 10000),
    participants      integer NOT NULL CHECK (participants BETWEEN 1 AND 10000),
    hours_each        numeric(4, 2) NOT NULL CHECK (hours_each > 0 AND hours_each <= 24),
    photo_sha256      bytea[] NOT NULL DEFAULT '{}' CHECK (cardinality(photo_sha256) <= 6),
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL,
    created_by_person bigint REFERENCES person (id) ON DELETE SET NULL,
    CHECK (starts_at < ends_at AND ends_at - starts_at <= interval '24 hours')
);
CREATE INDEX volunteer_activity_when ON volunteer_activity (starts_at);
CREATE INDEX volunteer_activity_community ON volunteer_activity (community_id, starts_at);
CREATE INDEX volunteer_activity_place ON volunteer_activity USING gist (place);

CREATE TABLE volunteer_activity_participant (
    activity_id  bigint NOT NULL REFERENCES volunteer_activity (id) ON DELETE RESTRICT,
    volunteer_id bigint NOT NULL REFERENCES volunteer (id) ON DELETE RESTRICT,
    PRIMARY KEY (activity_id, volunteer_id)
);
CREATE INDEX volunteer_activity_participant_volunteer ON volunteer_activity_participant (volunteer_id);

CREATE TABLE volunteer_activity_void (
    activity_id bigint PRIMARY KEY REFERENCES volunteer_activity (id) ON DELETE RESTRICT,
    reason      text NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['volunteer_org', 'volunteer_contract', 'volunteer_contract_revision', 'volunteer_payment',
        'volunteer_payment_void', 'volunteer', 'volunteer_membership', 'volunteer_activity',
        'volunteer_activity_participant', 'volunteer_activity_void'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION volunteer_insert_only()', t || '_insert_only', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION volunteer_insert_only()', t || '_no_truncate', t);
    END LOOP;
END $$;
